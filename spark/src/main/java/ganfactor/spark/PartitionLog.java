package ganfactor.spark;

import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The progress line per finished partition (beside Spark's UI): stage, partition, attempt, time,
 * records read and written, or the failure that Spark will retry. Runs on the driver.
 */
public final class PartitionLog extends SparkListener {
    private final PrintStream out;

    public PartitionLog(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
        var info = e.taskInfo();
        var m = e.taskMetrics();
        boolean ok = e.reason() == Success$.MODULE$;
        String counts = m == null ? "" : String.format(Locale.ROOT, ", %d record(s) in, %d written",
                m.inputMetrics().recordsRead() + m.shuffleReadMetrics().recordsRead(), m.outputMetrics().recordsWritten());
        out.printf(Locale.ROOT, "ganfactor-spark: stage %d partition %d (attempt %d) %s in %.1f s on %s%s%n", e.stageId(), info.index(), info.attemptNumber(),
                ok ? "finished" : "FAILED (" + e.reason().getClass().getSimpleName() + ", Spark retries it up to spark.task.maxFailures)", info.duration() / 1e3,
                info.executorId(), counts);
    }
}
