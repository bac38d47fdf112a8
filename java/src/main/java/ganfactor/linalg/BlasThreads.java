package ganfactor.linalg;

import ganfactor.torch.BlasPool;

import java.util.function.Supplier;

/**
 * OpenBLAS's thread count around the LAPACK eigensolvers and factorisations. Their panel steps
 * (the tridiagonal reduction above all) are memory-bound level-2 BLAS: on a 2-core machine one
 * OpenBLAS thread solves a 512 x 512 generalized problem faster than two (JMH LinalgBenchmark,
 * medians 53 ms against 82 ms, benchmarks/RESULTS.md), and two OpenBLAS threads next to
 * LibTorch's own intra-op threads oversubscribe the cores. Large matrix products keep all threads
 * (they scale: in a one-off timing, not JMH, a 4096^2 product took 1.3 s on two threads, 2.9 s on
 * one). Only matrices up to {@link #SINGLE_THREAD_MAX} are solved single-threaded.
 */
public final class BlasThreads {
    /** Largest order solved with one OpenBLAS thread. */
    public static final long SINGLE_THREAD_MAX = 2048;

    private static final Object LOCK = new Object();

    private BlasThreads() {}

    /** Runs {@code work} with one OpenBLAS thread when {@code order} is small enough, then restores the count. */
    public static <T> T solve(long order, Supplier<T> work) {
        // already one thread (e.g. inside single()), or no thread control in the preset: nothing to set, no need to queue
        if (order > SINGLE_THREAD_MAX || BlasPool.threads() <= 1) return work.get();
        synchronized (LOCK) {
            int before = BlasPool.threads();
            if (before <= 1 || !BlasPool.set(1)) return work.get();
            try {
                return work.get();
            } finally {
                BlasPool.set(before);
            }
        }
    }

    /**
     * Runs {@code work} (which may use several threads of its own, each calling BLAS) with
     * OpenBLAS held at one thread, then restores the count: independent solves side by side, one
     * core each, instead of each asking for all of them.
     */
    public static <T> T single(Supplier<T> work) {
        int before;
        synchronized (LOCK) {
            before = BlasPool.threads();
            if (before > 1) BlasPool.set(1);
        }
        try {
            return work.get();
        } finally {
            if (before > 1)
                synchronized (LOCK) {
                    BlasPool.set(before);
                }
        }
    }
}
