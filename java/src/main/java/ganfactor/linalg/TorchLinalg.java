package ganfactor.linalg;

import org.bytedeco.pytorch.T_TensorTensorTensor_T;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * {@link Linalg} on LibTorch's own linear algebra (LAPACK on the CPU). Tuple results are copied
 * out with {@code new Tensor(...)} before the tuple goes away (docs/JAVACPP.md).
 */
public final class TorchLinalg implements Linalg {

    public static final TorchLinalg INSTANCE = new TorchLinalg();

    private TorchLinalg() {}

    @Override
    public String name() {
        return "libtorch";
    }

    @Override
    public Tensor cholesky(Tensor s) {
        checkSquare(s, "cholesky");
        T_TensorTensor_T r = BlasThreads.solve(s.is_cpu() ? s.size(0) : Long.MAX_VALUE, () -> torch.linalg_cholesky_ex(s));
        Tensor l = new Tensor(r.get0());
        long info = (long) ganfactor.torch.Torch.scalar(new Tensor(r.get1()));   // counted host read: the factorisation's status
        if (info > 0) throw new NotPositiveDefiniteException(info, "matrix");
        if (info < 0) throw new IllegalArgumentException("cholesky: argument " + (-info) + " is invalid");
        return l;
    }

    @Override
    public Eigen eigh(Tensor s) {
        checkSquare(s, "eigh");
        T_TensorTensor_T r = BlasThreads.solve(s.is_cpu() ? s.size(0) : Long.MAX_VALUE, () -> torch.linalg_eigh(s));
        Tensor w = new Tensor(r.get0());
        Tensor v = new Tensor(r.get1());
        // LAPACK: ascending values, eigenvectors in columns. Flip to descending rows.
        return new Eigen(w.flip(0).contiguous(), v.t().flip(0).contiguous());
    }

    @Override
    public Eigen eighTop(Tensor s, int k) {
        long d = checkSquare(s, "eighTop");
        if (k < 1 || k > d) throw new IllegalArgumentException("eighTop: k = " + k + " for a " + d + " x " + d + " matrix");
        Eigen all = eigh(s);
        return new Eigen(all.values().narrow(0, 0, k).contiguous(), all.vectors().narrow(0, 0, k).contiguous());
    }

    @Override
    public Eigen generalizedEigh(Tensor a, Tensor b) {
        long d = checkSquare(a, "generalizedEigh");
        if (checkSquare(b, "generalizedEigh") != d) throw new IllegalArgumentException("generalizedEigh: A and B differ in size");
        Tensor l;
        try {
            l = cholesky(b);
        } catch (NotPositiveDefiniteException e) {
            throw new NotPositiveDefiniteException(e.order(), "B");
        }
        // C = L^-1 A L^-T, symmetrised against rounding.
        Tensor x = torch.linalg_solve_triangular(l, a, false, true, false);          // L^-1 A
        Tensor c = torch.linalg_solve_triangular(l, x.t(), false, true, false);      // L^-1 (L^-1 A)^T = L^-1 A L^-T
        c = c.add(c.t()).mul(new org.bytedeco.pytorch.Scalar(0.5));
        Eigen e = eigh(c);
        // N = L^-T U: solve L^T N = U with U's columns = e.vectors() rows.
        Tensor n = torch.linalg_solve_triangular(l.t(), e.vectors().t(), true, true, false);
        return new Eigen(e.values(), n.t().contiguous(), pivotRatio(l));
    }

    /**
     * LibTorch's SVD with the QR-based gesvd driver (CUDA tensors only: LibTorch takes a driver on
     * CUDA alone); {@link CusolverLinalg}'s fallback when Jacobi does not converge.
     */
    static Svd gesvd(Tensor m) {
        T_TensorTensorTensor_T r = torch.linalg_svd(m, false, new org.bytedeco.pytorch.StringViewOptional("gesvd"));
        return new Svd(new Tensor(r.get0()), new Tensor(r.get1()), new Tensor(r.get2()));
    }

    @Override
    public Svd svd(Tensor m) {
        if (m.dim() != 2) throw new IllegalArgumentException("svd: a matrix is needed, got " + m.dim() + " dimensions");
        T_TensorTensorTensor_T r = torch.linalg_svd(m, false, new org.bytedeco.pytorch.StringViewOptional());
        return new Svd(new Tensor(r.get0()), new Tensor(r.get1()), new Tensor(r.get2()));
    }

    /** min(L_ii^2) / max(L_ii^2) of a triangular factor. */
    static double pivotRatio(Tensor l) {
        Tensor p = l.diagonal().pow(new org.bytedeco.pytorch.Scalar(2));
        double[] mm = ganfactor.torch.Torch.scalars(p.min(), p.max());   // one counted host read (the Eigen record carries it)
        return mm[0] / mm[1];
    }

    private static long checkSquare(Tensor s, String op) {
        if (s.dim() != 2 || s.size(0) != s.size(1))
            throw new IllegalArgumentException(op + ": a square matrix is needed, got " + ganfactor.torch.Torch.shapeString(s));
        return s.size(0);
    }
}
