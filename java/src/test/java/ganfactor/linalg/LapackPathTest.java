package ganfactor.linalg;

import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link LapackLinalg} really takes its LAPACK path for CPU float64 tensors. Its dtype test once
 * compared {@code scalar_type()} by identity, which never matches (JNI returns a fresh enum object
 * per call), so every call silently went to {@link TorchLinalg}. The two routes are told apart
 * by their host reads: LAPACK reads the pivot ratio once; LibTorch's Cholesky route also reads
 * the factorisation's status.
 */
class LapackPathTest {

    @Test
    void dtypeCheckMatchesFreshEnumObjects() {
        try (PointerScope s = new PointerScope()) {
            Tensor t = torch.zeros(new long[]{2, 2}, Torch.options(torch.ScalarType.Double));
            assertNotSame(torch.ScalarType.Double, t.scalar_type(), "if this fails, JavaCPP interns enums now and == would work");
            assertTrue(Torch.is(t, torch.ScalarType.Double));
            assertFalse(Torch.is(t, torch.ScalarType.Float));
        }
    }

    @Test
    void generalizedSolveRunsOnLapack() {
        int d = 24;
        double[] a = new double[d * d], b = new double[d * d];
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        double[] x = new double[d * 2 * d];
        for (int i = 0; i < x.length; i++) x[i] = r.nextDouble() - 0.5;
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int k = 0; k < 2 * d; k++) s += x[i * 2 * d + k] * x[j * 2 * d + k];
                a[i * d + j] = s;
                b[i * d + j] = (i == j ? 1.0 : 0.0) + 0.1 * s / d;
            }
        try (PointerScope s = new PointerScope()) {
            Tensor A = Torch.of(a, d, d), B = Torch.of(b, d, d);
            long c0 = Torch.hostCopies();
            Linalg.Eigen lap = LapackLinalg.INSTANCE.generalizedEighTop(A, B, 3);
            long lapackReads = Torch.hostCopies() - c0;
            c0 = Torch.hostCopies();
            Linalg.Eigen ref = TorchLinalg.INSTANCE.generalizedEighTop(A, B, 3);
            long torchReads = Torch.hostCopies() - c0;
            assertEquals(1, lapackReads, "LAPACK route: the pivot ratio only");
            assertEquals(2, torchReads, "LibTorch route: Cholesky status and pivot ratio");
            double[] lv = Torch.toDoubles(lap.values()), rv = Torch.toDoubles(ref.values());
            for (int i = 0; i < 3; i++) assertEquals(rv[i], lv[i], 1e-10 * Math.abs(rv[0]));
        }
    }
}
