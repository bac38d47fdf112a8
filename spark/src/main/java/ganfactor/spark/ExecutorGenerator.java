package ganfactor.spark;

import ganfactor.Engine;
import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.torch.ComputeDevice;
import ganfactor.torch.Devices;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One generator per JVM (an executor, or the driver in local mode), loaded on first use and
 * reused by every later task and job that asks for the same {@link ModelSpec} on the same device.
 * A JVM holds at most one: a different spec replaces it only when no task is using it.
 *
 * <p>Device: a task that Spark's resource scheduling gave a GPU ({@code spark.task.resource.gpu.amount}
 * with {@code spark.executor.resource.gpu.amount} and a discovery script) runs on CUDA; the library
 * drives {@code cuda:0}, so an executor must see its own GPU as device 0 (GPU isolation, as YARN
 * and Kubernetes provide, or CUDA_VISIBLE_DEVICES per executor); an address other than 0 on a
 * machine with several visible GPUs is refused rather than silently shared. Without a GPU the
 * task runs on the CPU with LibTorch's intra-op threads set to the executor's cores (or
 * {@link ModelSpec#threads()} when given).
 *
 * <p>Forward-mode Jacobians enter LibTorch's forward-AD dual level, which is process-wide state, not
 * a thread's: two threads computing forward-mode Jacobians on one generator at once did not finish
 * within 13 minutes here (one alone takes under a second), so {@link #exclusive} runs such work one
 * task at a time per JVM. Sampling and scoring (plain forward passes) run concurrently.
 */
public final class ExecutorGenerator {
    private static Generator current;
    private static String currentKey;
    private static int users;
    private static final ReentrantLock DUAL_LEVEL = new ReentrantLock(true);

    private ExecutorGenerator() {}

    /** A generator lent to one task; closing the lease returns it (the generator stays loaded). */
    public static final class Lease implements AutoCloseable {
        private final Generator generator;
        private boolean closed;

        private Lease(Generator g) {
            this.generator = g;
        }

        public Generator generator() {
            return generator;
        }

        @Override
        public void close() {
            synchronized (ExecutorGenerator.class) {
                if (!closed) {
                    closed = true;
                    users--;
                }
            }
        }
    }

    /** The JVM's generator for {@code spec}, on the task's device (the CPU outside a task). */
    public static synchronized Lease lease(ModelSpec spec) {
        ComputeDevice dev = device(spec);
        String key = spec + "@" + dev.label();
        if (current == null || current.isClosed() || !key.equals(currentKey)) {
            Engine.loadNatives();
            Engine.init(threads(spec));
            Generator g = Generator.open(spec.model());   // a bad model fails here, and the JVM keeps the generator it had
            for (String w : g.warnings()) System.err.println("ganfactor-spark: warning: " + g.source() + ": " + w);   // the executor's log
            g.to(spec.dtype());
            g = g.to(dev);
            if (current != null && !current.isClosed() && users > 0) {
                g.close();
                throw new IllegalStateException("this JVM serves " + currentKey + " to a running task; it cannot load " + key + " beside it (one generator per JVM)");
            }
            if (current != null) current.close();
            current = g;
            currentKey = key;
        }
        users++;
        return new Lease(current);
    }

    /** Runs {@code work} while no other task of this JVM holds LibTorch's forward-AD dual level. */
    public static <T> T exclusive(Supplier<T> work) {
        DUAL_LEVEL.lock();
        try {
            return work.get();
        } finally {
            DUAL_LEVEL.unlock();
        }
    }

    /** Closes the JVM's generator (tests and the launcher's shutdown); refused while a task holds it. */
    public static synchronized void release() {
        if (users > 0) throw new IllegalStateException(users + " task(s) still use the generator");
        if (current != null) current.close();
        current = null;
        currentKey = null;
    }

    /** The task's device: CUDA when Spark assigned a GPU and the policy allows it, else the CPU. */
    static ComputeDevice device(ModelSpec spec) {
        if (spec.device().equals("cpu")) return ComputeDevice.CPU;
        TaskContext tc = TaskContext.get();
        if (tc == null || !tc.resources().contains("gpu")) return ComputeDevice.CPU;
        ResourceInformation gpu = tc.resources().apply("gpu");
        String[] addresses = gpu.addresses();
        ComputeDevice d = Devices.select("cuda");   // a clear InputException when CUDA is not usable here
        if (addresses.length > 0 && !addresses[0].equals("0") && Devices.probe().deviceCount() > 1)
            throw new InputException("Spark gave this task GPU " + addresses[0] + ", but ganfactor drives cuda:0 and this executor sees "
                    + Devices.probe().deviceCount() + " GPUs: isolate one GPU per executor (YARN/Kubernetes GPU isolation, or CUDA_VISIBLE_DEVICES)");
        return d;
    }

    /**
     * LibTorch's intra-op threads for this JVM: the spec's, else all the executor's cores
     * (spark.executor.cores on a cluster, the machine's in local mode). Not divided by the task
     * slots: the Jacobian passes, which dominate, run one at a time per JVM ({@link #exclusive}).
     */
    static int threads(ModelSpec spec) {
        if (spec.threads() > 0) return spec.threads();
        int cores = Runtime.getRuntime().availableProcessors();
        SparkEnv env = SparkEnv.get();
        if (env == null || env.conf().get("spark.master", "local").startsWith("local")) return cores;
        return Math.max(1, Math.min(cores, env.conf().getInt("spark.executor.cores", cores)));
    }
}
