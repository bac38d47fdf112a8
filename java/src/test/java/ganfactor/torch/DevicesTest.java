package ganfactor.torch;

import ganfactor.InputException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** The CUDA probe and the --device choice, with the native steps injected where a GPU would be needed. */
class DevicesTest {

    @Test
    void realProbeNeverThrowsAndRunsOnce() {
        Devices.Probe p = assertDoesNotThrow(() -> Devices.probe());
        assertNotNull(p.note());
        assertSame(p, Devices.probe(), "the probe runs once per JVM");
        if (!p.cuda()) assertFalse(p.cusolver(), "no CUDA preset without LibTorch CUDA");
    }

    @Test
    void presetsAreNotTouchedWhenLibTorchSeesNoCuda() {
        AtomicInteger touched = new AtomicInteger();
        Devices.Probe p = Devices.probe(() -> false, () -> { touched.incrementAndGet(); return "loaded"; });
        assertFalse(p.cuda());
        assertEquals(0, touched.get(), "CUDA preset classes must not be touched when LibTorch has no CUDA");
    }

    @Test
    void probeSurvivesFailures() {
        Devices.Probe a = Devices.probe(() -> { throw new UnsatisfiedLinkError("no jnitorch_cuda"); }, () -> "loaded");
        assertFalse(a.cuda());
        assertTrue(a.note().contains("UnsatisfiedLinkError"), a.note());
        // LibTorch sees CUDA but the CUDA preset fails (its class is then dead for the JVM): LibTorch's CUDA linalg instead
        Devices.Probe b = Devices.probe(() -> true, () -> { throw new NoClassDefFoundError("org/bytedeco/cuda/global/cudart"); });
        assertTrue(b.cuda());
        assertFalse(b.cusolver());
        assertTrue(b.note().contains("did not load"), b.note());
        assertFalse(b.note().contains("\n"));
    }

    @Test
    void selection() {
        Devices.Probe none = new Devices.Probe(false, false, 0, "not available (test)");
        Devices.Probe gpu = new Devices.Probe(true, true, 1, "1 device(s)");
        assertEquals(ComputeDevice.CPU, Devices.select("cpu", () -> { throw new AssertionError("--device cpu must not probe CUDA"); }));
        assertEquals(ComputeDevice.CPU, Devices.select("auto", () -> none));
        assertEquals(ComputeDevice.CPU, Devices.select(null, () -> none));
        assertEquals(new ComputeDevice(true, true), Devices.select("auto", () -> gpu));
        assertEquals(new ComputeDevice(true, true), Devices.select("CUDA", () -> gpu));
        InputException e = assertThrows(InputException.class, () -> Devices.select("cuda", () -> none));
        assertTrue(e.getMessage().startsWith("--device cuda: CUDA is not available"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        InputException u = assertThrows(InputException.class, () -> Devices.select("tpu", () -> none));
        assertTrue(u.getMessage().contains("expected auto, cpu or cuda"), u.getMessage());
    }

    @Test
    void cpuDeviceHasNoMemoryInfoAndCpuLinalgIsUnchanged() {
        assertNull(Devices.memoryInfo(ComputeDevice.CPU));
        assertSame(ganfactor.linalg.LapackLinalg.INSTANCE, ganfactor.linalg.Linalg.forDevice(ComputeDevice.CPU, ganfactor.linalg.LapackLinalg.INSTANCE));
        assertEquals("cpu", ComputeDevice.CPU.label());
    }
}
