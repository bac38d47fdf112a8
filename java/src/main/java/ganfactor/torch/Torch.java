package ganfactor.torch;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

import static org.bytedeco.pytorch.global.torch.ScalarType;
import static ganfactor.InputException.ref;

/**
 * The seam between Java arrays and LibTorch tensors. Every helper returns a tensor that owns
 * its storage (a clone of the Java data), so nothing here depends on a Java buffer staying alive.
 * Read-back always goes through a contiguous CPU copy.
 */
public final class Torch {
    /** float32 (fp32) or float64 (fp64), any case, as LibTorch's scalar type. */
    public static org.bytedeco.pytorch.global.torch.ScalarType parsePrecision(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "float32", "fp32" -> org.bytedeco.pytorch.global.torch.ScalarType.Float;
            case "float64", "fp64" -> org.bytedeco.pytorch.global.torch.ScalarType.Double;
            default -> throw new ganfactor.InputException(ref("precision") + " must be float32 or float64, got '" + s + "'");
        };
    }

    private Torch() {}

    public static TensorOptions options(ScalarType type) {
        return new TensorOptions(type);
    }

    /**
     * The tensor an IValue holds, as a tensor of its own (sharing storage). {@code toTensor()} is a
     * reference into the IValue: once the IValue is unreachable the GC may free it under that
     * reference (a SIGSEGV in the next operation; docs/JAVACPP.md). The copy is taken while
     * {@code v} is kept reachable.
     */
    public static Tensor own(org.bytedeco.pytorch.IValue v) {
        Tensor t = new Tensor(v.toTensor());
        java.lang.ref.Reference.reachabilityFence(v);
        return t;
    }

    /** A new CPU tensor holding a copy of {@code data} with the given shape. */
    public static Tensor of(double[] data, long... shape) {
        checkCount(data.length, shape);
        try (DoublePointer p = new DoublePointer(data)) {
            return torch.from_blob(p, shape, options(ScalarType.Double)).clone();
        }
    }

    public static Tensor of(float[] data, long... shape) {
        checkCount(data.length, shape);
        try (FloatPointer p = new FloatPointer(data)) {
            return torch.from_blob(p, shape, options(ScalarType.Float)).clone();
        }
    }

    public static Tensor ofLong(long[] data, long... shape) {
        checkCount(data.length, shape);
        try (LongPointer p = new LongPointer(data)) {
            return torch.from_blob(p, shape, options(ScalarType.Long)).clone();
        }
    }

    private static void checkCount(int n, long[] shape) {
        long c = 1;
        for (long s : shape) c *= s;
        if (c != n) throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " needs " + c + " values, got " + n);
    }

    /**
     * Device-to-host copies made through this class (debug counter). Every read of tensor data
     * into Java goes through {@link #toHost} or {@link #scalars}, so a test can assert how many
     * host round trips a piece of work makes; on a GPU each is a device-to-host copy and a
     * synchronisation of the stream.
     */
    private static final java.util.concurrent.atomic.AtomicLong HOST_COPIES = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Host-to-device copies of Java values made through {@link #upload} and {@link #uploadLong}
     * (debug counter): with {@link #hostCopies()} the host round trips of a piece of work. Counted
     * on the CPU too (where the copy is a plain one), so a test without a GPU sees what a GPU run
     * would pay: each is a pageable copy from host memory.
     */
    private static final java.util.concurrent.atomic.AtomicLong UPLOADS = new java.util.concurrent.atomic.AtomicLong();

    /** Number of uploads made so far in this JVM (see {@link #upload}). */
    public static long uploads() {
        return UPLOADS.get();
    }

    /** THE host-to-device copy of Java doubles: a float64 tensor of {@code data} on {@code like}'s device. Counted in {@link #uploads()}. */
    public static Tensor upload(double[] data, Tensor like, long... shape) {
        UPLOADS.incrementAndGet();
        return of(data, shape).to(like.device(), ScalarType.Double);
    }

    /** The same for indices: an int64 tensor on {@code like}'s device. Counted in {@link #uploads()}. */
    public static Tensor uploadLong(long[] data, Tensor like, long... shape) {
        UPLOADS.incrementAndGet();
        return ofLong(data, shape).to(like.device(), ScalarType.Long);
    }

    /** Number of host copies made so far in this JVM (see {@link #toHost}). */
    public static long hostCopies() {
        return HOST_COPIES.get();
    }

    /**
     * THE device-to-host copy: a contiguous CPU tensor of {@code t}'s values in {@code type}.
     * Counted in {@link #hostCopies()}; the only place tensor data leaves the device.
     */
    public static Tensor toHost(Tensor t, ScalarType type) {
        HOST_COPIES.incrementAndGet();
        return t.detach().to(new org.bytedeco.pytorch.Device("cpu"), type).contiguous();
    }

    /**
     * Several scalar summaries (each a 0-d or 1-element tensor on any device) read back with ONE
     * host copy: they are stacked on the device first. For the control decisions that need a value
     * on the host (a trace, a norm, a finiteness flag).
     */
    public static double[] scalars(Tensor... values) {
        Tensor[] flat = new Tensor[values.length];
        for (int i = 0; i < values.length; i++) flat[i] = values[i].reshape(1).to(ScalarType.Double);
        return toDoubles(torch.cat(new org.bytedeco.pytorch.TensorVector(flat), 0));
    }

    /** One scalar (a 0-d or 1-element tensor) to the host: one counted copy. */
    public static double scalar(Tensor value) {
        return scalars(value)[0];
    }

    /** Copies any floating tensor (any device, any layout) into a new double[] in row-major order (one counted host copy). */
    public static double[] toDoubles(Tensor t) {
        Tensor c = toHost(t, ScalarType.Double);
        long n = c.numel();
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large for a Java array: " + n);
        double[] out = new double[(int) n];
        c.data_ptr_double().get(out);
        return out;
    }

    public static float[] toFloats(Tensor t) {
        Tensor c = toHost(t, ScalarType.Float);
        long n = c.numel();
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large for a Java array: " + n);
        float[] out = new float[(int) n];
        c.data_ptr_float().get(out);
        return out;
    }

    /**
     * Whether t has the given dtype. Compare dtypes only this way: {@code t.scalar_type()} returns
     * a new Java enum object from JNI on every call (same {@code value}, different identity), so
     * {@code t.scalar_type() == ScalarType.Double} is always false.
     */
    public static boolean is(Tensor t, ScalarType type) {
        return t.scalar_type().value == type.value;
    }

    public static long[] shape(Tensor t) {
        long[] s = new long[(int) t.dim()];
        for (int i = 0; i < s.length; i++) s[i] = t.size(i);
        return s;
    }

    public static String shapeString(Tensor t) {
        return java.util.Arrays.toString(shape(t));
    }
}
