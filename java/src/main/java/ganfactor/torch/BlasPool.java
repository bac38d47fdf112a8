package ganfactor.torch;

import java.util.function.Supplier;

/**
 * OpenBLAS's own thread pool beside LibTorch's. LibTorch runs its intra-op work (convolutions,
 * element-wise ops) on its OpenMP threads, one per core, and hands every matrix product to
 * OpenBLAS, whose pthreads pool is also one per core: a generator that alternates the two (many
 * small products between convolutions, as StyleGAN3's filters and every model's style affines)
 * keeps twice as many threads as cores busy handing work over, and each hand-over can wait a
 * scheduler slice. Measured on this 2-core machine (one-off timings, issue 29; JMH figures in
 * benchmarks/RESULTS.md): one forward pass of the 64 px StyleGAN3 fixture took 547 ms with two
 * OpenBLAS threads and 45 ms with one; the whole W-space Jacobian of the 64 px Hammer StyleGAN2
 * fixture 876 ms against 105 ms; a 256 px StyleGAN2 (cbase 4096) 51.5 s against 38.6 s; the demo
 * (no products to speak of) 933 ms against 938 ms.
 *
 * <p>So generator work runs with OpenBLAS held at one thread ({@link #generatorWork}); LibTorch's
 * pool keeps the cores. Reference-counted, so nested and concurrent calls (two threads each
 * running a generator) hold it once and the count comes back when the last one leaves. The large
 * standalone products and factorisations of the solvers keep OpenBLAS's threads
 * ({@code ganfactor.linalg.BlasThreads} decides those). The two never block each other; when a
 * solve and a generator call overlap on two threads, one of them may run with the other's count
 * (slower, never wrong), and the count ends where it began.
 */
public final class BlasPool {
    private static final Object LOCK = new Object();
    private static int depth;
    private static int saved;
    private static volatile boolean available = true;

    private BlasPool() {}

    /** Runs {@code work} (calls into a generator module) with OpenBLAS at one thread. */
    public static <T> T generatorWork(Supplier<T> work) {
        enter();
        try {
            return work.get();
        } finally {
            exit();
        }
    }

    private static void enter() {
        synchronized (LOCK) {
            if (depth++ == 0) {
                saved = threads();
                if (saved > 1) set(1);
            }
        }
    }

    private static void exit() {
        synchronized (LOCK) {
            if (--depth == 0 && saved > 1) set(saved);
        }
    }

    /** OpenBLAS's thread count; 0 when the preset's thread control is missing (then never tried again). */
    public static int threads() {
        if (!available) return 0;
        try {
            return org.bytedeco.openblas.global.openblas_full.openblas_get_num_threads();
        } catch (Throwable t) {
            available = false;
            return 0;
        }
    }

    /** Sets OpenBLAS's thread count; false when the preset has no thread control (callers that save and restore the count keep their own lock). */
    public static boolean set(int n) {
        if (!available) return false;
        try {
            org.bytedeco.openblas.global.openblas_full.openblas_set_num_threads(n);
            return true;
        } catch (Throwable t) {
            available = false;
            return false;
        }
    }
}
