package ganfactor.spark;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A line on the executor's standard error every {@link #INTERVAL_NANOS} while a partition works
 * through its codes: a partition of many codes (the aggregate job's 50 codes of the default view
 * took 295 s here) is otherwise silent until it ends, when the driver's {@link PartitionLog}
 * prints. In local mode the line reaches the console; on a cluster, the executor's log.
 * {@code --quiet} turns it off with the partition lines.
 */
final class CodeProgress {
    static final long INTERVAL_NANOS = 30_000_000_000L;

    private final String job;
    private final int partition;
    private final PrintStream err;
    private final LongSupplier clock;
    private final boolean enabled;
    private final long started;
    private long last;
    private int done;

    CodeProgress(String job, int partition, boolean enabled, PrintStream err, LongSupplier clock) {
        this.job = job;
        this.partition = partition;
        this.enabled = enabled;
        this.err = err;
        this.clock = clock;
        this.started = this.last = clock.getAsLong();
    }

    /** For the running task: its partition (0 outside Spark), System.err, the system clock. */
    static CodeProgress of(String job, boolean enabled) {
        org.apache.spark.TaskContext tc = org.apache.spark.TaskContext.get();
        return new CodeProgress(job, tc == null ? 0 : tc.partitionId(), enabled, System.err, System::nanoTime);
    }

    /** One more code done. */
    void tick() {
        done++;
        if (!enabled) return;
        long now = clock.getAsLong();
        if (now - last < INTERVAL_NANOS) return;
        last = now;
        double el = (now - started) / 1e9;
        err.printf(Locale.ROOT, "ganfactor-spark: %s partition %d: %d code(s) done in %s (%.1f s a code)%n", job, partition, done,
                ganfactor.jacobian.Progress.duration(el), el / done);
        err.flush();
    }
}
