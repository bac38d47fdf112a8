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
        return pythonWithPath(null, args);
    }

    static Run pythonWithPath(String pythonPath, String... args) {
        List<String> cmd = new ArrayList<>(List.of("python3"));
        cmd.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("PYTHONDONTWRITEBYTECODE", "1"); // no __pycache__ in the checkout
            if (pythonPath != null) pb.environment().put("PYTHONPATH", pythonPath);
            Process p = pb.start();
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

    /**
     * tools/save_safetensors.py's own logic (key choice, --trust-pickle refusals, buffers,
     * latent_avg, layout detection, metadata) run against a numpy stand-in for torch
     * (resources/weights/fake_torch; real torch is not available here), its output read by Java.
     */
    @Test
    void saveSafetensorsLogicWithTorchStandIn() throws Exception {
        assumePython(true);
        Path res = WeightFilesTest.resource("smoke_save_safetensors.py").getParent();
        Path out = tmp.resolve("smoke");
        Run r = pythonWithPath(res.resolve("fake_torch") + java.io.File.pathSeparator + tools(),
                res.resolve("smoke_save_safetensors.py").toString(), out.toString());
        assertEquals(0, r.rc(), r.out());
        assertTrue(r.out().contains("refused as expected") && r.out().contains("layout rosinality (key g_ema)")
                && r.out().contains("layout nvlabs (key G_ema)"), r.out());
        try (WeightFiles.Weights w = WeightFiles.read(out.resolve("rosinality.safetensors"), null)) {
            assertEquals(List.of("style.1.weight", "convs.0.conv.weight", "noises.noise_0", "steps", "latent_avg"), List.copyOf(w.tensors().keySet()));
            assertEquals("rosinality", w.metadata().get("layout"));
            assertEquals("g_ema", w.metadata().get("key"));
            assertArrayEquals(new double[]{1, 2, 3, 4}, Torch.toDoubles(w.require("style.1.weight")));
            assertArrayEquals(new double[]{9, 10}, Torch.toDoubles(w.require("latent_avg")));
            assertArrayEquals(new double[]{7, -8}, Torch.toDoubles(w.require("steps")));
            assertArrayEquals(new long[]{1, 1, 1, 1}, Torch.shape(w.require("noises.noise_0")));
        }
        try (WeightFiles.Weights w = WeightFiles.read(out.resolve("nvlabs.safetensors"), null)) {
            assertEquals(List.of("mapping.fc0.weight", "mapping.w_avg", "synthesis.b4.const", "synthesis.b4.conv1.noise_const"),
                    List.copyOf(w.tensors().keySet()));
            assertEquals("nvlabs", w.metadata().get("layout"));
            assertEquals("{\"img_resolution\": 4, \"w_dim\": 2, \"z_dim\": 2}", w.metadata().get("init_kwargs"));
            assertArrayEquals(new double[]{0.25, -0.5}, Torch.toDoubles(w.require("mapping.w_avg")));
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
