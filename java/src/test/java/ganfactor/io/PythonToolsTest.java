package ganfactor.io;

import ganfactor.Engine;
import ganfactor.torch.Torch;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Python side of weight conversion (tools/): the pure-Python safetensors writer's output is
 * read by the Java reader, and every tools script compiles. Skipped, with the reason, where
 * python3 or numpy is missing (the tools themselves run where users have PyTorch).
 */
class PythonToolsTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void init() {
        Engine.init(0);
    }

    static Path tools() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent())
            if (Files.isRegularFile(p.resolve("tools/gf_safetensors.py"))) return p.resolve("tools");
        throw new AssertionError("tools/gf_safetensors.py not found above " + Path.of("").toAbsolutePath());
    }

    record Run(int rc, String out) {}

    static Run python(String... args) {
        List<String> cmd = new ArrayList<>(List.of("python3"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python3 timed out");
            return new Run(p.exitValue(), out);
        } catch (IOException e) {
            return null; // no python3
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static void assumePython(boolean numpy) {
        Run r = python("-c", numpy ? "import numpy" : "pass");
        Assumptions.assumeTrue(r != null, "python3 not found: Python tool checks skipped");
        Assumptions.assumeTrue(r.rc() == 0, "numpy not importable by python3 (" + r.out().strip() + "): gf_safetensors selftest skipped");
    }

    @Test
    void pythonWriterIsReadByJava() {
        assumePython(true);
        Path out = tmp.resolve("selftest.safetensors");
        Run r = python(tools().resolve("gf_safetensors.py").toString(), "--selftest", out.toString());
        assertEquals(0, r.rc(), r.out());
        try (WeightFiles.Weights w = WeightFiles.read(out, null)) {
            assertEquals("safetensors", w.format());
            assertEquals(Map.of("written_by", "gf_safetensors.py --selftest"), w.metadata());
            assertEquals(List.of("f32", "f64", "f16", "bf16", "i64", "i32", "u8", "bool", "scalar", "empty", "fortran"),
                    List.copyOf(w.tensors().keySet()));
            assertArrayEquals(new float[]{0.5f, -1.25f, 3.0f, 1e-3f, 65504.0f, -0.0f}, Torch.toFloats(w.require("f32")));
            assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(Torch.toFloats(w.require("f32"))[5]));
            assertArrayEquals(new double[]{Math.PI, -Math.E}, Torch.toDoubles(w.require("f64")));
            assertArrayEquals(new double[]{1.0, -2.5, 0.0009765625}, Torch.toDoubles(w.require("f16")));
            assertArrayEquals(new double[]{1.5, -10.0}, Torch.toDoubles(w.require("bf16")));
            assertArrayEquals(new double[]{-(double) (1L << 62), 7}, Torch.toDoubles(w.require("i64")));
            assertArrayEquals(new long[]{2, 1}, Torch.shape(w.require("i32")));
            assertArrayEquals(new double[]{-5, 1 << 30}, Torch.toDoubles(w.require("i32")));
            assertArrayEquals(new double[]{0, 255, 17}, Torch.toDoubles(w.require("u8")));
            assertArrayEquals(new byte[]{1, 0, 1}, WeightFilesTest.bytes(w.require("bool")));
            assertArrayEquals(new long[]{}, Torch.shape(w.require("scalar")));
            assertArrayEquals(new double[]{2.75}, Torch.toDoubles(w.require("scalar")));
            assertArrayEquals(new long[]{0, 4}, Torch.shape(w.require("empty")));
            // a Fortran-ordered numpy array is written in C order
            assertArrayEquals(new double[]{0, 1, 2, 3, 4, 5}, Torch.toDoubles(w.require("fortran")));
            Tensor f = w.require("fortran");
            assertArrayEquals(new long[]{2, 3}, Torch.shape(f));
        }
    }

    @Test
    void toolsScriptsCompile() throws IOException {
        assumePython(false);
        List<Path> scripts;
        try (Stream<Path> s = Files.list(tools())) {
            scripts = s.filter(p -> p.toString().endsWith(".py")).sorted().toList();
        }
        assertTrue(scripts.size() >= 3, "tools scripts: " + scripts);
        for (Path p : scripts) {
            // compile to a temporary .pyc so the checkout gets no __pycache__
            Run r = python("-c", "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)",
                    p.toString(), tmp.resolve(p.getFileName() + "c").toString());
            assertEquals(0, r.rc(), p + ": " + r.out());
        }
    }
}
