package ganfactor.io;

import ganfactor.InputException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian
 * header length N, N bytes of UTF-8 JSON mapping each tensor name to
 * {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the data buffer
 * after the header) plus an optional {@code "__metadata__"} string map, then the data buffer,
 * little-endian, C order.
 *
 * <p>Reading validates the whole header before touching the data: N within the file, strict
 * JSON without duplicate names, known dtypes, non-negative shapes, offsets that match
 * shape x dtype size and tile the data buffer exactly (no overlap, no hole, nothing past its
 * end), as the reference implementation demands. Any violation is an {@link InputException}
 * naming the file and, where there is one, the tensor. Tensor bytes are read straight from the
 * file into each tensor's own native memory, so a 120 MB checkpoint costs 120 MB once.
 *
 * <p>Writing is atomic (a temporary file beside the target, then a move) and follows the
 * layout of the reference writer: tensors in the map's order, header padded with spaces to a
 * multiple of 8 bytes.
 */
public final class Safetensors {
    /** Largest header accepted, as in the reference implementation (100 MB). */
    static final long MAX_HEADER = 100_000_000L;
    private static final String METADATA = "__metadata__";

    private Safetensors() {}

    /**
     * What a file holds: tensors in file order (CPU, contiguous, each owning its memory and
     * retained, so they outlive any caller's PointerScope until closed) and the
     * {@code __metadata__} map (empty when absent).
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /** The safetensors dtype names ganfactor reads and writes, with their torch types. */
    public enum Dtype {
        F64(ScalarType.Double, 8), F32(ScalarType.Float, 4), F16(ScalarType.Half, 2), BF16(ScalarType.BFloat16, 2),
        I64(ScalarType.Long, 8), I32(ScalarType.Int, 4), I16(ScalarType.Short, 2), I8(ScalarType.Char, 1),
        U8(ScalarType.Byte, 1), BOOL(ScalarType.Bool, 1);

        public final ScalarType type;
        public final int size;

        Dtype(ScalarType type, int size) {
            this.type = type;
            this.size = size;
        }

        static Dtype of(ScalarType t) {
            for (Dtype d : values()) if (d.type.value == t.value) return d; // the preset's enum values are not unique instances
            return null;
        }

        static Dtype named(String name) {
            for (Dtype d : values()) if (d.name().equals(name)) return d;
            return null;
        }
    }

