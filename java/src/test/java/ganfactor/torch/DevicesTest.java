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

    /** A stand-in for the native steps: each answers, or throws what it was given. */
    static Devices.Natives natives(Object torchCuda, Object libraries, Object presets, Object handles, AtomicInteger touched) {
        return new Devices.Natives() {
            public boolean torchCuda() { return (Boolean) answer(torchCuda); }
            public int deviceCount() { return 1; }
            public String torchCudaLibraries() { touched.incrementAndGet(); return (String) answer(libraries); }
            public String cudaPresets() { touched.incrementAndGet(); return (String) answer(presets); }
            public String handles() { touched.incrementAndGet(); return (String) answer(handles); }
        };
    }

    private static Object answer(Object o) {
        if (o instanceof Error e) throw e;
        if (o instanceof RuntimeException e) throw e;
        return o;
    }

    @Test
    void cudaClassesAreNotTouchedWhenLibTorchSeesNoCuda() {
        AtomicInteger touched = new AtomicInteger();
        Devices.Probe p = Devices.probe(natives(false, "loaded", "loaded", "ok", touched));
        assertFalse(p.cuda());
        assertEquals(0, touched.get(), "CUDA classes must not be touched when LibTorch has no CUDA");
        assertEquals(1, p.steps().size());
        assertFalse(p.steps().get(0).ok());
    }

    @Test
    void probeSurvivesFailuresAndSaysWhichStepFailed() {
        AtomicInteger touched = new AtomicInteger();
        Devices.Probe a = Devices.probe(natives(new UnsatisfiedLinkError("no jnitorch_cuda"), "", "", "", touched));
        assertFalse(a.cuda());
        assertTrue(a.note().contains("UnsatisfiedLinkError"), a.note());

        // issue 31: torch_cuda_linalg missing (JavaCPP extracts only what it loads): CUDA is not used, and the step says why
        Devices.Probe l = Devices.probe(natives(true, new UnsatisfiedLinkError("Error in dlopen: libtorch_cuda_linalg.so: cannot open shared object file"), "runtime 13.0", "ok", touched));
        assertFalse(l.cuda(), "no linear algebra on the device: CUDA unusable");
        assertTrue(l.note().contains("torch_cuda_linalg") && l.note().contains("UnsatisfiedLinkError: Error in dlopen: libtorch_cuda_linalg.so"), l.note());
        assertEquals("libtorch cuda libraries", l.steps().get(1).name());
        assertFalse(l.steps().get(1).ok());
        InputException e = assertThrows(InputException.class, () -> Devices.select("cuda", () -> l));
        assertTrue(e.getMessage().contains("libtorch_cuda_linalg.so"), e.getMessage());
        assertEquals(ComputeDevice.CPU, Devices.select("auto", () -> l));

        // LibTorch's CUDA works but the CUDA preset fails (its class is then dead for the JVM): LibTorch's CUDA linalg instead
        Devices.Probe b = Devices.probe(natives(true, "loaded", new NoClassDefFoundError("org/bytedeco/cuda/global/cudart"), "ok", touched));
        assertTrue(b.cuda());
        assertFalse(b.cusolver());
        assertTrue(b.note().contains("did not load") && b.note().contains("NoClassDefFoundError"), b.note());
        assertFalse(b.note().contains("\n"));
        assertEquals(new ComputeDevice(true, false), Devices.select("cuda", () -> b));

        // the handles fail: the same fallback, said as such
        Devices.Probe h = Devices.probe(natives(true, "loaded", "CUDA runtime 13.0, driver 13.0", new IllegalStateException("getCurrentCUDASolverDnHandle() returned null"), touched));
        assertTrue(h.cuda());
        assertFalse(h.cusolver());
        assertTrue(h.note().contains("handles failed") && h.note().contains("returned null") && h.note().contains("CUDA runtime 13.0"), h.note());

        Devices.Probe ok = Devices.probe(natives(true, "loaded", "CUDA runtime 13.0, driver 13.0", "ok", touched));
        assertTrue(ok.cuda() && ok.cusolver());
        assertEquals(4, ok.steps().size());
        assertTrue(ok.steps().stream().allMatch(Devices.Step::ok));
        assertTrue(ok.note().contains("CUDA runtime 13.0, driver 13.0"), ok.note());
    }

    @Test
    void versionsReadAsCudaDoes() {
        assertEquals("13.0", Devices.version(13000));
        assertEquals("12.8", Devices.version(12080));
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
        assertTrue(e.getMessage().startsWith("device cuda: CUDA is not available"), e.getMessage());   // the setting by its registry name
        assertTrue(e.worded(s -> "--" + s).startsWith("--device cuda: CUDA is not available"), e.getMessage());   // as the CLI words it
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
