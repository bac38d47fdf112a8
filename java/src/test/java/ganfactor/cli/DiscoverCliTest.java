package ganfactor.cli;

import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import ganfactor.method.Directions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** discover and solve in-process: files, shapes, agreement between input layouts, bad input. */
class DiscoverCliTest {
    @TempDir
    Path tmp;

    static CliRun run(String... args) {
        return CliRun.run(args);
    }

    static double[] row(NpyArray a, int i) {
        int d = (int) a.shape()[1];
        return java.util.Arrays.copyOfRange(a.data(), i * d, (i + 1) * d);
    }

    @Test
    void discoverWritesDirectionsPicturesAndReport() {
        Path out = tmp.resolve("d");
        CliRun r = run("discover", "--region", "eyes", "--region", "lips=mask:mouth", "--num", "2", "--grid", "64", "--show", "2",
                "--regularize", "paper", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        for (String reg : new String[]{"eyes", "lips"}) {
            assertTrue(Files.exists(out.resolve(reg + "/mask.png")));
            for (int i = 0; i < 2; i++) {
                Path p = out.resolve(reg + "/sample_" + i);
                NpyArray dirs = Npy.read(p.resolve("directions.npy"));
                assertArrayEquals(new long[]{64, 64}, dirs.shape());
                assertEquals("<f4", dirs.dtype());
                for (int k = 0; k < 3; k++) assertEquals(1.0, Math.sqrt(Directions.dot(row(dirs, k), row(dirs, k))), 1e-6);
                assertTrue(Files.exists(p.resolve("grid_0.png")) && Files.exists(p.resolve("grid_1.png")) && !Files.exists(p.resolve("grid_2.png")));
                assertTrue(Files.exists(p.resolve("locality_1.png")));
                // 2 directions + the random baseline, 7 strengths each, one header
                try {
                    assertEquals(1 + 3 * 7, Files.readAllLines(p.resolve("locality.csv")).size());
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            }
        }
        assertTrue(Files.exists(out.resolve("discover.json")));
        assertTrue(r.out().contains("random direction"), r.out());
    }

    @Test
    void discoverWithLowRankGanWritesLocalDirections() throws Exception {
        Path out = tmp.resolve("lr");
        CliRun r = run("discover", "--region", "mouth", "--method", "lowrankgan", "--rpca-lambda", "0.125", "--grid", "64", "--show", "1",
                "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        NpyArray dirs = Npy.read(out.resolve("mouth/directions.npy"));
        assertEquals(64, dirs.shape()[1]);
        assertTrue(dirs.shape()[0] >= 1, "at least one local direction");
        assertEquals(1.0, Math.sqrt(Directions.dot(row(dirs, 0), row(dirs, 0))), 1e-6);
        assertTrue(Files.exists(out.resolve("mouth/grid_0.png")));
        String json = Files.readString(out.resolve("discover.json"));
        assertTrue(json.contains("\"method\": \"lowrankgan\"") && json.contains("null_space_dim"), json);
        // the same Grams through `solve` give the same directions
        Path j = tmp.resolve("jl");
        assertEquals(0, run("jacobian", "--region", "mouth", "--grid", "64", "--out", j.toString(), "--quiet").code());
        Path s = tmp.resolve("sl");
        CliRun rs = run("solve", "--fg", j.resolve("mouth_A.npy").toString(), "--bg", j.resolve("mouth_B.npy").toString(),
                "--method", "lowrankgan", "--rpca-lambda", "0.125", "--out", s.toString());
        assertEquals(0, rs.code(), rs.err());
        NpyArray d2 = Npy.read(s.resolve("directions.npy"));
        assertTrue(Directions.absCos(row(dirs, 0), row(d2, 0)) > 1 - 1e-6, "discover and solve agree");
    }

    @Test
    void solveFromTheReferenceJacobianLayoutMatchesSolveFromGrams() {
        Path j = tmp.resolve("j");
        assertEquals(0, run("jacobian", "--region", "eyes", "--grid", "64", "--save-jacobian", "--out", j.toString(), "--quiet").code());
        Path s1 = tmp.resolve("s1"), s2 = tmp.resolve("s2");
        CliRun a = run("solve", "--fg", j.resolve("eyes_A.npy").toString(), "--bg", j.resolve("eyes_B.npy").toString(), "--k", "5", "--out", s1.toString());
        assertEquals(0, a.code(), a.err());
        // [1, 64, 64, 1, 64] float32, the reference's layout; the region as an FFHQ-style box on that grid
        CliRun b = run("solve", "--jacobian", j.resolve("jacobian.npy").toString(), "--region", "eyes", "--k", "5", "--out", s2.toString());
        assertEquals(0, b.code(), b.err());
        NpyArray d1 = Npy.read(s1.resolve("directions.npy")), d2 = Npy.read(s2.resolve("directions.npy"));
        assertArrayEquals(new long[]{5, 64}, d1.shape());
        // the file holds J in float32: its Grams differ from the float64 ones by ~1e-7 relative,
        // which moves well-separated directions by far less than 1e-4
        for (int i = 0; i < 5; i++) {
            double c = Directions.absCos(row(d1, i), row(d2, i));
            assertTrue(c >= 0.9999, "direction " + i + " |cos| " + c);
        }
        // identical values in both files: the sign convention is deterministic
        assertEquals(Directions.dot(row(d1, 0), row(d2, 0)), 1.0, 1e-4);
    }

    /**
     * --save-jacobian with the channels as rows writes the official layout [N, 3, G, G, 1, D]
     * (what compute_direction.py indexes as Jacobian[ind][:, rows, cols, 0]); `solve` reads it, and
     * still reads ganfactor's older [N, 3, G, G, D] (the same bytes), with identical directions.
     */
    @Test
    void savedJacobianHasTheOfficialLayoutAndBothLayoutsAreRead() throws Exception {
        Path j = tmp.resolve("j");
        CliRun r = run("jacobian", "--region", "eyes", "--grid", "32", "--reduce", "none", "--save-jacobian", "--out", j.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        NpyArray jac = Npy.read(j.resolve("jacobian.npy"));
        assertArrayEquals(new long[]{1, 3, 32, 32, 1, 64}, jac.shape());
        assertEquals("<f4", jac.dtype());
        Path old = tmp.resolve("old.npy");
        Npy.writeFloat32(old, jac.data(), 1, 3, 32, 32, 64);
        Path s1 = tmp.resolve("s1"), s2 = tmp.resolve("s2"), s3 = tmp.resolve("s3");
        assertEquals(0, run("solve", "--jacobian", j.resolve("jacobian.npy").toString(), "--region", "eyes", "--k", "3", "--regularize", "paper", "--out", s1.toString()).code());
        assertEquals(0, run("solve", "--jacobian", old.toString(), "--region", "eyes", "--k", "3", "--regularize", "paper", "--out", s2.toString()).code());
        assertEquals(0, run("solve", "--fg", j.resolve("eyes_A.npy").toString(), "--bg", j.resolve("eyes_B.npy").toString(), "--k", "3", "--regularize", "paper", "--out", s3.toString()).code());
        NpyArray d1 = Npy.read(s1.resolve("directions.npy")), d2 = Npy.read(s2.resolve("directions.npy")), d3 = Npy.read(s3.resolve("directions.npy"));
        assertArrayEquals(d1.data(), d2.data(), "the same bytes in either layout give the same directions");
        for (int i = 0; i < 3; i++) assertTrue(Directions.absCos(row(d1, i), row(d3, i)) >= 0.9999, "file and Grams agree, direction " + i);
        // summed views keep [N, G, G, 1, D]
        Path k = tmp.resolve("k");
        assertEquals(0, run("jacobian", "--region", "eyes", "--grid", "32", "--reduce", "sum", "--save-jacobian", "--out", k.toString(), "--quiet").code());
        assertArrayEquals(new long[]{1, 32, 32, 1, 64}, Npy.read(k.resolve("jacobian.npy")).shape());
    }

    @Test
    void solveRejectsBadInputWithoutOutput() throws Exception {
        Path j = tmp.resolve("j");
        assertEquals(0, run("jacobian", "--region", "eyes", "--grid", "32", "--out", j.toString(), "--quiet").code());
        Path bad = tmp.resolve("bad.npy");
        Npy.writeFloat64(bad, new double[9], 3, 3);
        Path o = tmp.resolve("o");
        String[][] cases = {
                {"solve", "--fg", j.resolve("eyes_A.npy").toString(), "--bg", bad.toString(), "--out", o.toString()},
                {"solve", "--fg", j.resolve("eyes_A.npy").toString(), "--out", o.toString()},
                {"solve", "--fg", tmp.resolve("missing.npy").toString(), "--bg", bad.toString(), "--out", o.toString()},
                {"solve", "--jacobian", bad.toString(), "--region", "eyes", "--out", o.toString()},
                {"solve", "--fg", bad.toString(), "--bg", bad.toString(), "--method", "nope", "--out", o.toString()},
                {"solve", "--fg", bad.toString(), "--bg", bad.toString(), "--out", o.toString()}, // B = 0
                {"discover", "--region", "300,300,10,10", "--out", o.toString(), "--quiet"},
        };
        for (String[] c : cases) {
            CliRun r = run(c);
            assertEquals(2, r.code(), String.join(" ", c) + " -> " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(Files.exists(o), "no output for " + String.join(" ", c));
        }
    }
}
