package ganfactor.method;

/**
 * The dense operations of {@link RpcaCertified}'s sweep and certified partial SVT, so that the
 * same algorithm (its control flow, tolerances, certificates and counters) runs on two
 * backends: {@link BlasCertifiedOps} (OpenBLAS/LAPACK on native host buffers, the symmetric
 * matrices in their upper triangles; the CPU default) and {@link TensorCertifiedOps} (LibTorch
 * tensors on the solve's device, the eigendecomposition and Cholesky factorisations through
 * {@link ganfactor.linalg.Linalg}, so cuSOLVER on a GPU; the d x d and d x k matrices never
 * leave the device, only k x k matrices and scalars do).
 *
 * <p>The state is M, S, Y, X and L (d x d, symmetric) and the d x k blocks named by {@link Blk},
 * each with room for d columns. Blocks are column-major d x n matrices in the method comments
 * (column j = one vector of length d); small results come back as column-major Java arrays.
 * Native buffers and tensors belong to the PointerScope that was open when the backend was made.
 */
interface CertifiedOps {

    /** The blocks: the iteration's Q, X Q, Ritz vectors U, X U, scratch, the previous block, the upper anchor's block, the anchor residuals, the full eigenvectors. */
    enum Blk { Q, W, U, XU, TMP, PREV, WA, E, VEC }

    /** max_j sum_i |M_ij| (the reference's mu). */
    double norm1();

    /** max |M_ij|. */
    double maxAbs();

    /** S = 0, Y = yScale M, X = M - Y / mu; returns ||X||_F. */
    double init(double yScale, double mu);

    /** X = the symmetric matrix x (d x d); a test hook. */
    void setX(double[] x);

    /** The first n columns of b = the column-major d x n array. */
    void putBlock(Blk b, double[] colMajor, int n);

    /**
     * The squared norms one sweep measures: ||R||_F^2 (the primal residual), ||S' - S||_F^2 (the
     * dual residual's), ||Y'||_F^2, ||X'||_F^2 and ||X' - X||_F^2. The second, third and fourth
     * are NaN when the sweep was asked for the lean set only.
     */
    record Sweep(double residualSq, double sChangeSq, double ySq, double xSq, double xChangeSq) {
        static Sweep of(double[] v) {
            return new Sweep(v[0], v[1], v[2], v[3], v[4]);
        }
    }

    /**
     * One pass of the S-step, the Y-step and the next X (with muNext):
     * Z = M - L - Y / mu, S' = soft(Z, lambda / mu), R = L + S' - M, Y' = Y + mu R, X' = M - S' - Y' / muNext;
     * {@code all}: also the norms only the exact stopping rule needs.
     */
    Sweep sweep(double mu, double muNext, double lambda, boolean all);

    /** Eigendecomposition of X: the eigenvalues (in the order of VEC's columns, which receive the eigenvectors). */
    double[] fullEigh();

    /** w[from, from + n) = X q[from, from + n) (columns). */
    void symm(Blk q, int from, int n, Blk w);

    /** Column from + j of b times s[j], j &lt; s.length. */
    void scale(Blk b, int from, double[] s);

    /** dst[dstFrom, dstFrom + n) = src[srcFrom, srcFrom + n). */
    void copy(Blk dst, int dstFrom, Blk src, int srcFrom, int n);

    /** Column j of dst = column cols[j] of src, j &lt; n. */
    void gather(Blk dst, Blk src, int[] cols, int n);

    /** a[aFrom, +na)^T b[bFrom, +nb): na x nb, column-major. */
    double[] gemmTN(Blk a, int aFrom, int na, Blk b, int bFrom, int nb);

    /** a[from, +n)^T a[from, +n): n x n, column-major; only the upper triangle is guaranteed. */
    double[] gramUpper(Blk a, int from, int n);

    /** dst[dFrom, +n) = alpha a[aFrom, +na) g + beta dst[dFrom, +n), g na x n column-major (beta 0: dst is not read). */
    void gemmNN(Blk dst, int dFrom, int n, Blk a, int aFrom, int na, double[] g, double alpha, double beta);

    /** q[from, +n) = q[from, +n) R^-1, R upper triangular n x n (column-major; the lower triangle is not read). */
    void trsmRightUpper(Blk q, int from, int n, double[] r);

    /** ||xu_j - t[j] u_j||^2 for columns j in [from, to) (result index j - from). */
    double[] residuals(Blk xu, Blk u, int from, int to, double[] t);

    /** ||b_j||^2 for columns j in [from, from + n). */
    double[] columnNorms2(Blk b, int from, int n);

    /**
     * Whether shift I - sign X + U diag(weights) U^T is positive definite, U = the first
     * weights.length columns of u, proved by a floating-point Cholesky factorisation of that
     * matrix less gamma_(d+1) / (1 - gamma_(d+1)) times its trace (Rump 2006; see
     * {@link RpcaCertified}): true only if the factorisation ran to completion.
     */
    boolean positiveDefinite(double shift, int sign, Blk u, double[] weights);

    /** L = sum_j sign[j] f[j]^2 v_j v_j^T over v_j = column cols[j] of v (L = 0 for none). */
    void buildL(Blk v, int[] cols, double[] f, int[] sign);

    /** L, full d x d row-major. */
    double[] low();

    /** S, full d x d row-major. */
    double[] sparse();
}
