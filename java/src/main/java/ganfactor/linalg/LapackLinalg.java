package ganfactor.linalg;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.openblas.global.openblas;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * {@link Linalg} for CPU float64 tensors by calling LAPACK directly (the OpenBLAS that LibTorch
 * itself links, through the JavaCPP openblas preset), on the tensors' own memory. What it adds
 * over {@link TorchLinalg}: partial eigensolves. {@code eighTop} and {@code
 * generalizedEighTop} use the MRRR/bisection drivers (dsyevr, dsygvx with RANGE = 'I'), which
 * compute only the k wanted eigenvectors after the tridiagonal reduction, and the generalized
 * problem runs as one LAPACK call (Cholesky, dsygst, tridiagonal solve, back-substitution).
 * Anything else (other dtypes, other devices, the SVD, Cholesky) goes to {@link TorchLinalg}.
 *
 * <p>Layout: a row-major symmetric matrix is its own column-major transpose, so it is passed
 * as is; the column-major [d, k] eigenvector output is, read row-major, [k, d] with the
 * eigenvectors as rows, this interface's convention, without a copy.
 */
public final class LapackLinalg implements Linalg {

    public static final LapackLinalg INSTANCE = new LapackLinalg();

    private static final int COL_MAJOR = 102;
    private static final double ABSTOL = 2 * Double.MIN_NORMAL; // 2 * dlamch('S'): most accurate bisection

    private LapackLinalg() {}

    @Override
    public String name() {
        return "lapack";
    }

    private static boolean mine(Tensor t) {
        return t.is_cpu() && ganfactor.torch.Torch.is(t, torch.ScalarType.Double);
    }

    @Override
    public Tensor cholesky(Tensor s) {
        return TorchLinalg.INSTANCE.cholesky(s);
    }

    @Override
    public Eigen eigh(Tensor s) {
        return TorchLinalg.INSTANCE.eigh(s);
    }

    @Override
    public Eigen eighTop(Tensor s, int k) {
        return BlasThreads.solve(s.size(0), () -> eighTopImpl(s, k));
    }

    private Eigen eighTopImpl(Tensor s, int k) {
        long n = s.size(0);
        if (!mine(s) || k >= n) return TorchLinalg.INSTANCE.eighTop(s, k);
        if (k < 1) throw new IllegalArgumentException("eighTop: k = " + k);
        Tensor a = s.contiguous().clone();
        Tensor w = torch.zeros(new long[]{n}, opts());
        Tensor z = torch.zeros(new long[]{k, n}, opts());
        try (PointerScope scope = new PointerScope()) {
            IntPointer m = new IntPointer(1), isuppz = new IntPointer(2 * (long) k);
            int info = openblas.LAPACKE_dsyevr(COL_MAJOR, (byte) 'V', (byte) 'I', (byte) 'U', (int) n, a.data_ptr_double(), (int) n,
                    0, 0, (int) (n - k + 1), (int) n, ABSTOL, m, w.data_ptr_double(), z.data_ptr_double(), (int) n, isuppz);
            if (info != 0) throw new IllegalStateException("LAPACK dsyevr failed, info = " + info);
            if (m.get() != k) throw new IllegalStateException("LAPACK dsyevr found " + m.get() + " of " + k + " eigenvalues");
        }
        return new Eigen(w.narrow(0, 0, k).flip(0).contiguous(), z.flip(0).contiguous());
    }

    @Override
    public Eigen generalizedEigh(Tensor a, Tensor b) {
        return generalizedEighTop(a, b, (int) a.size(0));
    }

    @Override
    public Eigen generalizedEighTop(Tensor a, Tensor b, int k) {
        return BlasThreads.solve(a.size(0), () -> generalizedImpl(a, b, k));
    }

    private Eigen generalizedImpl(Tensor a, Tensor b, int k) {
        long n = a.size(0);
        if (!mine(a) || !mine(b)) return TorchLinalg.INSTANCE.generalizedEighTop(a, b, k);
        if (a.dim() != 2 || a.size(1) != n || b.dim() != 2 || b.size(0) != n || b.size(1) != n)
            throw new IllegalArgumentException("generalizedEigh: A and B must be square and of one size");
        if (k < 1 || k > n) throw new IllegalArgumentException("generalizedEighTop: k = " + k + " for d = " + n);
        Tensor ac = a.contiguous().clone(), bc = b.contiguous().clone();
        Tensor w = torch.zeros(new long[]{n}, opts());
        if (2L * k > n) {
            // Most of the spectrum: divide and conquer for all of it (dsygvd) beats bisection + inverse iteration.
            int info = openblas.LAPACKE_dsygvd(COL_MAJOR, 1, (byte) 'V', (byte) 'U', (int) n, ac.data_ptr_double(), (int) n, bc.data_ptr_double(), (int) n, w.data_ptr_double());
            if (info > n) throw new NotPositiveDefiniteException(info - n, "B");
            if (info != 0) throw new IllegalStateException("LAPACK dsygvd: " + (info > 0 ? "the eigensolver failed to converge (" + info + ")" : "argument " + (-info) + " invalid"));
            // ac now holds the eigenvectors as columns (column-major) = rows of ac read row-major, ascending
            return new Eigen(w.flip(0).narrow(0, 0, k).contiguous(), ac.flip(0).narrow(0, 0, k).contiguous(), TorchLinalg.pivotRatio(bc));
        }
        Tensor z = torch.zeros(new long[]{k, n}, opts());
        try (PointerScope scope = new PointerScope()) {
            IntPointer m = new IntPointer(1), ifail = new IntPointer(n);
            int info = openblas.LAPACKE_dsygvx(COL_MAJOR, 1, (byte) 'V', (byte) 'I', (byte) 'U', (int) n, ac.data_ptr_double(), (int) n,
                    bc.data_ptr_double(), (int) n, 0, 0, (int) (n - k + 1), (int) n, ABSTOL, m, w.data_ptr_double(), z.data_ptr_double(), (int) n, ifail);
            if (info > n) throw new NotPositiveDefiniteException(info - n, "B");
            if (info != 0) throw new IllegalStateException("LAPACK dsygvx: " + (info > 0 ? info + " eigenvectors failed to converge" : "argument " + (-info) + " invalid"));
            if (m.get() != k) throw new IllegalStateException("LAPACK dsygvx found " + m.get() + " of " + k + " eigenvalues");
        }
        return new Eigen(w.narrow(0, 0, k).flip(0).contiguous(), z.flip(0).contiguous(), TorchLinalg.pivotRatio(bc));
    }

    /** x x^T by dsyrk (half a gemm), lower triangle mirrored. */
    @Override
    public Tensor rowGram(Tensor x) {
        if (!mine(x) || x.dim() != 2) return Linalg.super.rowGram(x);
        Tensor xc = x.contiguous();
        int m = (int) xc.size(0), n = (int) xc.size(1);
        Tensor c = torch.zeros(new long[]{m, m}, opts());
        // row-major x [m, n] is column-major x^T [n, m] (lda n); C = (x^T)^T x^T, upper in column-major = lower row-major
        openblas.cblas_dsyrk(COL_MAJOR, 121 /* CblasUpper */, 112 /* CblasTrans */, m, n, 1.0, xc.data_ptr_double(), n, 0.0, c.data_ptr_double(), m);
        Tensor low = c.tril();
        return low.add(low.tril(-1).t());
    }

    @Override
    public Svd svd(Tensor m) {
        return TorchLinalg.INSTANCE.svd(m);
    }

    private static TensorOptions opts() {
        return new TensorOptions(torch.ScalarType.Double);
    }
}
