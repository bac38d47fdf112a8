package ganfactor.io;

import ganfactor.Engine;
import ganfactor.InputException;
import ganfactor.torch.Torch;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static ganfactor.io.WeightFilesTest.assertSameTensor;
import static ganfactor.io.WeightFilesTest.bytes;
import static ganfactor.io.WeightFilesTest.le64;
import static ganfactor.io.WeightFilesTest.randomBits;
import static org.bytedeco.pytorch.global.torch.ScalarType;
import static org.junit.jupiter.api.Assertions.*;

class SafetensorsTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void init() {
        Engine.init(0);
    }

    /** Every dtype, random bit patterns (NaN payloads, subnormals, infinities for the float types), odd shapes: bitwise equal after a round trip. */
    @Test
    void roundTripEveryDtypeBitwise() throws Exception {
        Random r = new Random(3);
        Map<String, Tensor> in = new LinkedHashMap<>();
        ScalarType[] types = {ScalarType.Double, ScalarType.Float, ScalarType.Half, ScalarType.BFloat16, ScalarType.Long,
                ScalarType.Int, ScalarType.Short, ScalarType.Char, ScalarType.Byte, ScalarType.Bool};
        for (ScalarType t : types) {
            in.put(t.name() + ".matrix", randomBits(r, t, 3, 5, 2));
            in.put(t.name() + ".scalar", randomBits(r, t));
            in.put(t.name() + ".empty", randomBits(r, t, 0, 3));
        }
        // a non-contiguous view is written in C order of its logical layout
        Tensor base = randomBits(r, ScalarType.Float, 4, 6);
        in.put("transposed", base.t());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("quote\"and\\newline\n", "ünïcödé ✓ \u0001");
        Path f = tmp.resolve("all.safetensors");
        Safetensors.write(f, in, meta);
        byte[] file = Files.readAllBytes(f);
        long n = java.nio.ByteBuffer.wrap(file, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to 8 bytes");
        String header = new String(file, 8, (int) n, StandardCharsets.UTF_8);
        String json = header.replaceAll(" +$", "");
        assertTrue(json.endsWith("}") && header.length() - json.length() < 8, "padded with fewer than 8 spaces");
        Safetensors.Contents c = Safetensors.read(f);
        assertEquals(meta, c.metadata());
        assertEquals(List.copyOf(in.keySet()), List.copyOf(c.tensors().keySet()), "file order kept");
        for (Map.Entry<String, Tensor> e : in.entrySet()) assertSameTensor(e.getValue().contiguous(), c.tensors().get(e.getKey()), e.getKey());
        assertArrayEquals(new long[]{}, Torch.shape(c.tensors().get("Float.scalar")));
        assertArrayEquals(new long[]{0, 3}, Torch.shape(c.tensors().get("BFloat16.empty")));
        assertArrayEquals(new long[]{6, 4}, Torch.shape(c.tensors().get("transposed")));
        assertTrue(torch.equal(base.t().contiguous(), c.tensors().get("transposed")));
        // writing the read tensors again gives the same bytes
        Path g = tmp.resolve("again.safetensors");
        Safetensors.write(g, c.tensors(), c.metadata());
        assertArrayEquals(file, Files.readAllBytes(g));
        for (Tensor t : c.tensors().values()) t.close();
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().endsWith(".partial")).toList(), "no temporary files left");
        }
        // permissions follow the umask like any new file (not a temporary file's 0600)
        Path plain = Files.createFile(tmp.resolve("plain"));
        if (Files.getFileStore(tmp).supportsFileAttributeView("posix"))
            assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(f));
    }

    @Test
    void writeIsAtomicAndRejectsUnsupportedDtypes() throws Exception {
        Path f = tmp.resolve("w.safetensors");
        Safetensors.write(f, Map.of("a", Torch.of(new float[]{1}, 1)));
        byte[] before = Files.readAllBytes(f);
        Map<String, Tensor> bad = new LinkedHashMap<>();
        bad.put("ok", Torch.of(new float[]{2}, 1));
        bad.put("complex", torch.zeros(new long[]{2}, Torch.options(ScalarType.ComplexFloat)));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(f, bad));
        assertArrayEquals(before, Files.readAllBytes(f), "a failed write leaves the old file");
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(f, Map.of("__metadata__", Torch.of(new float[]{2}, 1))));
    }

    /**
     * resources/weights/golden.safetensors was written field by field from the spec by
     * make_fixtures.py (numpy + struct + json): the reader gets its values, and the writer
     * reproduces it byte for byte from the same tensors.
     */
    @Test
    void goldenFileFromPython() throws Exception {
        Path golden = WeightFilesTest.resource("golden.safetensors");
        Safetensors.Contents c = Safetensors.read(golden);
        assertEquals(Map.of("format", "pt", "note", "golden"), c.metadata());
        assertEquals(List.of("a", "b", "c", "d"), List.copyOf(c.tensors().keySet()));
        Tensor a = c.tensors().get("a"), b = c.tensors().get("b"), h = c.tensors().get("c"), d = c.tensors().get("d");
        assertEquals(ScalarType.Float.value, a.scalar_type().value);
        assertArrayEquals(new long[]{2, 3}, Torch.shape(a));
        assertArrayEquals(new double[]{1.0, -2.0, 0.5, 3.25, 0.0, -0.0}, Torch.toDoubles(a));
        assertEquals(0x80000000, Float.floatToRawIntBits((float) Torch.toDoubles(a)[5]), "-0.0 kept");
        assertEquals(ScalarType.Long.value, b.scalar_type().value);
        long[] bv = new long[3];
        new org.bytedeco.javacpp.LongPointer(b.data_ptr()).capacity(3).get(bv);
        assertArrayEquals(new long[]{1, 1L << 40, -3}, bv);
        assertEquals(ScalarType.Half.value, h.scalar_type().value);
        assertArrayEquals(new double[]{1.5, -65504.0}, Torch.toDoubles(h));
        assertEquals(ScalarType.Bool.value, d.scalar_type().value);
        assertArrayEquals(new long[]{}, Torch.shape(d));
        assertArrayEquals(new byte[]{1}, bytes(d));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "golden");
        Path mine = tmp.resolve("mine.safetensors");
        Safetensors.write(mine, c.tensors(), meta);
        assertArrayEquals(Files.readAllBytes(golden), Files.readAllBytes(mine), "byte-identical to the spec-built file");
    }

    // ---- corrupt files: each an InputException, one line, naming the file (and the tensor) ----

    private Path file(String name, byte[]... parts) throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.write(p);
        Path f = tmp.resolve(name);
        Files.write(f, o.toByteArray());
        return f;
    }

    private Path st(String name, String header, int dataBytes) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return file(name, le64(h.length), h, new byte[dataBytes]);
    }

    private static String fails(Path f) {
        InputException e = assertThrows(InputException.class, () -> Safetensors.read(f), f.toString());
        String m = e.getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        assertTrue(m.startsWith(f.toString() + ": "), "names the file: " + m);
        // the dispatching entry point gives the same answer, or (when the start does not look like safetensors) says what it is not
        InputException w = assertThrows(InputException.class, () -> WeightFiles.read(f, null));
        assertTrue(w.getMessage().startsWith(f.toString()), w.getMessage());
        return m;
    }

    private static void failsNaming(Path f, String tensor, String what) {
        String m = fails(f);
        assertTrue(m.contains("'" + tensor + "'"), "names the tensor: " + m);
        assertTrue(m.contains(what), "says '" + what + "': " + m);
    }

    @Test
    void corruptFilesAreInputErrors() throws Exception {
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        Safetensors.read(st("ok.safetensors", ok, 8)).tensors().values().forEach(Tensor::close); // the control case reads

        assertTrue(fails(tmp.resolve("missing.safetensors")).contains("no such file"));
        assertTrue(fails(file("empty.safetensors")).contains("shorter than the 8-byte header length"));
        assertTrue(fails(file("five.safetensors", new byte[5])).contains("shorter"));
        byte[] okBytes = Files.readAllBytes(tmp.resolve("ok.safetensors"));
        assertTrue(fails(file("trunc-header.safetensors", java.util.Arrays.copyOf(okBytes, 30))).contains("header length"));
        assertTrue(fails(file("trunc-data.safetensors", java.util.Arrays.copyOf(okBytes, okBytes.length - 3))).contains("'a'"));
        assertTrue(fails(file("huge-header.safetensors", le64(-1), new byte[16])).contains("implausible"));
        assertTrue(fails(file("long-header.safetensors", le64(1000), "{}".getBytes(StandardCharsets.US_ASCII))).contains("header length 1000"));
        assertTrue(fails(st("json.safetensors", "{\"a\":{\"dtype\":\"F32\",", 0)).contains("malformed safetensors header"));
        assertTrue(fails(st("array.safetensors", "[1, 2]  ", 0)).contains("'{'"));
        assertTrue(fails(file("utf8.safetensors", le64(4), new byte[]{'{', (byte) 0xff, (byte) 0xfe, '}'})).contains("UTF-8"));
        Random r = new Random(5);
        for (int k = 0; k < 20; k++) {
            byte[] junk = new byte[1 + r.nextInt(200)];
            r.nextBytes(junk);
            fails(file("junk" + k + ".safetensors", junk));
        }
        failsNaming(st("dtype.safetensors", "{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2), "a", "unsupported dtype 'F8_E4M3'");
        failsNaming(st("size.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "a", "needs 12");
        failsNaming(st("overlap.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "b", "overlap");
        failsNaming(st("hole.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "a", "hole");
        assertTrue(fails(st("tail.safetensors", ok, 12)).contains("4 bytes after the last tensor"));
        failsNaming(st("past.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8), "a", "truncated");
        failsNaming(st("dup.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "a", "duplicate");
        failsNaming(st("neg.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "a", "non-negative integers");
        failsNaming(st("frac.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4), "a", "non-negative integers");
        failsNaming(st("backwards.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4), "a", "end before");
        failsNaming(st("noshape.safetensors", "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "a", "shape");
        failsNaming(st("offs3.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4), "a", "2 entries");
        failsNaming(st("overflow.safetensors", "{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8), "a", "too large");
        failsNaming(st("extra.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4), "a", "unknown header field");
        assertTrue(fails(st("meta.safetensors", "{\"__metadata__\":{\"k\":1}}", 0)).contains("'k'"));
    }

    @Test
    void jsonReaderIsStrict() {
        assertEquals(Map.of("a", List.of(1L, -2L, 2.5, true, false), "b", "x\"\\/\b\f\n\r\t\u00e9\ud83d\ude00"),
                JsonReader.parse(" {\"a\": [1, -2, 2.5e0, true, false], \"b\": \"x\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"} "));
        assertNull(JsonReader.parse("null"));
        for (String bad : new String[]{"", "{", "{\"a\":1,}", "[1,]", "{\"a\":1} x", "01", "1.", "-", "\"\\x\"", "\"a\nb\"",
                "{\"a\":1,\"a\":2}", "\"\\ud800\"", "tru", "{a:1}", "[".repeat(100) + "]".repeat(100)})
            assertThrows(IllegalArgumentException.class, () -> JsonReader.parse(bad), bad);
    }
}
