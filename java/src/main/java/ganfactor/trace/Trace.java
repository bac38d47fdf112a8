package ganfactor.trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The spans and counters of one run. {@link #span} opens a span (close it, with
 * try-with-resources); spans on one thread nest by time, as the trace viewers draw them. A
 * recording trace ({@link #recording()}) keeps every span and counter for {@link #json()}, Chrome's
 * trace-event format (complete "X" events in microseconds, "C" counters, thread names); {@link
 * #OFF} keeps nothing. Either way each span is a JFR event {@code ganfactor.Span}, committed when
 * a flight recording is on (free otherwise). Thread-safe.
 */
public final class Trace {
    /** Records nothing (the JFR events still fire). */
    public static final Trace OFF = new Trace(false);

    static {
        // JFR's event classes load with the first span (about 60 ms); here, before any trace starts
        // its clock, so that the time does not show as a gap before a run's first span
        new SpanEvent().isEnabled();
    }

    private final boolean on;
    private final long t0 = System.nanoTime();
    private final List<String> events = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final Map<Long, String> threads = new LinkedHashMap<>();

    private Trace(boolean on) {
        this.on = on;
    }

    /** A trace that keeps its spans and counters for {@link #json()}. */
    public static Trace recording() {
        return new Trace(true);
    }

    public boolean isRecording() {
        return on;
    }

    /** Opens a span named {@code name} with arguments given as key, value pairs. */
    public Span span(String name, Object... args) {
        return new Span(this, name, args);
    }

    /**
     * A counter sample: the process's memory now (JVM heap in use, and the native bytes JavaCPP
     * tracks: physical memory of the process and the bytes its pointers hold), in MiB.
     */
    public void memory() {
        if (!on) return;
        Runtime rt = Runtime.getRuntime();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("jvm_heap_mib", (rt.totalMemory() - rt.freeMemory()) / 1048576.0);
        v.put("process_physical_mib", org.bytedeco.javacpp.Pointer.physicalBytes() / 1048576.0);
        v.put("javacpp_native_mib", org.bytedeco.javacpp.Pointer.totalBytes() / 1048576.0);
        counter("memory", v);
    }

    /** A counter sample of {@code values} (numbers) under {@code name}. */
    public void counter(String name, Map<String, Object> values) {
        if (!on) return;
        add("{\"name\":" + quote(name) + ",\"ph\":\"C\",\"ts\":" + micros(System.nanoTime()) + ",\"pid\":1,\"tid\":" + tid() + ",\"args\":" + object(values) + "}");
    }

    void finish(Span s, long end) {
        String args = s.argsJson();
        if (s.event != null && s.event.shouldCommit()) {
            s.event.args = args;
            s.event.commit();
        }
        if (!on) return;
        synchronized (this) {
            names.add(s.name);
            events.add("{\"name\":" + quote(s.name) + ",\"cat\":\"ganfactor\",\"ph\":\"X\",\"ts\":" + micros(s.start)
                    + ",\"dur\":" + String.format(Locale.ROOT, "%.3f", (end - s.start) / 1e3) + ",\"pid\":1,\"tid\":" + s.thread + ",\"args\":" + args + "}");
        }
    }

    private long tid() {
        Thread t = Thread.currentThread();
        long id = t.getId();
        synchronized (threads) {
            threads.putIfAbsent(id, t.getName());
        }
        return id;
    }

    long threadOfCaller() {
        return tid();
    }

    private synchronized void add(String event) {
        events.add(event);
    }

    private String micros(long nanos) {
        return String.format(Locale.ROOT, "%.3f", (nanos - t0) / 1e3);
    }

    /** The trace as Chrome trace-event JSON: open it in https://ui.perfetto.dev or chrome://tracing. */
    public synchronized String json() {
        StringBuilder s = new StringBuilder("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"tool\":\"ganfactor\"},\"traceEvents\":[\n");
        s.append("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":\"ganfactor\"}}");
        synchronized (threads) {
            for (Map.Entry<Long, String> t : threads.entrySet())
                s.append(",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":").append(t.getKey()).append(",\"args\":{\"name\":").append(quote(t.getValue())).append("}}");
        }
        for (String e : events) s.append(",\n").append(e);
        return s.append("\n]}\n").toString();
    }

    /** The spans recorded so far (name per span, in the order they closed): for tests. */
    public synchronized List<String> spanNames() {
        return List.copyOf(names);
    }

    static String object(Map<String, Object> m) {
        StringBuilder s = new StringBuilder("{");
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (s.length() > 1) s.append(',');
            s.append(quote(e.getKey())).append(':');
            Object v = e.getValue();
            if (v instanceof Number n && Double.isFinite(n.doubleValue())) s.append(v instanceof Double || v instanceof Float ? String.format(Locale.ROOT, "%.6g", n.doubleValue()) : n.toString());
            else if (v instanceof Boolean) s.append(v);
            else s.append(quote(String.valueOf(v)));
        }
        return s.append('}').toString();
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
