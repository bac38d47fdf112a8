package ganfactor;

import java.util.Locale;

/**
 * The one seam where a LibTorch failure (a C++ exception JavaCPP rethrew as a RuntimeException)
 * becomes a Java exception that says what ganfactor was doing: the operation, the shapes of its
 * inputs and the device, with LibTorch's first line. Out-of-memory, CUDA's or the CPU
 * allocator's, is recognised here and nowhere else ({@link #isOutOfMemory(Throwable)}), so that
 * the Jacobian engine can retry with fewer columns and the CLI can say what to lower.
 */
public final class NativeException extends RuntimeException {
    private final boolean outOfMemory;

    private NativeException(String message, boolean outOfMemory, Throwable cause) {
        super(message, cause);
        this.outOfMemory = outOfMemory;
    }

    /**
     * {@code e}, from LibTorch during {@code op} on {@code device} (a label: "cpu", "cuda:0"; or null) with inputs {@code shapes}, as a
     * NativeException; our own exceptions (bad input, an earlier NativeException, cancellation)
     * pass through unchanged.
     */
    public static RuntimeException wrap(String op, String shapes, String device, RuntimeException e) {
        // JavaCPP rethrows a C++ exception as a plain java.lang.RuntimeException; anything more
        // specific is ours (bad input, use after close, cancellation, an earlier NativeException)
        if (e.getClass() != RuntimeException.class) return e;
        boolean oom = isOutOfMemory(e);
        String where = device == null ? "" : " on " + device;
        return new NativeException(op + where + (shapes == null || shapes.isEmpty() ? "" : " with " + shapes) + ": "
                + (oom ? "out of memory (" + firstLine(e) + ")" : firstLine(e)), oom, e);
    }

    /** Whether this failure was an allocation failure. */
    public boolean outOfMemory() {
        return outOfMemory;
    }

    /** Whether {@code e} (or a NativeException wrapping it) is an allocation failure: CUDA's "out of memory" or the CPU allocator's. */
    public static boolean isOutOfMemory(Throwable e) {
        if (e instanceof NativeException n) return n.outOfMemory;
        if (e instanceof OutOfMemoryError) return true;
        String m = e.getMessage();
        if (m == null) return false;
        String l = m.toLowerCase(Locale.ROOT);
        return l.contains("out of memory") || l.contains("can't allocate memory") || l.contains("cannot allocate memory") || l.contains("not enough memory");
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return (nl >= 0 ? m.substring(0, nl) : m).trim();
    }
}
