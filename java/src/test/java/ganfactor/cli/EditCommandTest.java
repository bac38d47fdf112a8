package ganfactor.cli;

import ganfactor.TestSupport;
import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import ganfactor.torch.Torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** {@code ganfactor edit} in-process: its files, and bad input rejected with exit 2 and nothing written. */
class EditCommandTest {
    @TempDir
    Path tmp;

    static CliRun run(String... args) {
        return CliRun.run(args);
    }

    /** Rows 8 (eyes block) and 0 (global block) of the demo's planted basis, as float32 [2, 64]. */
    Path plantedDirections() {
        double[] q = Torch.toDoubles(TestSupport.demo32().tensorAttr("planted_basis"));
        double[] rows = new double[128];
        System.arraycopy(q, 8 * 64, rows, 0, 64);
        System.arraycopy(q, 0, rows, 64, 64);
        Path f = tmp.resolve("dirs.npy");
        Npy.writeFloat32(f, rows, 2, 64);
        return f;
    }

    @Test
    void editWritesGridsCodesAndLocality() throws Exception {
        Path dirs = plantedDirections();
        Path out = tmp.resolve("e");
        CliRun r = run("edit", "--direction", dirs.toString(), "--index", "0,1", "--num", "2", "--strengths", "-2,0,2",
                "--layers", "4-7", "--space", "wp", "--truncation", "0.7", "--region", "mask:eyes", "--cell", "64", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        for (String f : new String[]{"grid_0.png", "grid_1.png", "edited_0.npy", "edited_1.npy", "originals.npy", "locality_0.csv",
                "locality_0.png", "locality_1.csv", "locality_1.png", "mask_eyes.png", "edit.json"})
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        BufferedImage grid = ImageIO.read(out.resolve("grid_0.png").toFile());
        assertTrue(grid.getWidth() >= 4 * 64 && grid.getWidth() < 4 * 64 + 120, "grid width " + grid.getWidth());
        NpyArray edited = Npy.read(out.resolve("edited_0.npy")), orig = Npy.read(out.resolve("originals.npy"));
        assertArrayEquals(new long[]{2, 3, 8, 64}, edited.shape());
        assertArrayEquals(new long[]{2, 8, 64}, orig.shape());
        // strength 0 (column 1) is the original code
        assertArrayEquals(Arrays.copyOfRange(orig.data(), 0, 512), Arrays.copyOfRange(edited.data(), 512, 1024));
        assertEquals(1 + 2 * 3, Files.readAllLines(out.resolve("locality_0.csv")).size());
        String json = Files.readString(out.resolve("edit.json"));
        assertTrue(json.contains("\"ratio\"") && json.contains("\"mode\": \"relative\"") && json.contains("\"psi\": 0.7"), json);
        assertTrue(r.out().contains("direction 0") && r.out().contains("inside/outside"), r.out());
    }

    @Test
    void badInputExitsTwoAndWritesNothing() throws Exception {
        Path dirs = plantedDirections();
        Path out = tmp.resolve("x");
        Path junk = tmp.resolve("junk.npy");
        Files.writeString(junk, "junk");
        Path wrong = tmp.resolve("wrong.npy");
        Npy.writeFloat64(wrong, new double[10], 2, 5);
        Path wp = tmp.resolve("wp.npy");
        double[] v = new double[512];
        v[3] = 1;
        Npy.writeFloat64(wp, v, 1, 512);
        String[][] cases = {
                {"no such file", "--direction", tmp.resolve("none.npy").toString()},
                {"not a .npy", "--direction", junk.toString()},
                {"expected directions of shape [k, 64]", "--direction", wrong.toString()},
                {"cannot edit Z codes", "--direction", wp.toString(), "--space", "z"},
                {"'6-8' is out of range 0-7", "--direction", dirs.toString(), "--layers", "6-8"},
                {"bad strengths", "--direction", dirs.toString(), "--strengths", "1:2"},
                {"'5' is out of range", "--direction", dirs.toString(), "--index", "5"},
                {"unknown edit mode", "--direction", dirs.toString(), "--mode", "sideways"},
                {"outside the 256x256 view", "--direction", dirs.toString(), "--region", "250,128,20,40"},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length + 4];
            args[0] = "edit";
            System.arraycopy(c, 1, args, 1, c.length - 1);
            args[c.length] = "--out";
            args[c.length + 1] = out.toString();
            args[c.length + 2] = "--num";
            args[c.length + 3] = "1";
            CliRun r = run(args);
            assertEquals(2, r.code(), c[0] + ": " + r.err());
            assertTrue(r.err().contains(c[0]), c[0] + " in: " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(Files.exists(out), c[0] + ": output folder left behind");
        }
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains("partial")), "no staging folder left behind");
        }
    }
}
