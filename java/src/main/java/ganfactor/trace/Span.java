package ganfactor.trace;

import java.util.LinkedHashMap;
import java.util.Map;

/** An open span of a {@link Trace}: closing it records its duration (and commits its JFR event). */
public final class Span implements AutoCloseable {
    final String name;
    final long start;
    final long thread;
    final SpanEvent event;
    private final Trace trace;
    private final Map<String, Object> args = new LinkedHashMap<>();
    private boolean closed;

    Span(Trace trace, String name, Object[] kv) {
        this.trace = trace;
        this.name = name;
        for (int i = 0; i + 1 < kv.length; i += 2) args.put(String.valueOf(kv[i]), kv[i + 1]);
        this.thread = trace.threadOfCaller();
        SpanEvent e = new SpanEvent();
        if (e.isEnabled()) {
            e.name = name;
            e.begin();
            this.event = e;
        } else {
            this.event = null;
        }
        this.start = System.nanoTime();
    }

    /** Adds an argument known only during the span (a chunk that was halved, a count). */
    public Span arg(String key, Object value) {
        args.put(key, value);
        return this;
    }

    String argsJson() {
        return Trace.object(args);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        trace.finish(this, System.nanoTime());
    }
}
