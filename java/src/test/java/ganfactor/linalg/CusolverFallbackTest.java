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
            // checked against identities of the answers, not against another route through the same code
            Linalg.Eigen e = cu.eigh(m);
            double[] lam = Torch.toDoubles(e.values()), v = Torch.toDoubles(e.vectors());
            for (int k = 0; k < d; k++) {
                if (k > 0) assertTrue(lam[k] <= lam[k - 1], "descending");
                for (int i = 0; i < d; i++) {      // S v_k = lambda_k v_k, to 1e-12 of ||S|| ~ 2d
                    double r = 0;
                    for (int j = 0; j < d; j++) r += s[i * d + j] * v[k * d + j];
                    assertEquals(lam[k] * v[k * d + i], r, 1e-12 * 2 * d);
                }
            }
            double trace = 0, sum = 0;
            for (int i = 0; i < d; i++) { trace += s[i * d + i]; sum += lam[i]; }
            assertEquals(trace, sum, 1e-12 * trace);
            assertArrayEquals(java.util.Arrays.copyOf(lam, 2), Torch.toDoubles(cu.eighTop(m, 2).values()), 1e-12 * 2 * d);
            // A n = lambda B n with B = 2 A: every generalized eigenvalue is 1/2
            for (double g : Torch.toDoubles(cu.generalizedEighTop(m, m.add(m), 2).values())) assertEquals(0.5, g, 1e-12);
            double[] l = Torch.toDoubles(cu.cholesky(m));   // L L^T = S, L lower triangular
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++) {
                    if (j > i) assertEquals(0, l[i * d + j], 0);
                    double r = 0;
                    for (int k = 0; k < d; k++) r += l[i * d + k] * l[j * d + k];
                    assertEquals(s[i * d + j], r, 1e-12 * 2 * d);
                }
            double[] gram = Torch.toDoubles(cu.rowGram(m));   // rows' inner products by hand
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++) {
                    double r = 0;
                    for (int k = 0; k < d; k++) r += s[i * d + k] * s[j * d + k];
                    assertEquals(r, gram[i * d + j], 1e-12 * r);
                }
            double[] sv = Torch.toDoubles(cu.svd(m).s());   // S is symmetric positive definite: singular values = eigenvalues
            assertArrayEquals(lam, sv, 1e-12 * 2 * d);
        }
        // what Linalg.forDevice picks, without touching CUDA
        assertSame(TorchLinalg.INSTANCE, Linalg.forDevice(new ComputeDevice(true, false), LapackLinalg.INSTANCE));
        assertInstanceOf(CusolverLinalg.class, Linalg.forDevice(new ComputeDevice(true, true), LapackLinalg.INSTANCE));
    }
}
