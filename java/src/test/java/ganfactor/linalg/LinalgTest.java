package ganfactor.linalg;

import ganfactor.Engine;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The two CPU implementations of {@link Linalg} are independent code paths (LibTorch's full
 * eigh after an explicit Cholesky reduction, and LAPACK's dsygvx/dsyevr partial solvers called
 * directly); they must agree. Matrices are well separated (eigenvalue gaps >= 1e-3 relative), so
 * eigenvectors are determined to ~1e-12 in float64; the bound 1e-9 leaves margin.
 */
class LinalgTest {
    @BeforeAll
    static void init() {
        Engine.init(0);
    }

    static Tensor spd(int d, int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[rows * d];
        for (int i = 0; i < x.length; i++) x[i] = r.nextDouble() - 0.5 + (i % d == 0 ? 0.3 : 0);
        Tensor t = Torch.of(x, rows, d);
        return t.t().mm(t);
    }

    static double absCos(Tensor a, Tensor b) {
        double[] x = Torch.toDoubles(a), y = Torch.toDoubles(b);
        double d = 0, nx = 0, ny = 0;
        for (int i = 0; i < x.length; i++) { d += x[i] * y[i]; nx += x[i] * x[i]; ny += y[i] * y[i]; }
        return Math.abs(d) / Math.sqrt(nx * ny);
    }

    @Test
    void lapackAndLibtorchAgreeOnTheGeneralizedProblem() {
        try (PointerScope s = new PointerScope()) {
            int d = 120;
            Tensor a = spd(d, 200, 1), b = spd(d, 400, 2);
            Linalg.Eigen t = TorchLinalg.INSTANCE.generalizedEigh(a, b);
            for (int k : new int[]{10, d}) { // dsygvx (a few) and dsygvd (most of the spectrum)
            Linalg.Eigen l = LapackLinalg.INSTANCE.generalizedEighTop(a, b, k);
            double[] tv = Torch.toDoubles(t.values()), lv = Torch.toDoubles(l.values());
            for (int i = 0; i < k; i++) {
                assertEquals(tv[i], lv[i], 1e-10 * tv[0], "eigenvalue " + i);
                assertTrue(absCos(t.vectors().select(0, i), l.vectors().select(0, i)) > 1 - 1e-9, "vector " + i);
            }
            // B-orthonormal, as sygv returns them
            Tensor g = l.vectors().mm(b).mm(l.vectors().t());
            double[] gv = Torch.toDoubles(g);
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++) assertEquals(i == j ? 1 : 0, gv[i * k + j], 1e-9);
            }
        }
    }

    @Test
    void partialAndRandomizedEighMatchTheFullOne() {
        try (PointerScope s = new PointerScope()) {
            int d = 300, k = 8;
            Tensor m = spd(d, 40, 3); // rank 40: a fast-decaying spectrum like a background Gram
            Linalg.Eigen full = TorchLinalg.INSTANCE.eigh(m);
            Linalg.Eigen top = LapackLinalg.INSTANCE.eighTop(m, k);
            // k + oversample = 48 >= rank 40: the sketch captures the whole range, so the answer is exact
            Linalg.Eigen rnd = RandomizedEigh.top(LapackLinalg.INSTANCE, m, k, 40, 1, 7);
            Linalg.Eigen nys = RandomizedEigh.nystrom(LapackLinalg.INSTANCE, m, k, 40, 0, 7);
            Linalg.Eigen nys1 = RandomizedEigh.nystrom(LapackLinalg.INSTANCE, m, k, 40, 1, 7);
            double[] fv = Torch.toDoubles(full.values()), tv = Torch.toDoubles(top.values()), rv = Torch.toDoubles(rnd.values());
            double[] nv = Torch.toDoubles(nys.values()), nv1 = Torch.toDoubles(nys1.values());
            for (int i = 0; i < k; i++) {
                assertEquals(fv[i], tv[i], 1e-10 * fv[0]);
                assertEquals(fv[i], rv[i], 1e-9 * fv[0]);
                assertTrue(absCos(full.vectors().select(0, i), top.vectors().select(0, i)) > 1 - 1e-9);
                assertTrue(absCos(full.vectors().select(0, i), rnd.vectors().select(0, i)) > 1 - 1e-9);
                assertEquals(fv[i], nv[i], 1e-9 * fv[0]);
                assertEquals(fv[i], nv1[i], 1e-9 * fv[0]);
                assertTrue(absCos(full.vectors().select(0, i), nys.vectors().select(0, i)) > 1 - 1e-9);
                assertTrue(absCos(full.vectors().select(0, i), nys1.vectors().select(0, i)) > 1 - 1e-9);
            }
        }
    }

    @Test
    void notPositiveDefiniteIsReportedNotCrashed() {
        try (PointerScope s = new PointerScope()) {
            Tensor a = spd(20, 30, 4), b = spd(20, 5, 5); // rank 5
            b = b.sub(org.bytedeco.pytorch.global.torch.eye(20, Torch.options(org.bytedeco.pytorch.global.torch.ScalarType.Double)));
            Tensor bb = b;
            assertThrows(NotPositiveDefiniteException.class, () -> LapackLinalg.INSTANCE.generalizedEighTop(a, bb, 3));
            assertThrows(NotPositiveDefiniteException.class, () -> TorchLinalg.INSTANCE.generalizedEigh(a, bb));
        }
    }

    @Test
    void rowGramBySyrkEqualsTheProduct() {
        try (PointerScope s = new PointerScope()) {
            Tensor x = spd(7, 9, 6).narrow(0, 0, 5).mm(spd(7, 30, 8)); // [5, 7], arbitrary
            double[] ref = Torch.toDoubles(x.mm(x.t())), got = Torch.toDoubles(LapackLinalg.INSTANCE.rowGram(x));
            for (int i = 0; i < ref.length; i++) assertEquals(ref[i], got[i], 1e-12 * Math.abs(ref[0]) + 1e-12);
        }
    }
}
