package ganfactor.io;

import ganfactor.InputException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy .npy files, format versions 1.0, 2.0 and 3.0: reads float16/32/64, signed and unsigned
 * integers and bool in either byte order and in C or Fortran order; writes little-endian float32,
 * float64, int64 and uint8 in C order (version 1.0, or 2.0 when the header needs it). Corrupt or
 * unsupported files raise {@link InputException} naming the file and the problem.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /**
     * Reads a .npy file, or one array of an .npz archive (NumPy's savez / savez_compressed): the
     * archive's only array, or the one named as {@code FILE.npz#NAME}. An archive of several arrays
     * without a name is refused with the names it holds.
     */
    public static NpyArray read(Path file) {
        String f = file.toString();
        int hash = f.lastIndexOf('#');
        if (hash > 0 && !Files.exists(file) && Files.isRegularFile(Path.of(f.substring(0, hash))))
            return readNpz(Path.of(f.substring(0, hash)), f.substring(hash + 1));
        InputFiles.requireReadable(file);
        if (isZip(file)) return readNpz(file, null);
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read (" + e.getMessage() + ")");
        } catch (OutOfMemoryError e) {
            throw new InputException(file + ": too large to read into memory");
        }
        return parse(all, file.toString());
    }

    private static boolean isZip(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] h = in.readNBytes(4);
            return h.length == 4 && h[0] == 'P' && h[1] == 'K' && h[2] == 3 && h[3] == 4;
        } catch (IOException e) {
            return false;
        }
    }

    /** One array of an .npz archive: {@code member} (without .npy), or the only one when null. */
    static NpyArray readNpz(Path file, String member) {
        InputFiles.requireReadable(file);
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile())) {
            List<String> names = new ArrayList<>();
            for (java.util.Enumeration<? extends java.util.zip.ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                String n = e.nextElement().getName();
                if (n.endsWith(".npy")) names.add(n.substring(0, n.length() - 4));
            }
            if (names.isEmpty()) throw new InputException(file + ": a zip archive without .npy arrays; expected a .npy file or an .npz archive");
            String pick = member;
            if (pick == null) {
                if (names.size() > 1)
                    throw new InputException(file + ": an .npz archive of " + names.size() + " arrays (" + String.join(", ", names.subList(0, Math.min(8, names.size())))
                            + (names.size() > 8 ? ", ..." : "") + "); name one as " + file + "#" + names.get(0));
                pick = names.get(0);
            } else if (!names.contains(pick)) {
                throw new InputException(file + ": the .npz archive has no array '" + pick + "'; it holds " + String.join(", ", names));
            }
            java.util.zip.ZipEntry entry = zip.getEntry(pick + ".npy");
            if (entry.getSize() > Integer.MAX_VALUE - 16) throw new InputException(file + "#" + pick + ": too large to read into memory");
            try (java.io.InputStream in = zip.getInputStream(entry)) {
                return parse(in.readAllBytes(), file + "#" + pick);
            }
        } catch (java.util.zip.ZipException e) {
            throw new InputException(file + ": a corrupt .npz (zip) archive (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read (" + OutputDir.reason(e) + ")");
        } catch (OutOfMemoryError e) {
            throw new InputException(file + ": too large to read into memory");
        }
    }

    static NpyArray parse(byte[] all, String name) {
        if (all.length < 10) throw new InputException(name + ": not a .npy file (too short)");
        for (int i = 0; i < MAGIC.length; i++)
            if (all[i] != MAGIC[i]) throw new InputException(name + ": not a .npy file (it does not start with NumPy's \\x93NUMPY header)");
        int major = all[6] & 0xff;
        ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen, start;
        if (major == 1) {
            headerLen = bb.getShort(8) & 0xffff;
            start = 10;
        } else if (major == 2 || major == 3) {
            if (all.length < 12) throw new InputException(name + ": truncated .npy header");
            headerLen = bb.getInt(8);
            start = 12;
        } else {
            throw new InputException(name + ": unsupported .npy format version " + major);
        }
        if (headerLen < 0 || start + headerLen > all.length) throw new InputException(name + ": truncated .npy header");
        String header = new String(all, start, headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher md = DESCR.matcher(header), mf = FORTRAN.matcher(header), ms = SHAPE.matcher(header);
        if (!md.find() || !mf.find() || !ms.find()) throw new InputException(name + ": malformed .npy header: " + header.trim());
        String descr = md.group(1);
        boolean fortran = mf.group(1).equals("True");
        List<Long> dims = new ArrayList<>();
        for (String part : ms.group(1).split(",")) {
            String t = part.trim();
            if (t.isEmpty()) continue;
            try {
                dims.add(Long.parseLong(t.replace("L", "")));
            } catch (NumberFormatException e) {
                throw new InputException(name + ": malformed shape in .npy header: (" + ms.group(1) + ")");
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long s : shape) {
            if (s < 0) throw new InputException(name + ": negative dimension in .npy header");
            count = Math.multiplyExact(count, s);
        }
        if (count > Integer.MAX_VALUE - 16) throw new InputException(name + ": " + count + " values is more than ganfactor reads into one array");
        if (descr.length() < 3) throw new InputException(name + ": unsupported dtype '" + descr + "'");
        char order = descr.charAt(0);
        char kind = descr.charAt(1);
        int size;
        try {
            size = Integer.parseInt(descr.substring(2));
        } catch (NumberFormatException e) {
            throw new InputException(name + ": unsupported dtype '" + descr + "'");
        }
        ByteOrder bo = order == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        int dataStart = start + headerLen;
        long need = count * size;
        if (all.length - dataStart < need)
            throw new InputException(name + ": truncated data: shape " + dims + " of " + descr + " needs " + need + " bytes, file has " + (all.length - dataStart));
        ByteBuffer d = ByteBuffer.wrap(all, dataStart, (int) need).slice().order(bo);
        double[] out = new double[(int) count];
        for (int i = 0; i < out.length; i++) {
            int o = i * size;
            out[i] = switch (kind) {
                case 'f' -> switch (size) {
                    case 2 -> halfToDouble(d.getShort(o));
                    case 4 -> d.getFloat(o);
                    case 8 -> d.getDouble(o);
                    default -> throw new InputException(name + ": unsupported dtype '" + descr + "'");
                };
                case 'i' -> switch (size) {
                    case 1 -> d.get(o);
                    case 2 -> d.getShort(o);
                    case 4 -> d.getInt(o);
                    case 8 -> (double) d.getLong(o);
                    default -> throw new InputException(name + ": unsupported dtype '" + descr + "'");
                };
                case 'u' -> switch (size) {
                    case 1 -> d.get(o) & 0xff;
                    case 2 -> d.getShort(o) & 0xffff;
                    case 4 -> d.getInt(o) & 0xffffffffL;
                    case 8 -> (double) d.getLong(o);
                    default -> throw new InputException(name + ": unsupported dtype '" + descr + "'");
                };
                case 'b' -> d.get(o) != 0 ? 1 : 0;
                default -> throw new InputException(name + ": unsupported dtype '" + descr + "' (ganfactor reads float, int, uint and bool)");
            };
        }
        if (fortran && shape.length > 1) out = fortranToC(out, shape);
        return new NpyArray(out, shape, descr);
    }

    private static double[] fortranToC(double[] f, long[] shape) {
        int n = shape.length;
        double[] c = new double[f.length];
        int[] idx = new int[n];
        for (int i = 0; i < f.length; i++) {
            // i runs in C order over idx; compute the Fortran offset.
            long off = 0, stride = 1;
            for (int k = 0; k < n; k++) { off += idx[k] * stride; stride *= shape[k]; }
            c[i] = f[(int) off];
            for (int k = n - 1; k >= 0; k--) {
                if (++idx[k] < shape[k]) break;
                idx[k] = 0;
            }
        }
        return c;
    }

    static double halfToDouble(short h) {
        int bits = h & 0xffff;
        int sign = (bits >>> 15) != 0 ? -1 : 1;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0) return sign * mant * Math.pow(2, -24);
        if (exp == 31) return mant == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        return sign * (1 + mant / 1024.0) * Math.pow(2, exp - 15);
    }

    /** Writes {@code a} with its dtype (one of <f4, <f8, <i8, |u1). */
    public static void write(Path file, NpyArray a) {
        try (Writer w = new Writer(file, a.dtype(), a.shape())) {
            w.write(a.data(), 0, a.data().length);
        }
    }

    public static void writeFloat64(Path file, double[] data, long... shape) {
        write(file, new NpyArray(data, shape, "<f8"));
    }

    public static void writeFloat32(Path file, double[] data, long... shape) {
        write(file, new NpyArray(data, shape, "<f4"));
    }

    static byte[] header(String dtype, long[] shape) {
        StringBuilder sh = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sh.append(shape[i]);
            if (shape.length == 1 || i < shape.length - 1) sh.append(shape.length == 1 ? "," : ", ");
        }
        sh.append(")");
        String dict = "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': " + sh + ", }";
        int pre = 10;
        int total = pre + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        boolean v2 = dict.length() + pad + 1 > 65535;
        if (v2) {
            pre = 12;
            total = pre + dict.length() + 1;
            pad = (64 - total % 64) % 64;
        }
        String text = dict + " ".repeat(pad) + "\n";
        ByteBuffer bb = ByteBuffer.allocate(pre + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) (v2 ? 2 : 1)).put((byte) 0);
        if (v2) bb.putInt(text.length()); else bb.putShort((short) text.length());
        bb.put(text.getBytes(StandardCharsets.ISO_8859_1));
        return bb.array();
    }

    /**
     * A streaming .npy writer: the header first, then values in C order in as many calls as
     * convenient (a saved Jacobian is written block by block). Closing checks that exactly the
     * promised number of values arrived.
     */
    public static final class Writer implements AutoCloseable {
        private final Path file;
        private final FileChannel ch;
        private final String dtype;
        private final long expected;
        private long written;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);

        public Writer(Path file, String dtype, long... shape) {
            if (!List.of("<f4", "<f8", "<i8", "|u1").contains(dtype)) throw new IllegalArgumentException("cannot write dtype " + dtype);
            this.file = file;
            this.dtype = dtype;
            long n = 1;
            for (long s : shape) n *= s;
            this.expected = n;
            try {
                this.ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
                ch.write(ByteBuffer.wrap(header(dtype, shape)));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(file + ": cannot write", e);
            }
        }

        public void write(double[] v, int off, int len) {
            for (int i = off; i < off + len; i++) {
                if (buf.remaining() < 8) flush();
                switch (dtype) {
                    case "<f4" -> buf.putFloat((float) v[i]);
                    case "<f8" -> buf.putDouble(v[i]);
                    case "<i8" -> buf.putLong((long) v[i]);
                    default -> buf.put((byte) v[i]);
                }
            }
            written += len;
        }

        public void write(float[] v, int off, int len) {
            for (int i = off; i < off + len; i++) {
                if (buf.remaining() < 8) flush();
                if (dtype.equals("<f4")) buf.putFloat(v[i]); else if (dtype.equals("<f8")) buf.putDouble(v[i]);
                else throw new IllegalStateException("float data into " + dtype);
            }
            written += len;
        }

        private void flush() {
            buf.flip();
            try {
                while (buf.hasRemaining()) ch.write(buf);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(file + ": cannot write", e);
            }
            buf.clear();
        }

        /** Closes after a failure: no completeness check (the caller's output folder is discarded anyway). */
        public void abandon() {
            try {
                ch.close();
            } catch (IOException ignored) {
                // the file is in a staging folder that is deleted
            }
        }

        @Override
        public void close() {
            flush();
            try {
                ch.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(file + ": cannot close", e);
            }
            if (written != expected) throw new IllegalStateException(file + ": wrote " + written + " values, header promised " + expected);
        }
    }
}
