package ganfactor.linalg;

import org.bytedeco.pytorch.Tensor;

/**
 * The dense kernels every method needs, behind one small interface so that the algorithms never
 * know whether LAPACK (through LibTorch on the CPU) or cuSOLVER does the work.
 *
 * <p>Conventions, shared by every implementation: inputs are symmetric (or general for the SVDs)
 * float64 or float32 tensors on the implementation's device and are not modified; results live on
 * the same device, in the input's dtype, and belong to the caller's {@code PointerScope}.
 * Eigenvalues and singular values come in DESCENDING order; eigenvectors and right singular
 * vectors come as ROWS (row i belongs to value i), which is torch's row-major view of the
 * column-major LAPACK/cuSOLVER output.
 */
public interface Linalg {

    /**
     * Eigenvalues [k] (descending) and eigenvectors as rows [k, d]. For the generalized problem,
     * {@code pivotRatio} is min(L_ii^2) / max(L_ii^2) of the Cholesky factor of B (a cheap
     * lower bound on how singular B is numerically); NaN where it does not apply.
     */
    record Eigen(Tensor values, Tensor vectors, double pivotRatio) {
        public Eigen(Tensor values, Tensor vectors) {
            this(values, vectors, Double.NaN);
        }
    }

    /** m = u diag(s) vh with u [m, r], s [r] descending, vh [r, n]. */
    record Svd(Tensor u, Tensor s, Tensor vh) {}

    String name();

    /**
     * The implementation for a device: on a CUDA device whose CUDA preset loaded, {@link
     * CusolverLinalg} (which hands CPU tensors to {@code cpuDefault}); on a CUDA device without
     * it, {@link TorchLinalg} (LibTorch's own CUDA linear algebra); on the CPU, {@code cpuDefault}.
     * The algorithms never see the difference.
     */
    static Linalg forDevice(ganfactor.torch.ComputeDevice device, Linalg cpuDefault) {
        if (!device.cuda()) return cpuDefault;
        return device.cusolver() ? new CusolverLinalg(cpuDefault) : TorchLinalg.INSTANCE;
    }

    /** Lower triangular L with s = L L^T. Throws {@link NotPositiveDefiniteException} when a pivot fails. */
    Tensor cholesky(Tensor s);

    /** Every eigenpair of the symmetric matrix s. */
    Eigen eigh(Tensor s);

    /** The k largest eigenpairs of the symmetric matrix s (exact; an implementation may use a partial solver). */
    Eigen eighTop(Tensor s, int k);

    /**
     * The generalized symmetric-definite problem A n = lambda B n (LAPACK/cuSOLVER sygv, itype 1):
     * B = L L^T, C = L^-1 A L^-T, eigh(C) = U diag(lambda) U^T, N = L^-T U. The eigenvectors are
     * B-orthonormal (n_i^T B n_j = delta_ij). Throws {@link NotPositiveDefiniteException} when B
     * is not positive definite.
     */
    Eigen generalizedEigh(Tensor a, Tensor b);

    /** The k largest generalized eigenpairs (see {@link #generalizedEigh}); implementations may solve only for those. */
    default Eigen generalizedEighTop(Tensor a, Tensor b, int k) {
        Eigen e = generalizedEigh(a, b);
        if (k >= e.values().size(0)) return e;
        return new Eigen(e.values().narrow(0, 0, k).contiguous(), e.vectors().narrow(0, 0, k).contiguous(), e.pivotRatio());
    }

    /** The row Gram x x^T [m, m] of x [m, n] (symmetric; implementations may use syrk for half the work). */
    default Tensor rowGram(Tensor x) {
        Tensor g = x.mm(x.t());
        return g.add(g.t()).mul(new org.bytedeco.pytorch.Scalar(0.5));
    }

    /** The thin SVD of m (r = min(rows, cols)). */
    Svd svd(Tensor m);
}
