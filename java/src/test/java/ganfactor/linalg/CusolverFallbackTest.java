package ganfactor.linalg;

import ganfactor.torch.ComputeDevice;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link CusolverLinalg} hands tensors that are not on a CUDA device to its CPU implementation
 * without initialising any CUDA class (on a machine without CUDA that would throw
 * UnsatisfiedLinkError here, and poison the class for the JVM), so GANSpace's and SeFa's host
 * matrices work on a CUDA run. Runs everywhere.
 */
class CusolverFallbackTest {

    @Test
    void cpuTensorsGoToTheCpuImplementation() {
        CusolverLinalg cu = new CusolverLinalg(LapackLinalg.INSTANCE);
        assertEquals("cusolver", cu.name());
        int d = 6;
        double[] s = new double[d * d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) s[i * d + j] = (i == j ? d + i : 0) + 1.0 / (1 + i + j);
        try (PointerScope scope = new PointerScope()) {
            Tensor m = Torch.of(s, d, d);
            assertArrayEquals(Torch.toDoubles(TorchLinalg.INSTANCE.eigh(m).values()), Torch.toDoubles(cu.eigh(m).values()), 1e-12);
            assertArrayEquals(Torch.toDoubles(LapackLinalg.INSTANCE.eighTop(m, 2).values()), Torch.toDoubles(cu.eighTop(m, 2).values()), 1e-12);
            assertArrayEquals(Torch.toDoubles(LapackLinalg.INSTANCE.generalizedEighTop(m, m.add(m), 2).values()),
                    Torch.toDoubles(cu.generalizedEighTop(m, m.add(m), 2).values()), 1e-12);
            assertArrayEquals(Torch.toDoubles(TorchLinalg.INSTANCE.cholesky(m)), Torch.toDoubles(cu.cholesky(m)), 1e-12);
            assertArrayEquals(Torch.toDoubles(m.mm(m.t())), Torch.toDoubles(cu.rowGram(m)), 1e-12);
            assertArrayEquals(Torch.toDoubles(TorchLinalg.INSTANCE.svd(m).s()), Torch.toDoubles(cu.svd(m).s()), 1e-12);
        }
        // what Linalg.forDevice picks, without touching CUDA
        assertSame(TorchLinalg.INSTANCE, Linalg.forDevice(new ComputeDevice(true, false), LapackLinalg.INSTANCE));
        assertInstanceOf(CusolverLinalg.class, Linalg.forDevice(new ComputeDevice(true, true), LapackLinalg.INSTANCE));
    }
}
