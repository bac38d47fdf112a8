package ganfactor.studio;

import ganfactor.jacobian.Progress;
import ganfactor.pipeline.Cancellation;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One long piece of engine work (a discovery, a "make it local" projection): its cancellation
 * token, its progress as the engine reports it (the Jacobian passes), its outcome, and when a
 * client last asked about it. A job nobody has asked about for the heartbeat timeout (the tab was
 * closed) is cancelled by the studio's watchdog.
 */
public final class Job implements Progress {
    public enum State { RUNNING, DONE, CANCELLED, FAILED }

    private final long id;
    private final String kind;
    private final Cancellation cancellation = new Cancellation();
    private final long started = System.nanoTime();
    private volatile State state = State.RUNNING;
    private volatile String label = "starting";
    private volatile long total, done;
    private volatile long lastSeen = System.nanoTime();
    private volatile String message;
    private volatile String cancelReason;
    private volatile Map<String, Object> result;
    private volatile double seconds = Double.NaN;
    /** The job's spans (its Jacobian passes, solves, RPCA iterations...), served as a Chrome trace by GET /api/job/{id}/trace. */
    private final ganfactor.trace.Trace trace = ganfactor.trace.Trace.recording();

    Job(long id, String kind) {
        this.id = id;
        this.kind = kind;
    }

    public long id() { return id; }
    public String kind() { return kind; }
    public State state() { return state; }
    public Cancellation cancellation() { return cancellation; }

    /** The job's run context: its token and its progress (this job); the library's notes are dropped (the studio shows the job's state). */
    public ganfactor.pipeline.RunContext context() {
        return ganfactor.pipeline.RunContext.QUIET.withCancellation(cancellation).withProgress(this).withTrace(trace);
    }
    public long passesDone() { return done; }

    /** A client asked about the job: it is still wanted. */
    void seen() {
        lastSeen = System.nanoTime();
    }

    long millisSinceSeen() {
        return (System.nanoTime() - lastSeen) / 1_000_000;
    }

    /** Asks the work to stop at its next check (between Jacobian passes). */
    void cancel(String reason) {
        if (state != State.RUNNING) return;
        if (cancelReason == null) cancelReason = reason;
        cancellation.cancel();
    }

    void finish(Map<String, Object> result) {
        this.result = result;
        this.seconds = (System.nanoTime() - started) / 1e9;
        this.state = State.DONE;
    }

    void fail(State s, String message) {
        this.message = message;
        this.seconds = (System.nanoTime() - started) / 1e9;
        this.state = s;
    }

    @Override
    public void begin(String label, long total) {
        this.label = label;
        this.done = 0;
        this.total = total;
    }

    @Override
    public void advance(long steps) {
        done += steps;
    }

    @Override
    public void end() {}

    /** The job's trace as Chrome trace-event JSON (Perfetto), what it has recorded so far. */
    public String traceJson() {
        return trace.json();
    }

    /** The job as JSON: state, progress, and the result or the reason it stopped. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("kind", kind);
        m.put("state", state.name().toLowerCase(java.util.Locale.ROOT));
        m.put("label", label);
        m.put("done", done);
        m.put("total", total);
        m.put("fraction", total > 0 ? Math.min(1.0, done / (double) total) : 0.0);
        m.put("seconds", Double.isNaN(seconds) ? (System.nanoTime() - started) / 1e9 : seconds);
        if (message != null) m.put("message", message);
        if (cancelReason != null) m.put("cancel_reason", cancelReason);
        if (result != null) m.put("result", result);
        return m;
    }
}
