package ganfactor.embed;

import ganfactor.TestSupport;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.jacobian.GramPair;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.method.Directions;
import ganfactor.method.ReSeFa;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The C API end to end: the Java API computes the demo generator's ReSeFa eye directions here
 * (seed 4, W space, 64 grid, paper regularisation); {@code native/test/gf_test.c}, built by
 * {@code cppbuild.sh} in {@code process-test-classes}, computes the same through the C API in its
 * own process and JVM, compares them (|cos| >= 0.9999 per direction), edits a code, and makes bad
 * calls (NULL handles, wrong sizes, bad files) that must return error codes with messages.
 */
class CApiTest {
    static final int SEED = 4, GRID = 64, K = 5;
    static final String REGION = "eyes";

    @Test
    void cProgramMatchesTheJavaApiAndSurvivesBadCalls(@TempDir Path dir) throws IOException, InterruptedException {
        Path bin = Path.of("..", "native", "cppbuild", platform(), "bin", "gf_test").toAbsolutePath().normalize();
        TestSupport.requirePresent(Files.isExecutable(bin), "the C API test program " + bin + " (built by cppbuild.sh, which needs gcc and a JDK's jni.h)");

        Generator g = TestSupport.demo64();    // what gf_open("demo") opens: Generator.open("demo")
        Latents lat = Latents.fromSeed(g, LatentSpace.W, SEED, 1, 1.0, g.numLayers());
        View view = new View(GRID, View.Reduce.SUM, g.channels(), g.height(), g.width());
        Region eyes = Regions.parse(REGION, GRID, g);
        GramPair gp = JacobianEngine.compute(g, lat.row(0), LatentSpace.W, view, List.of(eyes), new JacobianEngine.Options()).grams().get(0);
        ReSeFa.Options o = new ReSeFa.Options();
        o.regularization = ReSeFa.Regularization.PAPER;
        Directions dirs = ReSeFa.solve(gp, o);
        int d = dirs.dim();

        StringBuilder sb = new StringBuilder();
        sb.append(d).append(' ').append(K).append(' ').append(SEED).append(' ').append(GRID).append(' ').append(REGION).append('\n');
        append(sb, lat.row(0), d);
        append(sb, dirs.vectors(), K * d);
        append(sb, dirs.values(), K);
        Path ref = dir.resolve("reference.txt");
        Files.writeString(ref, sb.toString());

        ProcessBuilder pb = new ProcessBuilder(bin.toString(), ref.toString()).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("GANFACTOR_CLASSPATH", System.getProperty("java.class.path"));
        long t0 = System.nanoTime();
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        boolean done = p.waitFor(300, TimeUnit.SECONDS);
        if (!done) p.destroyForcibly();
        String text = new String(out, StandardCharsets.UTF_8);
        System.out.printf(Locale.ROOT, "gf_test (%.1f s):%n%s", (System.nanoTime() - t0) / 1e9, text);
        assertTrue(done, "gf_test did not finish in 300 s");
        assertEquals(0, p.exitValue(), "gf_test failed:\n" + text);
        assertTrue(text.contains("PASSED: 0 failure(s)"), text);
        assertTrue(text.contains("eye directions: min |cos| over " + K + " directions"), text);
    }

    /** A gf_init whose class path lacks ganfactor: later calls name that failure, not just "class not found". */
    @Test
    void aFailedInitIsNamedByLaterCalls(@TempDir Path dir) throws IOException, InterruptedException {
        Path bin = Path.of("..", "native", "cppbuild", platform(), "bin", "gf_test").toAbsolutePath().normalize();
        TestSupport.requirePresent(Files.isExecutable(bin), "the C API test program " + bin);
        Process p = new ProcessBuilder(bin.toString(), "--bad-init").directory(dir.toFile()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "gf_test --bad-init did not finish");
        System.out.print(text);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("PASSED: 0 failure(s)"), text);
    }

    private static void append(StringBuilder sb, double[] v, int n) {
        for (int i = 0; i < n; i++) sb.append(String.format(Locale.ROOT, "%.17g", v[i])).append(i + 1 == n ? '\n' : ' ');
    }

    static String platform() {
        String arch = System.getProperty("os.arch");
        return "linux-" + (arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch.equals("aarch64") ? "arm64" : arch);
    }
}
