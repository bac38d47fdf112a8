package ganfactor;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CancellationException;
import java.util.function.Function;

/**
 * What went wrong, for a front end to report: every exception the library lets out falls into one
 * kind with a one-line message. The CLI turns the kind into its exit code; a server into its
 * HTTP status (input: 4xx; the rest: 5xx).
 */
public record Failure(Kind kind, String message) {
    public enum Kind {
        /** The user's input (a file, a flag, a shape, a region) or a file we were told to read or write: theirs to fix. */
        INPUT,
        /** Another run is writing or has written the same output: nothing of this run was kept; retry or choose another output. */
        CONFLICT,
        /** The work was cancelled; nothing was written. */
        CANCELLED,
        /** LibTorch or the JVM ran out of memory: a smaller memory budget or chunk may help. */
        OUT_OF_MEMORY,
        /** A LibTorch failure other than memory, with the operation, shapes and device. */
        NATIVE,
        /** Anything else: a bug. */
        INTERNAL
    }

    /** The kind and the one-line message of {@code e}, settings by their bare registry names. */
    public static Failure of(Throwable e) {
        return of(e, Function.identity());
    }

    /**
     * The kind and the one-line message of {@code e}, each setting it names worded by {@code
     * namer} (a front end's spelling of a registry name: a flag, a form field, a C argument).
     */
    public static Failure of(Throwable e, Function<String, String> namer) {
        if (e instanceof InputException) return new Failure(Kind.INPUT, Messages.oneLine(e, namer));
        if (e instanceof ConflictException) return new Failure(Kind.CONFLICT, Messages.oneLine(e, namer));
        if (e instanceof UncheckedIOException u && u.getCause() != null) e = u.getCause();
        if (e instanceof IOException io)
            return new Failure(Kind.INPUT, (io.getMessage() == null ? "" : io.getMessage() + ": ") + Messages.reason(io));
        if (e instanceof CancellationException) return new Failure(Kind.CANCELLED, "cancelled; no output was written");
        if (e instanceof NativeException n) return new Failure(n.outOfMemory() ? Kind.OUT_OF_MEMORY : Kind.NATIVE, Messages.oneLine(n));
        if (e instanceof OutOfMemoryError) return new Failure(Kind.OUT_OF_MEMORY, "out of memory (" + InputException.worded(e.getMessage(), namer) + ")");
        return new Failure(Kind.INTERNAL, e.getClass().getSimpleName() + ": " + Messages.oneLine(e, namer));
    }
}
