package ganfactor.io;

import ganfactor.InputException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A restricted unpickler for the {@code data.pkl} of a torch.save zip archive, in the spirit of
 * PyTorch's own {@code weights_only} loader: it runs no code. It knows dicts, OrderedDicts,
 * lists, tuples, strings, numbers and the tensor rebuild functions
 * ({@code torch._utils._rebuild_tensor_v2}, {@code _rebuild_parameter}); every other global
 * becomes an opaque placeholder, so a checkpoint that also pickles, say, an
 * {@code argparse.Namespace} still yields its state dicts.
 *
 * <p>Why not LibTorch's {@code torch::pickle_load}: its unpickler turns every
 * {@code collections.OrderedDict} into None (it expects them only as tensors' backward hooks),
 * so the state dicts Python writes ({@code module.state_dict()} is an OrderedDict) fail with
 * "Expected GenericDict but got None".
 *
 * <p>Tensors stay unread ({@link Lazy}) until chosen; then their storages are read from the
 * archive's {@code data/<key>} records straight into native memory, and each tensor is a
 * contiguous copy of its view ({@code as_strided}, checked beforehand to lie inside the storage).
 */
final class TorchPickle {
    /** An opaque Python object (unknown global, or the result of calling one). */
    record Opaque(String what) {
        @Override
        public String toString() {
            return what;
        }
    }

    record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    record Tuple(List<Object> items) {}

    private record StorageRef(String key, ScalarType type, long numel) {}

    /** A tensor not read yet: a view (offset, size, stride) into a storage record. */
    record Lazy(StorageRef storage, long offset, long[] size, long[] stride) {}

    private static final Object MARK = new Object();
    private static final Map<String, ScalarType> STORAGES = new HashMap<>();

    static {
        STORAGES.put("FloatStorage", ScalarType.Float);
        STORAGES.put("DoubleStorage", ScalarType.Double);
        STORAGES.put("HalfStorage", ScalarType.Half);
        STORAGES.put("BFloat16Storage", ScalarType.BFloat16);
        STORAGES.put("LongStorage", ScalarType.Long);
        STORAGES.put("IntStorage", ScalarType.Int);
        STORAGES.put("ShortStorage", ScalarType.Short);
        STORAGES.put("CharStorage", ScalarType.Char);
        STORAGES.put("ByteStorage", ScalarType.Byte);
        STORAGES.put("BoolStorage", ScalarType.Bool);
    }

    private final ZipFile zip;
    private final String prefix;
    private final String f;
    private final byte[] b;
    private int i;
    private final List<Object> stack = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final Map<String, Tensor> storages = new HashMap<>();
    private Object root;
    /** Plain-pickle scan ({@link #scanPlain}): tensors become opaque, NVlabs' persistent objects their meta dicts. */
    private boolean lenient;

    private TorchPickle(ZipFile zip, String prefix, byte[] pickle, String f) {
        this.zip = zip;
        this.prefix = prefix;
        this.b = pickle;
        this.f = f;
    }

    /**
     * Unpickles {@code <prefix>data.pkl} in {@code zip} without reading any tensor data: tensors
     * are {@link Lazy} records (checked to lie inside their storages) until
     * {@link #materialize(Lazy)} reads them, so a training checkpoint costs only the tensors
     * that are used. The zip must stay open until materialization is done.
     */
    static TorchPickle parse(ZipFile zip, String prefix, String f) {
        ZipEntry bo = zip.getEntry(prefix + "byteorder");
        if (bo != null) {
            String order = new String(readAll(zip, bo, f), StandardCharsets.US_ASCII).strip();
            if (!order.equals("little")) throw new InputException(f + ": tensors stored in '" + order + "' byte order; ganfactor reads little-endian checkpoints");
        }
        ZipEntry data = zip.getEntry(prefix + "data.pkl");
        byte[] pickle = readAll(zip, data, f);
        TorchPickle p = new TorchPickle(zip, prefix, pickle, f);
        try {
            p.root = p.run();
            return p;
        } catch (IndexOutOfBoundsException | ClassCastException | ArithmeticException | NegativeArraySizeException | IllegalArgumentException e) {
            throw new InputException(f + ": damaged data.pkl (" + e.getClass().getSimpleName() + " at byte " + p.i + ")");
        }
    }

    /**
     * Scans a plain Python pickle (an NVlabs network {@code .pkl}) without running code and without
     * reading tensor data: each {@code torch_utils.persistence} object becomes its meta dict
     * ({@code class_name}, {@code state} with {@code _init_kwargs}, ...), {@code dnnlib.util.EasyDict}
     * a map, tensors {@link Opaque}. Enough to read what a network was built with (its conv clamp).
     */
    static Object scanPlain(byte[] pickle, String f) {
        TorchPickle p = new TorchPickle(null, "", pickle, f);
        p.lenient = true;
        try {
            return p.run();
        } catch (IndexOutOfBoundsException | ClassCastException | ArithmeticException | NegativeArraySizeException | IllegalArgumentException e) {
            throw new InputException(f + ": damaged pickle (" + e.getClass().getSimpleName() + " at byte " + p.i + ")");
        }
    }

    /** The unpickled object: maps, lists, {@link Tuple}s, {@link Lazy} tensors, strings, numbers, {@link Opaque}s. */
    Object root() {
        return root;
    }

    /**
     * Reads one tensor: a new contiguous CPU tensor, retained (the caller closes it). Storages
     * read on the way are cached for tensors that share them until {@link #releaseStorages()}.
     * Call inside a PointerScope.
     */
    Tensor materialize(Lazy l) {
        try {
            Tensor st = storage(l.storage());
            Tensor out = new Tensor(st.as_strided(l.size(), l.stride(), new LongOptional(l.offset())).contiguous());
            out.retainReference();
            return out;
        } catch (InputException e) {
            throw e;
        } catch (RuntimeException e) { // from LibTorch: allocation or view errors
            throw new InputException(f + ": cannot read tensor data from storage '" + l.storage().key() + "': " + WeightFiles.firstLine(e), e);
        }
    }

    private static byte[] readAll(ZipFile zip, ZipEntry e, String f) {
        if (e.getSize() > Integer.MAX_VALUE) throw new InputException(f + ": " + e.getName() + " is too large");
        try (InputStream in = zip.getInputStream(e)) {
            return in.readAllBytes();
        } catch (IOException ex) {
            throw new InputException(f + ": damaged archive record " + e.getName() + " (" + ex.getMessage() + ")");
        }
    }

    private InputException bad(String what) {
        return new InputException(f + ": damaged or unsupported data.pkl: " + what + " at byte " + i);
    }

    private int u8() {
        return b[i++] & 0xff;
    }

    private long le(int n) {
        long v = 0;
        for (int k = 0; k < n; k++) v |= (long) (b[i + k] & 0xff) << (8 * k);
        i += n;
        return v;
    }

    private String utf8(long n) {
        if (n < 0 || n > b.length - i) throw bad("string runs past the end");
        String s = new String(b, i, (int) n, StandardCharsets.UTF_8);
        i += (int) n;
        return s;
    }

    private String line() {
        int s = i;
        while (i < b.length && b[i] != '\n') i++;
        if (i >= b.length) throw bad("unterminated line");
        return new String(b, s, i++ - s, StandardCharsets.UTF_8);
    }

    private Object pop() {
        if (stack.isEmpty()) throw bad("stack underflow");
        Object o = stack.remove(stack.size() - 1);
        if (o == MARK) throw bad("unexpected mark");
        return o;
    }

    private Object top() {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) throw bad("stack underflow");
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        int m = stack.lastIndexOf(MARK);
        if (m < 0) throw bad("no mark");
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    @SuppressWarnings("unchecked")
    private Object run() {
        while (true) {
            if (i >= b.length) throw bad("no STOP opcode (truncated)");
            int op = u8();
            switch (op) {
                case 0x80 -> { // PROTO
                    int v = u8();
                    if (v > 5) throw bad("pickle protocol " + v);
                }
                case 0x95 -> le(8); // FRAME
                case '.' -> { // STOP
                    Object r = pop();
                    return r;
                }
                case '(' -> stack.add(MARK);
                case '0' -> pop();
                case '1' -> popMark();
                case '2' -> stack.add(top());
                case 'N' -> stack.add(null);
                case 0x88 -> stack.add(Boolean.TRUE);
                case 0x89 -> stack.add(Boolean.FALSE);
                case 'J' -> stack.add((long) (int) le(4));
                case 'K' -> stack.add((long) u8());
                case 'M' -> stack.add(le(2));
                case 0x8a -> stack.add(longN(u8()));
                case 0x8b -> stack.add(longN((int) le(4)));
                case 'G' -> {
                    stack.add(ByteBuffer.wrap(b, i, 8).order(ByteOrder.BIG_ENDIAN).getDouble());
                    i += 8;
                }
                case 'I' -> {
                    String s = line();
                    stack.add(s.equals("01") ? Boolean.TRUE : s.equals("00") ? Boolean.FALSE : (Object) Long.parseLong(s));
                }
                case 'X' -> stack.add(utf8(le(4)));
                case 0x8c -> stack.add(utf8(u8()));
                case 0x8d -> stack.add(utf8(le(8)));
                case 'T', 'B' -> stack.add(bytes(le(4)));
                case 'U', 'C' -> stack.add(bytes(u8()));
                case 0x8e -> stack.add(bytes(le(8)));
                case '}' -> stack.add(new LinkedHashMap<Object, Object>());
                case 'd' -> {
                    List<Object> items = popMark();
                    Map<Object, Object> m = new LinkedHashMap<>();
                    setItems(m, items);
                    stack.add(m);
                }
                case 's' -> {
                    Object v = pop(), k = pop();
                    setItems(top(), List.of(k, v));
                }
                case 'u' -> {
                    List<Object> items = popMark();
                    setItems(top(), items);
                }
                case ']' -> stack.add(new ArrayList<>());
                case 'l' -> stack.add(popMark());
                case 'a' -> {
                    Object v = pop();
                    append(top(), List.of(v));
                }
                case 'e' -> {
                    List<Object> items = popMark();
                    append(top(), items);
                }
                case 0x8f -> stack.add(new ArrayList<>()); // EMPTY_SET (as a list)
                case 0x90 -> append(top(), popMark()); // ADDITEMS
                case 0x91 -> stack.add(popMark()); // FROZENSET
                case ')' -> stack.add(new Tuple(List.of()));
                case 't' -> stack.add(new Tuple(popMark()));
                case 0x85 -> stack.add(new Tuple(List.of(pop())));
                case 0x86 -> {
                    Object y = pop(), x = pop();
                    stack.add(new Tuple(List.of(x, y)));
                }
                case 0x87 -> {
                    Object z = pop(), y = pop(), x = pop();
                    stack.add(new Tuple(List.of(x, y, z)));
                }
                case 'c' -> {
                    String module = line(), name = line();
                    stack.add(new Global(module, name));
                }
                case 0x93 -> {
                    Object name = pop(), module = pop();
                    stack.add(new Global(String.valueOf(module), String.valueOf(name)));
                }
                case 'R' -> {
                    Object args = pop(), fn = pop();
                    stack.add(call(fn, args));
                }
                case 0x81 -> { // NEWOBJ cls args
                    Object args = pop(), cls = pop();
                    stack.add(call(cls, args));
                }
                case 0x92 -> { // NEWOBJ_EX cls args kwargs
                    pop();
                    Object args = pop(), cls = pop();
                    stack.add(call(cls, args));
                }
                case 'b' -> pop(); // BUILD: state is dropped (OrderedDict._metadata, object __dict__s)
                case 'Q' -> stack.add(persistent(pop()));
                case 'q' -> memo.put((long) u8(), top());
                case 'r' -> memo.put(le(4), top());
                case 0x94 -> memo.put((long) memo.size(), top());
                case 'h' -> stack.add(memoGet(u8()));
                case 'j' -> stack.add(memoGet(le(4)));
                default -> throw bad(String.format("unsupported pickle opcode 0x%02x", op));
            }
        }
    }

    private Object memoGet(long k) {
        if (!memo.containsKey(k)) throw bad("memo key " + k + " not set");
        return memo.get(k);
    }

    private Object bytes(long n) {
        if (n < 0 || n > b.length - i) throw bad("bytes run past the end");
        i += (int) n;
        return new Opaque("bytes");
    }

    private Object longN(int n) {
        if (n < 0 || n > b.length - i) throw bad("integer runs past the end");
        if (n == 0) return 0L;
        if (n > 8) {
            i += n;
            return new Opaque("large int");
        }
        long v = le(n);
        int shift = 64 - 8 * n;
        return (v << shift) >> shift; // sign-extend
    }

    @SuppressWarnings("unchecked")
    private void setItems(Object target, List<Object> kv) {
        if (kv.size() % 2 != 0) throw bad("odd number of dict items");
        if (!(target instanceof Map<?, ?>)) return; // items of an opaque object (e.g. a defaultdict subclass): dropped
        Map<Object, Object> m = (Map<Object, Object>) target;
        for (int k = 0; k < kv.size(); k += 2) m.put(kv.get(k), kv.get(k + 1));
    }

    @SuppressWarnings("unchecked")
    private void append(Object target, List<Object> items) {
        if (target instanceof List<?> l) ((List<Object>) l).addAll(items);
    }

    private Object persistent(Object pid) {
        if (!(pid instanceof Tuple t) || t.items().size() < 5 || !"storage".equals(t.items().get(0)))
            throw bad("unsupported persistent id " + pid);
        List<Object> it = t.items();
        if (!(it.get(1) instanceof Global g) || !(it.get(2) instanceof String key) || !(it.get(4) instanceof Long numel))
            throw bad("malformed storage id " + it);
        ScalarType type = STORAGES.get(g.name());
        if (type == null) throw new InputException(f + ": storage type " + g + " is not supported (ganfactor reads float, int, bool storages)");
        if (numel < 0) throw bad("negative storage size");
        return new StorageRef(key, type, numel);
    }

    private Object call(Object fn, Object args) {
        List<Object> a = args instanceof Tuple t ? t.items() : List.of();
        if (fn instanceof Global g) {
            String name = g.toString();
            if (lenient) {
                switch (name) {
                    case "torch_utils.persistence._reconstruct_persistent_obj" -> {
                        return !a.isEmpty() && a.get(0) instanceof Map<?, ?> meta ? meta : new Opaque(name + "(...)");
                    }
                    case "dnnlib.util.EasyDict" -> {
                        return new LinkedHashMap<Object, Object>();   // a dict subclass; its items follow as SETITEMS
                    }
                    case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor", "torch._utils._rebuild_parameter",
                         "torch._utils._rebuild_parameter_with_state" -> {
                        if (a.isEmpty() || !(a.get(0) instanceof StorageRef || a.get(0) instanceof Lazy)) return new Opaque("tensor");
                    }
                    default -> { }
                }
            }
            switch (name) {
                case "collections.OrderedDict", "builtins.dict", "__builtin__.dict" -> {
                    return new LinkedHashMap<Object, Object>();
                }
                case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                    return rebuild(a);
                }
                case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                    if (a.isEmpty() || !(a.get(0) instanceof Lazy)) throw bad("parameter without a tensor");
                    return a.get(0);
                }
                case "torch.jit._pickle.restore_type_tag" -> {
                    return a.isEmpty() ? null : a.get(0);
                }
                case "torch._utils._rebuild_qtensor", "torch._utils._rebuild_sparse_tensor", "torch._utils._rebuild_wrapper_subclass",
                     "torch._utils._rebuild_meta_tensor_no_storage", "torch._tensor._rebuild_from_type_v2" ->
                        throw new InputException(f + ": holds tensors ganfactor cannot rebuild (" + name + "); save plain dense tensors, e.g. with tools/save_safetensors.py");
                default -> {
                    return new Opaque(name + "(...)");
                }
            }
        }
        return new Opaque("object");
    }

    private static long[] longs(Object o) {
        if (!(o instanceof Tuple t)) return null;
        long[] v = new long[t.items().size()];
        for (int k = 0; k < v.length; k++) {
            if (!(t.items().get(k) instanceof Long x)) return null;
            v[k] = x;
        }
        return v;
    }

    /** _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata]). */
    private Lazy rebuild(List<Object> a) {
        if (a.size() < 4 || !(a.get(0) instanceof StorageRef s) || !(a.get(1) instanceof Long offset))
            throw bad("malformed tensor record");
        long[] size = longs(a.get(2)), stride = longs(a.get(3));
        if (size == null || stride == null || size.length != stride.length) throw bad("malformed tensor size/stride");
        // the view must lie inside the storage (as_strided does not check)
        long last = offset;
        boolean empty = false;
        for (int k = 0; k < size.length; k++) {
            if (size[k] < 0 || stride[k] < 0) throw bad("negative size or stride");
            if (size[k] == 0) empty = true;
            else last = Math.addExact(last, Math.multiplyExact(size[k] - 1, stride[k]));
        }
        if (offset < 0 || (!empty && last >= s.numel()))
            throw new InputException(f + ": a tensor of size " + java.util.Arrays.toString(size) + " runs past its storage '" + s.key() + "' (" + s.numel() + " elements)");
        return new Lazy(s, offset, size, stride);
    }

    private Tensor storage(StorageRef s) {
        Tensor t = storages.get(s.key());
        if (t != null) {
            if (t.scalar_type().value != s.type().value) throw bad("storage '" + s.key() + "' used with two dtypes");
            return t;
        }
        ZipEntry e = zip.getEntry(prefix + "data/" + s.key());
        if (e == null) throw new InputException(f + ": storage record data/" + s.key() + " is missing from the archive");
        t = torch.empty(new long[]{s.numel()}, new TensorOptions(s.type()), new MemoryFormatOptional());
        long bytes = s.numel() * t.element_size();
        if (e.getSize() >= 0 && e.getSize() < bytes)
            throw new InputException(f + ": storage record data/" + s.key() + " has " + e.getSize() + " bytes, its tensors need " + bytes);
        if (bytes > 0) {
            try (InputStream in = zip.getInputStream(e); ReadableByteChannel ch = Channels.newChannel(in)) {
                BytePointer p = new BytePointer(t.data_ptr()).capacity(bytes);
                long done = 0;
                while (done < bytes) {
                    int chunk = (int) Math.min(bytes - done, 1 << 30);
                    ByteBuffer dst = p.position(done).limit(done + chunk).asByteBuffer();
                    while (dst.hasRemaining()) if (ch.read(dst) < 0) throw new InputException(f + ": storage record data/" + s.key() + " is truncated");
                    done += chunk;
                }
            } catch (IOException ex) {
                throw new InputException(f + ": damaged storage record data/" + s.key() + " (" + ex.getMessage() + ")");
            }
        }
        t.retainReference();
        storages.put(s.key(), t);
        return t;
    }

    /** Releases the storage tensors (the views made from them keep what they need). */
    void releaseStorages() {
        for (Tensor t : storages.values()) t.close();
        storages.clear();
    }
}