    /** True when {@code file} starts like a safetensors file (a plausible header length followed by '{'). */
    public static boolean looksLike(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining() && ch.read(b) >= 0) { /* fill */ }
            if (b.position() < 9) return false;
            long n = b.getLong(0);
            return n > 1 && n <= ch.size() - 8 && b.get(8) == '{';
        } catch (IOException e) {
            return false;
        }
    }

    private record Entry(String name, Dtype dtype, long[] shape, long begin, long end) {}

    public static Contents read(Path file) {
        String f = file.toString();
        if (!Files.exists(file)) throw new InputException(f + ": no such file");
        if (Files.isDirectory(file)) throw new InputException(f + ": is a folder, expected a .safetensors file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new InputException(f + ": not a safetensors file (" + size + " bytes, shorter than the 8-byte header length)");
            ByteBuffer lb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lb, 0, f);
            long n = lb.getLong(0);
            if (n < 2 || n > MAX_HEADER)
                throw new InputException(f + ": not a safetensors file (header length " + Long.toUnsignedString(n) + " is implausible)");
            if (n > size - 8)
                throw new InputException(f + ": truncated or not a safetensors file (header length " + n + " but only " + (size - 8) + " bytes follow)");
            ByteBuffer hb = ByteBuffer.allocate((int) n);
            readFully(ch, hb, 8, f);
            String header;
            try {
                header = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(hb.flip()).toString();
            } catch (CharacterCodingException e) {
                throw new InputException(f + ": not a safetensors file (header is not UTF-8)");
            }
            if (!header.startsWith("{")) throw new InputException(f + ": not a safetensors file (header does not start with '{')");
            Object json;
            try {
                json = JsonReader.parse(header);
            } catch (IllegalArgumentException e) {
                throw new InputException(f + ": malformed safetensors header: " + e.getMessage());
            }
            if (!(json instanceof Map<?, ?> top)) throw new InputException(f + ": safetensors header is not a JSON object");
            long dataStart = 8 + n, dataLen = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<?, ?> e : top.entrySet()) {
                String name = (String) e.getKey();
                if (name.equals(METADATA)) {
                    metadata = metadata(e.getValue(), f);
                    continue;
                }
                entries.add(entry(name, e.getValue(), f));
            }
            // The entries must tile [0, dataLen) exactly.
            List<Entry> byOffset = new ArrayList<>(entries);
            byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
            long at = 0;
            for (Entry e : byOffset) {
                if (e.begin < at)
                    throw new InputException(f + ": tensor '" + e.name + "' data_offsets [" + e.begin + ", " + e.end + "] overlap the previous tensor's data (ends at " + at + ")");
                if (e.begin > at)
                    throw new InputException(f + ": tensor '" + e.name + "' data_offsets [" + e.begin + ", " + e.end + "] leave a hole after byte " + at + " of the data buffer");
                if (e.end > dataLen)
                    throw new InputException(f + ": truncated: tensor '" + e.name + "' data_offsets end at " + e.end + " but the data buffer has " + dataLen + " bytes");
                at = e.end;
            }
            if (at != dataLen)
                throw new InputException(f + ": " + (dataLen - at) + " bytes after the last tensor's data (the header describes " + at + " of " + dataLen + " data bytes)");
            Map<String, Tensor> out = new LinkedHashMap<>();
            boolean ok = false;
            try {
                for (Entry e : byOffset) out.put(e.name, load(ch, dataStart, e, f));
                ok = true;
            } finally {
                if (!ok) for (Tensor t : out.values()) t.close();
            }
            return new Contents(out, metadata);
        } catch (NoSuchFileException e) {
            throw new InputException(f + ": no such file");
        } catch (IOException e) {
            throw new InputException(f + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static Map<String, String> metadata(Object v, String f) {
        if (!(v instanceof Map<?, ?> m)) throw new InputException(f + ": __metadata__ must be a JSON object of strings");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String s))
                throw new InputException(f + ": __metadata__ value for '" + e.getKey() + "' is not a string");
            out.put((String) e.getKey(), s);
        }
        return out;
    }

    private static Entry entry(String name, Object v, String f) {
        String t = "tensor '" + name + "'";
        if (!(v instanceof Map<?, ?> m)) throw new InputException(f + ": " + t + ": header entry is not a JSON object");
        for (Object k : m.keySet())
            if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets"))
                throw new InputException(f + ": " + t + ": unknown header field '" + k + "'");
        if (!(m.get("dtype") instanceof String ds)) throw new InputException(f + ": " + t + ": missing or non-string dtype");
        Dtype dtype = Dtype.named(ds);
        if (dtype == null)
            throw new InputException(f + ": " + t + ": unsupported dtype '" + ds + "' (ganfactor reads F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
        long[] shape = longs(m.get("shape"), -1, f, t, "shape");
        long[] off = longs(m.get("data_offsets"), 2, f, t, "data_offsets");
        long numel = 1;
        try {
            for (long s : shape) numel = Math.multiplyExact(numel, s);
            long bytes = Math.multiplyExact(numel, (long) dtype.size);
            if (off[1] < off[0]) throw new InputException(f + ": " + t + ": data_offsets [" + off[0] + ", " + off[1] + "] end before they begin");
            if (off[1] - off[0] != bytes)
                throw new InputException(f + ": " + t + ": data_offsets [" + off[0] + ", " + off[1] + "] span " + (off[1] - off[0])
                        + " bytes but shape " + java.util.Arrays.toString(shape) + " of " + ds + " needs " + bytes);
        } catch (ArithmeticException overflow) {
            throw new InputException(f + ": " + t + ": shape " + java.util.Arrays.toString(shape) + " is too large");
        }
        return new Entry(name, dtype, shape, off[0], off[1]);
    }

    private static long[] longs(Object v, int count, String f, String t, String field) {
        if (!(v instanceof List<?> l)) throw new InputException(f + ": " + t + ": missing or non-list " + field);
        if (count >= 0 && l.size() != count) throw new InputException(f + ": " + t + ": " + field + " must have " + count + " entries, has " + l.size());
        long[] out = new long[l.size()];
        for (int k = 0; k < out.length; k++) {
            if (!(l.get(k) instanceof Long x) || x < 0)
                throw new InputException(f + ": " + t + ": " + field + " must hold non-negative integers, got " + l);
            out[k] = x;
        }
        return out;
    }

    /** A new CPU tensor filled straight from the file (no intermediate Java copy). */
    private static Tensor load(FileChannel ch, long dataStart, Entry e, String f) throws IOException {
        try (PointerScope scope = new PointerScope()) {
            Tensor t = torch.empty(e.shape, new TensorOptions(e.dtype.type), new MemoryFormatOptional());
            long bytes = e.end - e.begin;
            if (bytes > 0) {
                BytePointer p = new BytePointer(t.data_ptr()).capacity(bytes);
                long done = 0;
                while (done < bytes) {
                    int chunk = (int) Math.min(bytes - done, 1 << 30);
                    ByteBuffer dst = p.position(done).limit(done + chunk).asByteBuffer();
                    readFully(ch, dst, dataStart + e.begin + done, f);
                    done += chunk;
                }
            }
            t.retainReference();
            return t;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long pos, String f) throws IOException {
        while (dst.hasRemaining()) {
            int r = ch.read(dst, pos);
            if (r < 0) throw new InputException(f + ": truncated (file ended while reading)");
            pos += r;
        }
    }

    /** {@link #write(Path, Map, Map)} without metadata. */
    public static void write(Path file, Map<String, Tensor> tensors) {
        write(file, tensors, Map.of());
    }

    /**
     * Writes the tensors (any device, any layout: each is copied to a contiguous CPU tensor one at
     * a time) in the map's order, with {@code metadata} as {@code __metadata__} when not empty.
     * The file appears complete or not at all.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) header.put(METADATA, new LinkedHashMap<>(metadata));
        long offset = 0;
        List<Dtype> dtypes = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.equals(METADATA)) throw new IllegalArgumentException("invalid tensor name: " + name);
            Tensor t = e.getValue();
            Dtype d = Dtype.of(t.scalar_type());
            if (d == null) throw new IllegalArgumentException("tensor '" + name + "': dtype " + t.scalar_type() + " has no safetensors equivalent here");
            dtypes.add(d);
            long[] shape = new long[(int) t.dim()];
            for (int k = 0; k < shape.length; k++) shape[k] = t.size(k);
            long bytes = t.numel() * d.size;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dtype", d.name());
            m.put("shape", shape);
            m.put("data_offsets", new long[]{offset, offset + bytes});
            header.put(name, m);
            offset += bytes;
        }
        byte[] json = compact(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        Path abs = file.toAbsolutePath();
        Path tmp = null;
        try {
            Files.createDirectories(abs.getParent());
            // not Files.createTempFile: its 0600 permissions would stay with the result; CREATE_NEW follows the umask
            tmp = abs.getParent().resolve("." + abs.getFileName() + "." + Long.toHexString(new java.security.SecureRandom().nextLong()) + ".partial");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                while (head.hasRemaining()) ch.write(head);
                for (Tensor t : tensors.values()) writeData(ch, t);
                ch.force(false);
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(file + ": cannot write", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a hidden .partial file
                }
            }
        }
    }

    private static void writeData(FileChannel ch, Tensor t) throws IOException {
        if (t.numel() == 0) return;
        try (PointerScope scope = new PointerScope()) {
            Tensor c = t.detach().to(new Device("cpu"), t.scalar_type()).contiguous();
            long bytes = c.numel() * c.element_size();
            BytePointer p = new BytePointer(c.data_ptr()).capacity(bytes);
            long done = 0;
            while (done < bytes) {
                int chunk = (int) Math.min(bytes - done, 1 << 30);
                ByteBuffer src = p.position(done).limit(done + chunk).asByteBuffer();
                while (src.hasRemaining()) ch.write(src);
                done += chunk;
            }
        }
    }

    /** One-line JSON (the reference writer's style): no spaces, so the header stays small. */
    private static String compact(Object v) {
        StringBuilder sb = new StringBuilder();
        compact(sb, v);
        return sb.toString();
    }

    private static void compact(StringBuilder sb, Object v) {
        if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) sb.append(',');
                first = false;
                quote(sb, (String) e.getKey());
                sb.append(':');
                compact(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof long[] a) {
            sb.append('[');
            for (int k = 0; k < a.length; k++) {
                if (k > 0) sb.append(',');
                sb.append(a[k]);
            }
            sb.append(']');
        } else {
            quote(sb, (String) v);
        }
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c)); else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
