package ganfactor.linalg;

import ganfactor.TestSupport;
import ganfactor.torch.ComputeDevice;
import ganfactor.torch.Devices;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * CPU vs GPU parity: cuSOLVER ({@link CusolverLinalg}) against LAPACK ({@link LapackLinalg}) on
 * random Grams, and the demo generator's Grams and ReSeFa directions computed on the GPU against
 * the CPU. Skipped, with the reason, on a machine without a usable CUDA device and CUDA preset.
 *
 * <p>The assertions live in {@link ganfactor.check.GpuParity} (with their tolerances), so that
 * {@code ganfactor gpu-check} runs the same ones on a device machine without JUnit.
 */
class CusolverParityTest {
    static ComputeDevice gpu;

    /** Per test (not once per class), so that each test is reported as skipped with the reason. */
    @BeforeEach
    void needsGpu() {
        Devices.Probe p = Devices.probe();
        assumeTrue(p.cuda() && p.cusolver(), "skipped: no usable CUDA GPU and CUDA preset on this machine (" + p.note() + ")");
        gpu = new ComputeDevice(true, true);
    }

    @Test
    void randomGramsMatchLapack() {
        System.out.println(ganfactor.check.GpuParity.cusolverMatchesLapack(gpu));
    }

    @Test
    void notPositiveDefiniteIsReported() {
        System.out.println(ganfactor.check.GpuParity.notPositiveDefiniteIsReported(gpu));
    }

    @Test
    void demoGramsAndDirectionsMatchTheCpu() {
        System.out.println(ganfactor.check.GpuParity.demoGramsAndDirectionsMatchTheCpu(TestSupport.demo64(), gpu));
    }
}
