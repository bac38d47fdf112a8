package ganfactor.cli;

import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The CLI in-process: outputs, shapes, the JSON record, exit codes and no half-written output. */
class CliTest {
    @TempDir
    Path tmp;

    record Run(int code, String err) {}

    static Run run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        return new Run(code, err.toString());
    }

    @Test
    void jacobianWritesGramsPerRegionAndSample() {
        Path out = tmp.resolve("j");
        Run r = run("jacobian", "--model", "demo", "--space", "w", "--seed", "4", "--num", "2", "--grid", "64",
                "--region", "eyes", "--region", "lips=mask:mouth", "--save-jacobian", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        NpyArray a = Npy.read(out.resolve("eyes_A.npy")), b = Npy.read(out.resolve("lips_B.npy"));
        assertArrayEquals(new long[]{2, 64, 64}, a.shape());
        assertArrayEquals(new long[]{2, 64, 64}, b.shape());
        assertEquals("<f8", a.dtype());
        assertArrayEquals(new long[]{2, 64}, Npy.read(out.resolve("latents.npy")).shape());
        NpyArray j = Npy.read(out.resolve("jacobian.npy"));
        assertArrayEquals(new long[]{2, 64, 64, 1, 64}, j.shape());
        assertTrue(Files.exists(out.resolve("jacobian.json")));
        // the saved Jacobian reproduces A of sample 1 (float32 file: relative 1e-5)
        int D = 64;
        boolean[] eyes = ganfactor.region.Regions.parse("eyes", 64, ganfactor.TestSupport.demo32()).mask();
        double[] A = new double[D * D];
        int n = 0;
        for (int p = 0; p < 64 * 64; p++) {
            if (!eyes[p]) continue;
            n++;
            int base = (64 * 64 + p) * D;
            for (int x = 0; x < D; x++) for (int y = 0; y < D; y++) A[x * D + y] += j.data()[base + x] * j.data()[base + y];
        }
        double maxA = 0, err = 0;
        for (int k = 0; k < D * D; k++) {
            maxA = Math.max(maxA, Math.abs(a.data()[D * D + k]));
            err = Math.max(err, Math.abs(A[k] / n - a.data()[D * D + k]));
        }
        assertTrue(err <= 1e-5 * maxA, "A from the saved Jacobian: " + err + " of " + maxA);
    }

    @Test
    void badInputExitsTwoAndWritesNothing() throws Exception {
        Path out = tmp.resolve("x");
        Run r = run("jacobian", "--region", "250,128,20,40", "--out", out.toString(), "--quiet");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("outside the 256x256 view"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(out));
        r = run("jacobian", "--model", tmp.resolve("nope.pt").toString(), "--region", "eyes", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no such file"));
        Path junk = tmp.resolve("l.npy");
        Files.writeString(junk, "junk");
        r = run("jacobian", "--latents", junk.toString(), "--region", "eyes", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("not a .npy"), r.err());
        Npy.writeFloat64(junk, new double[10], 2, 5);
        r = run("jacobian", "--latents", junk.toString(), "--region", "eyes", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("expected latent codes of shape [N, 64]"), r.err());
        r = run("jacobian", "--region", "eyes", "--mode", "sideways", "--out", out.toString());
        assertEquals(2, r.code());
        assertFalse(Files.exists(out));
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains("partial")), "no staging folder left behind");
        }
    }

    /** A cancelled run that was saving the Jacobian reports the cancellation (exit 130), not the half-written file. */
    @Test
    void cancellingWhileSavingTheJacobianLeavesNothing() {
        var g = ganfactor.TestSupport.demo32();
        var lat = ganfactor.generator.Latents.fromSeed(g, ganfactor.generator.LatentSpace.W, 4, 2, 1.0, 8);
        var view = new ganfactor.region.View(32, ganfactor.region.View.Reduce.SUM, 3, 256, 256);
        var rs = ganfactor.region.Regions.parseAll(java.util.List.of("eyes"), 32, g, false);
        var o = new ganfactor.jacobian.JacobianEngine.Options();
        o.chunk = 16;
        int[] polls = {0};
        o.cancelled = () -> ++polls[0] > 3;
        Path out = tmp.resolve("c");
        try (var dir = new ganfactor.io.OutputDir(out, false)) {
            assertThrows(java.util.concurrent.CancellationException.class, () -> ganfactor.pipeline.GramJob.run(g, lat, view, rs, o, dir, true));
        }
        assertFalse(Files.exists(out));
    }

    @Test
    void existingOutputNeedsForce() throws Exception {
        Path out = tmp.resolve("busy");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "x");
        Run r = run("jacobian", "--region", "eyes", "--grid", "32", "--out", out.toString(), "--quiet");
        assertEquals(2, r.code());
        assertTrue(Files.exists(out.resolve("keep.txt")));
    }
}
