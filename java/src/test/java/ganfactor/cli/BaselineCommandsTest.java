package ganfactor.cli;

import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import ganfactor.method.PlantedLinear;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The sefa and ganspace commands: files and shapes, and one-line exit-2 errors that write nothing. */
class BaselineCommandsTest {
    @TempDir
    Path tmp;

    static CliTest.Run run(String... args) {
        return CliTest.run(args);
    }

    static void assertUnitRows(NpyArray a) {
        int k = (int) a.shape()[0], d = (int) a.shape()[1];
        for (int i = 0; i < k; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) s += a.data()[i * d + j] * a.data()[i * d + j];
            assertEquals(1, s, 1e-6, "row " + i);
        }
    }

    @Test
    void sefaWritesDirectionsEigenvaluesAndRecord() throws Exception {
        Path out = tmp.resolve("sefa");
        CliTest.Run r = run("sefa", "--model", "demo", "--layers", "0-3", "--k", "10", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        NpyArray dirs = Npy.read(out.resolve("directions.npy")), vals = Npy.read(out.resolve("eigenvalues.npy"));
        assertArrayEquals(new long[]{10, 64}, dirs.shape());
        assertEquals("<f4", dirs.dtype());
        assertArrayEquals(new long[]{10}, vals.shape());
        assertUnitRows(dirs);
        for (int i = 1; i < 10; i++) assertTrue(vals.data()[i] <= vals.data()[i - 1]);
        String json = Files.readString(out.resolve("sefa.json"));
        assertTrue(json.contains("\"method\": \"sefa\""), json);
        assertTrue(json.contains("\"layers\": [0, 1, 2, 3]"), json);
        assertTrue(json.contains("\"sum_channels\": 480"), json);
    }

    @Test
    void ganspaceWritesDirectionsVariancesStdsAndMean() throws Exception {
        Path out = tmp.resolve("gs");
        CliTest.Run r = run("ganspace", "--model", "demo", "--samples", "2000", "--batch", "300", "--seed", "1", "--k", "16", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        NpyArray dirs = Npy.read(out.resolve("directions.npy"));
        assertArrayEquals(new long[]{16, 64}, dirs.shape());
        assertUnitRows(dirs);
        NpyArray vals = Npy.read(out.resolve("eigenvalues.npy")), stds = Npy.read(out.resolve("stds.npy"));
        assertArrayEquals(new long[]{16}, vals.shape());
        assertArrayEquals(new long[]{16}, stds.shape());
        for (int i = 0; i < 16; i++) assertEquals(Math.sqrt(vals.data()[i]), stds.data()[i], 1e-12);
        assertArrayEquals(new long[]{64}, Npy.read(out.resolve("mean.npy")).shape());
        String json = Files.readString(out.resolve("ganspace.json"));
        assertTrue(json.contains("\"method\": \"ganspace\""), json);
        assertTrue(json.contains("\"samples\": 2000"), json);
    }

    @Test
    void badInputExitsTwoWithOneLineAndWritesNothing() {
        Path planted = tmp.resolve("planted.pt"), noMap = tmp.resolve("nomap.pt");
        new PlantedLinear(3).save(planted, true);
        new PlantedLinear(3).save(noMap, false);
        Path out = tmp.resolve("x");
        String[][] cases = {
                {"sefa", "--layers", "9", "--out", out.toString()},
                {"sefa", "--layers", "3-1", "--out", out.toString()},
                {"sefa", "--k", "65", "--out", out.toString()},
                {"sefa", "--model", planted.toString(), "--out", out.toString()},
                {"ganspace", "--samples", "10", "--k", "16", "--out", out.toString(), "--quiet"},
                {"ganspace", "--k", "65", "--samples", "100", "--out", out.toString(), "--quiet"},
                {"ganspace", "--model", noMap.toString(), "--out", out.toString(), "--quiet"},
        };
        String[] expect = {"--layers", "runs backwards", "--k", "style_affines", "--samples", "--k", "mapping"};
        for (int i = 0; i < cases.length; i++) {
            CliTest.Run r = run(cases[i]);
            String what = String.join(" ", cases[i]) + " -> " + r.err();
            assertEquals(2, r.code(), what);
            assertTrue(r.err().contains(expect[i]), what);
            assertEquals(1, r.err().strip().lines().count(), what);
            assertFalse(Files.exists(out), what);
            try (var s = Files.list(tmp)) {
                assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".x.partial")), what);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
