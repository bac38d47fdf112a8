package ganfactor.io;

import ganfactor.InputException;
import ganfactor.TestSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class NpyTest {
    @TempDir
    Path tmp;

    static List<Path> fixtureFiles() throws Exception {
        Path f = TestSupport.fixtures();
        TestSupport.requirePresent(f != null, "../shared/fixtures beside the checkout (fixture round-trips)");
        try (Stream<Path> s = Files.walk(f)) {
            // official-stylegan2/ holds golden arrays of other shapes (images, Grams), checked by OfficialParityTest
            return s.filter(p -> p.toString().endsWith(".npy") && !p.toString().contains("official-stylegan2")).sorted().toList();
        }
    }

    /** Every shipped boundary and direction reads as [1, 512] unit vectors and round-trips bit for bit. */
    @Test
    void fixturesRoundTrip() throws Exception {
        List<Path> files = fixtureFiles();
        assertTrue(files.size() >= 50, "fixtures: " + files.size());
        for (Path p : files) {
            NpyArray a = Npy.read(p);
            assertArrayEquals(new long[]{1, 512}, a.shape(), p.toString());
            assertTrue(a.dtype().equals("<f4") || a.dtype().equals("<f8"), a.dtype());
            double n = 0;
            for (double v : a.data()) n += v * v;
            assertEquals(1.0, Math.sqrt(n), a.dtype().equals("<f4") ? 1e-5 : 1e-9, p.toString());
            Path out = tmp.resolve(p.getFileName());
            Npy.write(out, a);
            NpyArray b = Npy.read(out);
            assertArrayEquals(a.data(), b.data());
            assertEquals(a.dtype(), b.dtype());
            // same data bytes as the original file (headers may differ in padding only)
            byte[] x = Files.readAllBytes(p), y = Files.readAllBytes(out);
            int bytes = a.data().length * (a.dtype().equals("<f4") ? 4 : 8);
            assertArrayEquals(java.util.Arrays.copyOfRange(x, x.length - bytes, x.length), java.util.Arrays.copyOfRange(y, y.length - bytes, y.length), p.toString());
        }
    }

    @Test
    void shapesDtypesAndFortranOrder() {
        double[] v = {1, 2, 3, 4, 5, 6};
        Path p = tmp.resolve("a.npy");
        Npy.write(p, new NpyArray(v, new long[]{2, 3}, "<i8"));
        assertArrayEquals(v, Npy.read(p).data());
        Npy.writeFloat32(p, v, 6);
        assertArrayEquals(new long[]{6}, Npy.read(p).shape());
        // hand-made Fortran-order big-endian float64 [2, 3]: column-major 1 4 2 5 3 6
        String h = "{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3), }";
        byte[] head = Npy.header("<f8", new long[]{2, 3});
        String text = h + " ".repeat(head.length - 10 - h.length() - 1) + "\n";
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(10 + text.length() + 48);
        bb.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        bb.order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort((short) text.length());
        bb.put(text.getBytes()).order(java.nio.ByteOrder.BIG_ENDIAN);
        for (double d : new double[]{1, 4, 2, 5, 3, 6}) bb.putDouble(d);
        NpyArray f = Npy.parse(bb.array(), "f.npy");
        assertArrayEquals(v, f.data());
    }

    @Test
    void corruptFilesAreClearErrors() throws Exception {
        Path p = tmp.resolve("bad.npy");
        Files.writeString(p, "hello world, not numpy");
        assertTrue(assertThrows(InputException.class, () -> Npy.read(p)).getMessage().contains("not a .npy"));
        Npy.writeFloat64(p, new double[100], 10, 10);
        byte[] all = Files.readAllBytes(p);
        Files.write(p, java.util.Arrays.copyOf(all, all.length - 8));
        assertTrue(assertThrows(InputException.class, () -> Npy.read(p)).getMessage().contains("truncated"));
        assertTrue(assertThrows(InputException.class, () -> Npy.read(tmp.resolve("none.npy"))).getMessage().contains("no such file"));
    }
}
