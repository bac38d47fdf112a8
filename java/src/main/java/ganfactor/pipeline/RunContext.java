package ganfactor.pipeline;

import ganfactor.jacobian.JacobianEngine;
import ganfactor.jacobian.Progress;
import ganfactor.trace.Trace;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * What a run is given by whoever started it, in one value that every pipeline job takes: the
 * token that stops it ({@link Cancellation}), where its progress goes ({@link Progress}), where its
 * notes go (an out-of-memory retry with a smaller chunk, say: the library prints nothing, the
 * command line passes stderr, the studio and Spark their own), and its spans ({@link Trace}).
 * Immutable; {@link #QUIET} is the context of a caller that wants none of them.
 *
 * <p>Threads are not part of it on purpose: LibTorch's and OpenBLAS's thread counts belong to the
 * process ({@code Engine.init}, {@code --threads}), hold for every run in it, and each run record
 * says what they were.
 */
public record RunContext(Cancellation cancellation, Progress progress, Consumer<String> notes, Trace trace) {
    /** Never cancelled, no progress, notes dropped, no trace. */
    public static final RunContext QUIET = new RunContext(Cancellation.NEVER, Progress.NONE, n -> {}, Trace.OFF);

    public RunContext {
        Objects.requireNonNull(cancellation, "cancellation");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(notes, "notes");
        Objects.requireNonNull(trace, "trace");
    }

    /** A context that can be cancelled through {@code c} and is otherwise quiet. */
    public static RunContext of(Cancellation c) {
        return QUIET.withCancellation(c);
    }

    public RunContext withCancellation(Cancellation c) {
        return new RunContext(c, progress, notes, trace);
    }

    public RunContext withProgress(Progress p) {
        return new RunContext(cancellation, p, notes, trace);
    }

    public RunContext withNotes(Consumer<String> n) {
        return new RunContext(cancellation, progress, n, trace);
    }

    public RunContext withTrace(Trace t) {
        return new RunContext(cancellation, progress, notes, t);
    }

    /**
     * A copy of {@code base} that reports to this context: its progress, cancellation, notes and
     * spans (the engine's own test hooks and sizes stay as {@code base} has them).
     */
    public JacobianEngine.Options engine(JacobianEngine.Options base) {
        JacobianEngine.Options o = base.copy();
        o.progress = progress;
        o.cancelled = cancellation;
        o.messages = notes;
        o.trace = trace;
        return o;
    }
}
