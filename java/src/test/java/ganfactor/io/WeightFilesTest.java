package ganfactor.io;

import ganfactor.Engine;
import ganfactor.InputException;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.ByteVector;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.bytedeco.pytorch.global.torch.ScalarType;
import static org.junit.jupiter.api.Assertions.*;

/** torch.save checkpoints (LibTorch's pickle_save and a Python-made imitation) and the format dispatch. */
class WeightFilesTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void init() {
        Engine.init(0);
    }

    static Path resource(String name) throws Exception {
        return Path.of(WeightFilesTest.class.getResource("/weights/" + name).toURI());
    }

    /** The raw bytes of a tensor (contiguous, CPU): bitwise comparisons, NaN payloads included. */
    static byte[] bytes(Tensor t) {
        try (PointerScope s = new PointerScope()) {
            Tensor c = t.contiguous();
            byte[] out = new byte[(int) c.nbytes()];
            if (out.length > 0) new BytePointer(c.data_ptr()).capacity(out.length).get(out);
            return out;
        }
    }

    static void assertSameTensor(Tensor expected, Tensor actual, String name) {
        assertEquals(expected.scalar_type().value, actual.scalar_type().value, name + " dtype");
        assertArrayEquals(Torch.shape(expected), Torch.shape(actual), name + " shape");
        assertArrayEquals(bytes(expected), bytes(actual), name + " bytes");
        assertEquals("cpu", actual.device().str().getString(), name + " device");
        assertTrue(actual.is_contiguous(), name + " contiguous");
    }

    /** Random bit patterns reinterpreted as {@code type} (so NaN payloads and subnormals are covered for floats). */
    static Tensor randomBits(Random r, ScalarType type, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        int size = switch (type) {
            case Double, Long -> 8;
            case Float, Int -> 4;
            case Half, BFloat16, Short -> 2;
            default -> 1;
        };
        long[] v = new long[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = r.nextLong();
        Tensor raw = Torch.ofLong(v, shape);
        return switch (size) {
            case 8 -> raw.view(type).clone();
            case 4 -> raw.to(ScalarType.Int).view(type).clone();
            case 2 -> raw.to(ScalarType.Short).view(type).clone();
            default -> type == ScalarType.Bool ? raw.remainder(new org.bytedeco.pytorch.Scalar(2)).to(ScalarType.Bool)
                    : raw.to(type);
        };
    }

    /** A nested Dict[str, Dict[str, Tensor]] IValue made by TorchScript (the preset has no public GenericDict constructor). */
    static Map<String, Tensor> buildAndSave(Path file) {
        Random r = new Random(11);
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("w", randomBits(r, ScalarType.Float, 4, 3));
        p.put("b", randomBits(r, ScalarType.Float, 4));
        p.put("h", randomBits(r, ScalarType.Half, 2, 2));
        p.put("bf", randomBits(r, ScalarType.BFloat16, 5));
        p.put("dd", randomBits(r, ScalarType.Double, 3));
        p.put("n", randomBits(r, ScalarType.Long, 2));
        p.put("s", randomBits(r, ScalarType.Float));
        p.put("e", torch.zeros(new long[]{0, 3}, Torch.options(ScalarType.Float)));
        p.put("d", randomBits(r, ScalarType.Float, 2, 2));
        JitModule m = new JitModule(new QualifiedName("SD"));
        for (Map.Entry<String, Tensor> e : p.entrySet()) m.register_parameter(e.getKey(), e.getValue(), true);
        m.define("""
                def sd(self) -> Dict[str, Dict[str, Tensor]]:
                    return {'g': {'style.1.weight': self.d},
                            'g_ema': {'style.1.weight': self.w, 'style.1.bias': self.b, 'conv.h': self.h, 'conv.bf': self.bf,
                                      'conv.dd': self.dd, 'steps': self.n, 'scale': self.s, 'empty': self.e},
                            'd': {'x': self.d}}
                """);
        IValue v = m.get_method("sd").apply(new IValueVector());
        ByteVector bv = torch.pickle_save(v);
        try {
            Files.write(file, bv.get());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return p;
    }

    @Test
    void pickleSaveRoundTripIsBitwise() {
        Path f = tmp.resolve("ckpt.pt");
        Map<String, Tensor> p = buildAndSave(f);
        try (WeightFiles.Weights w = WeightFiles.read(f, null)) {
            assertEquals("torch.save", w.format());
            assertEquals("g_ema", w.keyPath(), "g_ema is picked before g and d");
            assertEquals(List.of("style.1.weight", "style.1.bias", "conv.h", "conv.bf", "conv.dd", "steps", "scale", "empty"),
                    List.copyOf(w.tensors().keySet()), "file order kept");
            assertSameTensor(p.get("w"), w.require("style.1.weight"), "style.1.weight");
            assertSameTensor(p.get("b"), w.require("style.1.bias"), "bias");
            assertSameTensor(p.get("h"), w.require("conv.h"), "f16");
            assertSameTensor(p.get("bf"), w.require("conv.bf"), "bf16");
            assertSameTensor(p.get("dd"), w.require("conv.dd"), "f64");
            assertSameTensor(p.get("n"), w.require("steps"), "i64");
            assertSameTensor(p.get("s"), w.require("scale"), "scalar");
            assertArrayEquals(new long[]{0, 3}, Torch.shape(w.require("empty")));
            InputException e = assertThrows(InputException.class, () -> w.require("nope"));
            assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains(f.toString()), e.getMessage());
        }
        try (WeightFiles.Weights w = WeightFiles.read(f, "d")) {
            assertEquals(List.of("x"), List.copyOf(w.tensors().keySet()));
            assertSameTensor(p.get("d"), w.require("x"), "d/x");
        }
        InputException e = assertThrows(InputException.class, () -> WeightFiles.read(f, "G_ema"));
        assertTrue(e.getMessage().contains("no key 'G_ema'") && e.getMessage().contains("g_ema"), e.getMessage());
        e = assertThrows(InputException.class, () -> WeightFiles.read(f, "g_ema/steps"));
        assertTrue(e.getMessage().contains("'steps' is not a dict"), e.getMessage());
    }

    @Test
    void nestedKeyPathsAndTopLevelDicts() {
        JitModule m = new JitModule(new QualifiedName("N"));
        Tensor a = Torch.of(new float[]{1, 2, 3}, 3);
        m.register_parameter("a", a, true);
        m.define("""
                def sd(self) -> Dict[str, Dict[str, Dict[str, Tensor]]]:
                    return {'outer': {'inner': {'a': self.a}}}
                def flat(self) -> Dict[str, Tensor]:
                    return {'mapping.fc0.weight': self.a, 'w_avg': self.a}
                """);
        Path nested = tmp.resolve("nested.pt"), flat = tmp.resolve("flat.pt");
        try {
            Files.write(nested, torch.pickle_save(m.get_method("sd").apply(new IValueVector())).get());
            Files.write(flat, torch.pickle_save(m.get_method("flat").apply(new IValueVector())).get());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (WeightFiles.Weights w = WeightFiles.read(nested, "outer/inner")) {
            assertSameTensor(a, w.require("a"), "outer/inner/a");
        }
        InputException e = assertThrows(InputException.class, () -> WeightFiles.read(nested, null));
        assertTrue(e.getMessage().contains("holds dicts") && e.getMessage().contains("outer"), e.getMessage());
        e = assertThrows(InputException.class, () -> WeightFiles.read(nested, "outer"));
        assertTrue(e.getMessage().contains("outer/inner"), e.getMessage());
        try (WeightFiles.Weights w = WeightFiles.read(flat, "")) {
            assertEquals("", w.keyPath());
            assertEquals(List.of("mapping.fc0.weight", "w_avg"), List.copyOf(w.tensors().keySet()));
            assertEquals(6, w.numel());
        }
    }

    /**
     * A file laid out like Python's torch.save of rosinality's converted checkpoint
     * {'g': state_dict, 'g_ema': state_dict, 'latent_avg': tensor}, made without torch by
     * resources/weights/make_fixtures.py: OrderedDicts with _metadata, _rebuild_tensor_v2,
     * persistent storage ids. The auto pick takes g_ema and adds latent_avg from beside it.
     */
    @Test
    void pythonTorchSaveLayoutReads() throws Exception {
        Path f = resource("torchsave_like.pt");
        Map<?, ?> expected = (Map<?, ?>) JsonReader.parse(Files.readString(resource("torchsave_like.expected.json")));
        try (WeightFiles.Weights w = WeightFiles.read(f, null)) {
            assertEquals("g_ema", w.keyPath());
            assertEquals(List.of("style.1.weight", "style.1.bias", "noises.noise_0", "conv.scale", "steps", "latent_avg"),
                    List.copyOf(w.tensors().keySet()));
            for (Map.Entry<?, ?> e : expected.entrySet()) {
                Map<?, ?> spec = (Map<?, ?>) e.getValue();
                Tensor t = w.require((String) e.getKey());
                long[] shape = ((List<?>) spec.get("shape")).stream().mapToLong(x -> (Long) x).toArray();
                assertArrayEquals(shape, Torch.shape(t), (String) e.getKey());
                List<?> vals = (List<?>) spec.get("values");
                if (t.scalar_type().value == ScalarType.Long.value) {
                    long[] got = new long[(int) t.numel()];
                    new org.bytedeco.javacpp.LongPointer(t.data_ptr()).capacity(got.length).get(got);
                    for (int i = 0; i < got.length; i++) assertEquals((Long) vals.get(i), got[i], e.getKey() + "[" + i + "]");
                } else {
                    double[] got = Torch.toDoubles(t);
                    for (int i = 0; i < got.length; i++) {
                        double x = ((Number) vals.get(i)).doubleValue();
                        // json holds the float32 values widened to double: exact
                        assertEquals(x, got[i], 0.0, e.getKey() + "[" + i + "]");
                    }
                }
            }
            assertEquals(ScalarType.Float.value, w.require("style.1.weight").scalar_type().value);
            assertEquals(ScalarType.Double.value, w.require("conv.scale").scalar_type().value);
            assertArrayEquals(new double[]{0, 1, 2}, Torch.toDoubles(w.require("latent_avg")));
        }
        try (WeightFiles.Weights w = WeightFiles.read(f, "g")) {
            assertEquals(List.of("style.1.weight", "latent_avg"), List.copyOf(w.tensors().keySet()));
        }
    }

    /**
     * A training checkpoint (make_fixtures.py): an argparse.Namespace (NEWOBJ + BUILD), optimizer
     * state with int keys, tuples and lists, an int; the generator's tensors view one storage
     * (row-major, transposed, and at an offset). Only g_ema comes back, views resolved.
     */
    @Test
    void trainingCheckpointWithPythonObjectsAndSharedStorage() throws Exception {
        Path f = resource("train_like.pt");
        try (WeightFiles.Weights w = WeightFiles.read(f, null)) {
            assertEquals("g_ema", w.keyPath());
            assertEquals(List.of("w", "w_t", "tail"), List.copyOf(w.tensors().keySet()));
            assertArrayEquals(new double[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, Torch.toDoubles(w.require("w")));
            assertArrayEquals(new long[]{4, 3}, Torch.shape(w.require("w_t")));
            assertArrayEquals(new double[]{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, Torch.toDoubles(w.require("w_t")));
            assertArrayEquals(new double[]{8, 9, 10, 11}, Torch.toDoubles(w.require("tail")));
            assertTrue(w.require("w_t").is_contiguous());
        }
        InputException e = assertThrows(InputException.class, () -> WeightFiles.read(f, "g_optim/state/0"));
        assertTrue(e.getMessage().contains("mixes tensors with other values") && e.getMessage().contains("step"), e.getMessage());
        e = assertThrows(InputException.class, () -> WeightFiles.read(f, "args"));
        assertTrue(e.getMessage().contains("'args' is not a dict"), e.getMessage());
        // a view reaching past its storage is refused before as_strided could read out of bounds
        Path oob = resource("view_out_of_bounds.pt");
        e = assertThrows(InputException.class, () -> WeightFiles.read(oob, null));
        assertTrue(e.getMessage().contains("runs past its storage"), e.getMessage());
    }

    /** Only the chosen state dict's storages are read: the discriminator's record is missing from lazy.pt. */
    @Test
    void onlyTheChosenTensorsAreRead() throws Exception {
        Path f = resource("lazy.pt");
        try (WeightFiles.Weights w = WeightFiles.read(f, null)) {
            assertArrayEquals(new double[]{1.5, 2.5}, Torch.toDoubles(w.require("a")));
        }
        InputException e = assertThrows(InputException.class, () -> WeightFiles.read(f, "d"));
        assertTrue(e.getMessage().contains("data/gone is missing"), e.getMessage());
    }

    @Test
    void safetensorsDispatchAndPrefix() {
        Path f = tmp.resolve("w.bin"); // content decides, not the name
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("g_ema.a", Torch.of(new float[]{1, 2}, 2));
        m.put("d.b", Torch.of(new float[]{3}, 1));
        Safetensors.write(f, m, Map.of("k", "v"));
        try (WeightFiles.Weights w = WeightFiles.read(f, null)) {
            assertEquals("safetensors", w.format());
            assertEquals(List.of("g_ema.a", "d.b"), List.copyOf(w.tensors().keySet()));
            assertEquals(Map.of("k", "v"), w.metadata());
        }
        try (WeightFiles.Weights w = WeightFiles.read(f, "g_ema")) {
            assertEquals(List.of("a"), List.copyOf(w.tensors().keySet()));
        }
        InputException e = assertThrows(InputException.class, () -> WeightFiles.read(f, "G"));
        assertTrue(e.getMessage().contains("'G.'"), e.getMessage());
    }

    @Test
    void expectReportsMissingMisShapedAndExtraByName() {
        Path f = tmp.resolve("w.safetensors");
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("a", Torch.of(new float[]{1, 2}, 2));
        m.put("b", Torch.of(new float[]{1, 2, 3, 4}, 2, 2));
        m.put("d.x", Torch.of(new float[]{1}, 1));
        m.put("junk", Torch.of(new float[]{1}, 1));
        Safetensors.write(f, m);
        try (WeightFiles.Weights w = WeightFiles.read(f, null)) {
            Map<String, long[]> ok = new LinkedHashMap<>();
            ok.put("a", new long[]{2});
            ok.put("b", new long[]{2, 2});
            w.expect(ok, n -> n.startsWith("d.") || n.equals("junk"));
            Map<String, long[]> want = new LinkedHashMap<>(ok);
            want.put("b", new long[]{4});
            want.put("c", new long[]{3});
            InputException e = assertThrows(InputException.class, () -> w.expect(want, n -> n.startsWith("d.")));
            String msg = e.getMessage();
            assertEquals(f + ": weights do not match the architecture: 1 missing: c; 1 wrong shape: b [2, 2] (expected [4]); 1 unexpected: junk;", msg);
            assertSame(w.require("a"), w.require("a", 2));
            e = assertThrows(InputException.class, () -> w.require("a", 3));
            assertTrue(e.getMessage().contains("'a' has shape [2], expected [3]"), e.getMessage());
        }
    }

    static String message(Path f) {
        InputException e = assertThrows(InputException.class, () -> WeightFiles.read(f, null));
        String m = e.getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        assertTrue(m.startsWith(f.toString()), "names the file: " + m);
        return m;
    }

    /** Pickle opcodes for a hand-made NVlabs-style network pickle (no Python needed). */
    private static final class PickleBytes {
        final java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        PickleBytes op(int... codes) { for (int c : codes) o.write(c); return this; }
        PickleBytes str(String v) {
            byte[] u = v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            op('X', u.length & 0xff, (u.length >> 8) & 0xff, 0, 0);
            o.writeBytes(u);
            return this;
        }
        PickleBytes global(String module, String name) { op('c'); o.writeBytes((module + "\n" + name + "\n").getBytes()); return this; }
        PickleBytes small(int v) { return op('K', v); }
        PickleBytes bytes(byte[] v) { op('C', v.length); o.writeBytes(v); return this; }
    }

    /**
     * An NVlabs network .pkl (protocol 2, built opcode by opcode as Python's pickle writes one: a
     * persistent object whose meta dict holds the class name, the module source and the state with
     * its EasyDict init kwargs and a tensor from embedded storage bytes) is refused with the one
     * conversion command, and the conv clamp of its init kwargs is named, read without running code.
     */
    @Test
    void nvlabsPickleIsRefusedWithItsClampAndTheConversionCommand() throws Exception {
        PickleBytes p = new PickleBytes();
        p.op(0x80, 2, '}', '(').str("G_ema");
        p.global("torch_utils.persistence", "_reconstruct_persistent_obj");
        p.op('}', '(').str("type").str("class").str("version").small(4).str("module_src").str("import torch\nclass Generator: ...\n")
                .str("class_name").str("training.networks.Generator").str("state");
        p.op('}', '(').str("_init_kwargs");
        p.op('}', '(').str("z_dim").op('J', 0, 2, 0, 0).str("synthesis_kwargs");
        p.global("dnnlib.util", "EasyDict").op(')', 0x81, '(').str("channel_base").op('J', 0, 0x80, 0, 0).str("conv_clamp").op('M', 0, 1).op('u', '}', 'b');
        p.op('u');   // end of _init_kwargs
        p.str("w_avg");
        p.global("torch._utils", "_rebuild_tensor_v2").op('(');
        p.global("torch.storage", "_load_from_bytes").bytes(new byte[]{1, 2, 3, 4, 5, 6, 7, 8}).op(0x85, 'R');
        p.small(0).small(2).op(0x85).small(1).op(0x85).op(0x89).global("collections", "OrderedDict").op(')', 'R', 't', 'R');
        p.op('u');   // end of state
        p.op('u');   // end of meta
        p.op(0x85, 'R', 'u', '.');
        Path f = tmp.resolve("network-snapshot.pkl");
        Files.write(f, p.o.toByteArray());
        String m = message(f);
        assertEquals(1, m.lines().count(), m);
        assertTrue(m.contains("G_ema is training.networks.Generator, conv_clamp 256 in its init kwargs"), m);
        assertTrue(m.contains("PYTHONPATH=/path/to/stylegan2-ada-pytorch python tools/save_safetensors.py " + f + " OUT.safetensors --trust-pickle"), m);
    }

    @Test
    void unreadableFormatsAreExplained() throws Exception {
        Path f = tmp.resolve("x.pt");
        assertTrue(message(f).contains("no such file"));
        Files.createDirectories(tmp.resolve("dir"));
        assertTrue(message(tmp.resolve("dir")).contains("folder"));
        Files.write(f, new byte[0]);
        assertTrue(message(f).contains("empty file"));
        // an NVlabs .pkl is a plain pickle (protocol 4 here: pickle.dumps({'G_ema': ...}))
        Files.write(f, new byte[]{(byte) 0x80, 4, (byte) 0x95, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x7d, (byte) 0x94, 0x2e});
        String m = message(f);
        assertTrue(m.contains("plain Python pickle") && m.contains("tools/save_safetensors.py"), m);
        // legacy torch.save: pickled magic number first
        Files.write(f, new byte[]{(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e});
        m = message(f);
        assertTrue(m.contains("legacy") && m.contains("tools/save_safetensors.py"), m);
        // a TorchScript module
        JitModule mod = new JitModule(new QualifiedName("M"));
        mod.register_parameter("w", Torch.of(new float[]{1}, 1), false);
        mod.define("def forward(self, x):\n    return x * self.w\n");
        mod.save(f.toString());
        m = message(f);
        assertTrue(m.contains("TorchScript") && m.contains("as the model (model " + f + ")"), m);
        // junk
        Files.write(f, "hello, world, not weights".getBytes(StandardCharsets.US_ASCII));
        assertTrue(message(f).contains("not a weight file"));
        // a zip with no data.pkl, a damaged zip, a truncated checkpoint
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(f))) {
            z.putNextEntry(new java.util.zip.ZipEntry("a/readme.txt"));
            z.write("hi".getBytes(StandardCharsets.US_ASCII));
        }
        assertTrue(message(f).contains("without data.pkl"));
        byte[] good = Files.readAllBytes(resource("torchsave_like.pt"));
        for (int cut : new int[]{good.length / 2, good.length - 30, 40}) {
            Files.write(f, java.util.Arrays.copyOf(good, cut));
            message(f);
        }
        // valid zip directory, damaged pickle inside (flip bytes in data.pkl's opcodes)
        byte[] bad = good.clone();
        int at = indexOf(bad, "collections".getBytes(StandardCharsets.US_ASCII));
        for (int i = at; i < at + 40; i++) bad[i] = (byte) 0xfe;
        Files.write(f, bad);
        m = message(f);
        assertTrue(m.contains("cannot read as a torch.save checkpoint") || m.contains("damaged"), m);
        // a pickle of a non-dict
        Files.write(f, torch.pickle_save(new IValue(Torch.of(new float[]{1}, 1))).get());
        assertTrue(message(f).contains("expected a dict of tensors"));
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }

    static byte[] le64(long n) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array();
    }
}
