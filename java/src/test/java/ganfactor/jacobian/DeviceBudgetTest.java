package ganfactor.jacobian;

import ganfactor.torch.Devices.DeviceMemory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Jacobian's memory budget on a CUDA device comes from LibTorch's view of the memory (issue
 * 31): the driver's free memory excludes what the caching allocator has reserved and freed, so a
 * second sample, after the first one's tensors were freed into the cache, would otherwise see its
 * budget fall (60 GB to 12 GB in the review's estimate) and split its Jacobian into more passes.
 * A fake memory source stands in for the device.
 */
class DeviceBudgetTest {
    static final long GB = 1_000_000_000L;

    @Test
    void theBudgetCountsWhatTheCacheHoldsUnallocated() {
        DeviceMemory first = new DeviceMemory(75 * GB, 80 * GB, 0, 0, "fake");
        // after the first sample: 62 GB reserved by the cache, 2 GB of it still allocated (kept Grams)
        DeviceMemory second = new DeviceMemory(13 * GB, 80 * GB, 62 * GB, 2 * GB, "fake");
        JacobianEngine.Budget a = JacobianEngine.budget(true, first, JacobianEngine.AUTO_BUDGET);
        JacobianEngine.Budget b = JacobianEngine.budget(true, second, JacobianEngine.AUTO_BUDGET);
        assertEquals((long) (75 * GB * 0.8), a.bytes());
        assertEquals((long) (73 * GB * 0.8), b.bytes(), "13 GB free + 60 GB cached and unallocated: " + b.source());
        assertTrue(b.source().startsWith("auto: 80% of the ") && b.source().contains("held unallocated by LibTorch's cache"), b.source());
        // a given budget is capped by the same usable memory
        JacobianEngine.Budget g = JacobianEngine.budget(true, second, 100 * GB);
        assertEquals((long) (73 * GB * 0.8), g.bytes(), g.source());
        assertEquals(10 * GB, JacobianEngine.budget(true, second, 10 * GB).bytes());
    }

    @Test
    void unknownDeviceMemoryFallsBackToTwoGibibytes() {
        JacobianEngine.Budget u = JacobianEngine.budget(true, null, JacobianEngine.AUTO_BUDGET);
        assertEquals(2L << 30, u.bytes());
        assertTrue(u.source().contains("could not be read"), u.source());
        // an allocator that reports more allocated than reserved never lowers the driver's free memory
        assertEquals(5 * GB, new DeviceMemory(5 * GB, 80 * GB, 1 * GB, 3 * GB, "fake").usable());
    }
}
