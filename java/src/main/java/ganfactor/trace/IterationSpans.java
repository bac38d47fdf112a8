package ganfactor.trace;

import java.util.Arrays;

/**
 * Spans over groups of an iterative solver's iterations ("rpca iterations", first 1, last 25),
 * opened and closed on the loop's own thread, so that a trace shows where a long solve spent its
 * time without one event per iteration. Not thread-safe: one per loop.
 */
public final class IterationSpans implements AutoCloseable {
    /** Iterations per span unless a caller says otherwise. */
    public static final int GROUP = 25;

    private final Trace trace;
    private final String name;
    private final int group;
    private final Object[] args;
    private Span open;
    private int last;

    /** Spans named {@code name} of {@code group} iterations each, with {@code args} (key, value pairs) on each. */
    public IterationSpans(Trace trace, String name, int group, Object... args) {
        if (group < 1) throw new IllegalArgumentException("group must be positive");
        this.trace = trace;
        this.name = name;
        this.group = group;
        this.args = Arrays.copyOf(args, args.length + 2);
        this.args[args.length] = "first";
    }

    /** Called as iteration {@code it} (1-based) begins: closes the group before it and opens a new one every {@code group} iterations. */
    public void begin(int it) {
        if ((it - 1) % group == 0) {
            close();
            args[args.length - 1] = it;
            open = trace.span(name, args);
        }
        last = it;
    }

    /** Closes the open group, naming its last iteration. */
    @Override
    public void close() {
        if (open == null) return;
        open.arg("last", last).close();
        open = null;
    }
}
