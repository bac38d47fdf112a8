package ganfactor.spark;

import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One local Spark for the whole suite: local[2,2] (two task threads; in local mode a failed task is
 * retried only when the master names a failure count, here 2 attempts), no UI, two shuffle
 * partitions. Counts started jobs and failed tasks for the tests that assert on them.
 */
final class LocalSpark {
    static final AtomicInteger JOBS = new AtomicInteger(), FAILED_TASKS = new AtomicInteger();
    private static SparkSession spark;

    private LocalSpark() {}

    static synchronized SparkSession get() {
        if (spark == null) {
            spark = SparkSession.builder().master("local[2,2]").appName("ganfactor-spark tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .getOrCreate();
            spark.sparkContext().addSparkListener(new SparkListener() {
                @Override
                public void onJobStart(SparkListenerJobStart e) {
                    JOBS.incrementAndGet();
                }

                @Override
                public void onTaskEnd(SparkListenerTaskEnd e) {
                    if (e.reason() != Success$.MODULE$) FAILED_TASKS.incrementAndGet();
                }
            });
        }
        return spark;
    }

    /** Waits until the listener bus has delivered every event posted so far. */
    static void drainEvents() {
        try {
            Thread.sleep(200);
            get().sparkContext().listenerBus().waitUntilEmpty();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tests' discovery: the float32 demo on a 32-pixel summed view (fast), ReSeFa with the command line's defaults. */
    static DiscoverySettings settings(String... regions) {
        DiscoverySettings s = new DiscoverySettings();
        s.model = ModelSpec.demo();
        s.grid = 32;
        s.reduce = "sum";
        s.regions = java.util.List.of(regions);
        return s;
    }
}
