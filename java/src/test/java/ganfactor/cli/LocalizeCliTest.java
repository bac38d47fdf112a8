package ganfactor.cli;

import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import ganfactor.method.Directions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * LowRankGAN's mask-free local edit through the CLI: `localize` and `edit --local` must apply
 * the same projection (same Jacobian, same RPCA), the result must lie in the reported null space,
 * and bad input must be refused. The demo's latent space is small (d = 64), so lambda =
 * 1/sqrt(d) = 0.125 as the README advises (the reference's 1/60 is tuned for d = 512).
 */
class LocalizeCliTest {
    @TempDir
    Path tmp;

    static int run(String... args) {
        StringWriter sink = new StringWriter();
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true));
        try {
            return Main.execute(args, new PrintWriter(sink, true), new PrintWriter(sink, true));
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void localizeAndEditLocalAgreeAndStayInTheNullSpace() {
        Path sefa = tmp.resolve("sefa");
        assertEquals(0, run("sefa", "--k", "3", "--show", "0", "--out", sefa.toString()));
        Path loc = tmp.resolve("loc");
        assertEquals(0, run("localize", "--direction", sefa.resolve("directions.npy").toString(), "--index", "0",
                "--region", "mouth", "--rpca-lambda", "0.125", "--out", loc.toString(), "--quiet"));
        NpyArray p = Npy.read(loc.resolve("directions.npy")), ns = Npy.read(loc.resolve("null_space.npy"));
        int d = 64;
        assertArrayEquals(new long[]{1, d}, p.shape());
        int size = (int) ns.shape()[0];
        assertTrue(size > 0 && size < d, "null space dimension " + size);
        // n' lies in the span of the null-space rows: its component there has norm 1
        double[] n = Arrays.copyOf(p.data(), d);
        double in = 0;
        for (int i = 0; i < size; i++) {
            double c = 0;
            for (int j = 0; j < d; j++) c += ns.data()[i * d + j] * n[j];
            in += c * c;
        }
        assertEquals(1.0, Math.sqrt(in), 1e-6, "float32 file: 1e-6");

        Path ed = tmp.resolve("ed");
        assertEquals(0, run("edit", "--direction", sefa.resolve("directions.npy").toString(), "--index", "0", "--local", "mouth",
                "--rpca-lambda", "0.125", "--strengths", "0,2", "--out", ed.toString(), "--quiet"));
        // the edit moved every layer by 2 n'
        NpyArray orig = Npy.read(ed.resolve("originals.npy")), edited = Npy.read(ed.resolve("edited_0.npy"));
        double[] moved = new double[d];
        int L = (int) orig.shape()[1];
        for (int j = 0; j < d; j++) moved[j] = (edited.data()[L * d + j] - orig.data()[j]) / 2; // sample 0, strength index 1, layer 0
        assertTrue(Directions.absCos(moved, n) > 1 - 1e-6, "edit --local and localize project alike: |cos| " + Directions.absCos(moved, n));
        assertTrue(Files.exists(ed.resolve("locality_0.png")), "the local region is the default measurement region");
    }

    @Test
    void badInputIsRefused() {
        Path out = tmp.resolve("o");
        Path sefa = tmp.resolve("sefa");
        assertEquals(0, run("sefa", "--k", "2", "--show", "0", "--out", sefa.toString()));
        String dirs = sefa.resolve("directions.npy").toString();
        assertEquals(2, run("localize", "--direction", dirs, "--out", out.toString()));                                   // no background
        assertEquals(2, run("localize", "--direction", dirs, "--bg", dirs, "--out", out.toString()));                     // [2, 64] is no Gram
        assertEquals(2, run("localize", "--direction", dirs, "--region", "mouth", "--index", "5", "--out", out.toString()));
        assertEquals(2, run("localize", "--direction", dirs, "--region", "mouth", "--rpca-solver", "nope", "--out", out.toString()));
        assertFalse(Files.exists(out));
    }
}
