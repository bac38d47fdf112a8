package ganfactor.torch;

import ganfactor.Engine;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Generator work runs with OpenBLAS at one thread and gives the count back: once, nested, and
 * from two threads at once (the count comes back only when the last one leaves). The speed this
 * buys is measured by JMH (benchmarks/RESULTS.md), not here.
 */
class BlasPoolTest {
    @Test
    void generatorWorkHoldsOneThreadAndGivesTheCountBack() throws Exception {
        Engine.init(0);
        int before = BlasPool.threads();
        org.junit.jupiter.api.Assumptions.assumeTrue(before > 0, "the openblas preset has no thread control here");
        org.bytedeco.openblas.global.openblas_full.openblas_set_num_threads(2);
        try {
            assertEquals(1, (int) BlasPool.generatorWork(BlasPool::threads));
            assertEquals(1, (int) BlasPool.generatorWork(() -> BlasPool.generatorWork(BlasPool::threads)), "nested");
            assertEquals(2, BlasPool.threads(), "given back");

            CountDownLatch inside = new CountDownLatch(2), release = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<Integer> a = pool.submit(() -> BlasPool.generatorWork(() -> {
                    inside.countDown();
                    await(release);
                    return BlasPool.threads();
                }));
                Future<Integer> b = pool.submit(() -> BlasPool.generatorWork(() -> {
                    inside.countDown();
                    return BlasPool.threads();
                }));
                inside.await();
                assertEquals(1, (int) b.get(), "the second caller runs at one thread too");
                assertEquals(1, BlasPool.threads(), "still held while the first caller runs");
                release.countDown();
                assertEquals(1, (int) a.get());
            } finally {
                pool.shutdown();
            }
            assertEquals(2, BlasPool.threads(), "given back when the last caller left");
        } finally {
            org.bytedeco.openblas.global.openblas_full.openblas_set_num_threads(before);
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
