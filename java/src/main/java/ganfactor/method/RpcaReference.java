package ganfactor.method;

import org.bytedeco.openblas.global.openblas;

/**
 * Principal Component Pursuit written plainly, the way LowRankGAN's {@code RobustPCA.fit} does it:
 * the oracle that {@link Rpca}'s ADMM is tested against, and the algorithm to read first.
 *
 * <p>Given a symmetric M (d x d), find L low rank and S sparse with
 * <pre>
 *   minimise ||L||_* + lambda ||S||_1   subject to   L + S = M
 * </pre>
 * by ADMM on the augmented Lagrangian with a fixed penalty
 * <pre>
 *   mu = d^2 / (4 ||M||_1)             ||M||_1 = max_j sum_i |M_ij| (induced 1-norm)
 *   L = S = Y = 0
 *   repeat
 *     L &lt;- SVT_{1/mu}(M - S - Y/mu)          SVT_t(X) = U diag(max(sigma - t, 0)) V^T
 *     S &lt;- shrink_{lambda/mu}(M - L - Y/mu)   shrink_t(x) = sign(x) max(|x| - t, 0)
 *     Y &lt;- Y + mu (L + S - M)
 *   until ||L + S - M||_F &lt;= tol ||M||_F  or  maxIterations sweeps
 * </pre>
 * (reference defaults lambda = 1/60, tol = 1e-7, 10,000 sweeps; docs/ALGORITHMS.md). Every iterate
 * is symmetric, so the SVT is the symmetric eigendecomposition X = Q diag(l) Q^T thresholded:
 * SVT_t(X) = Q diag(sign(l) max(|l| - t, 0)) Q^T (the singular values of X are the |l|).
 * Everything is float64 on plain row-major arrays, with one LAPACK dsyevd per sweep.
 */
public final class RpcaReference {

    private RpcaReference() {}

    /** L and S (row-major d x d), the sweeps run, and whether the stopping rule was met. */
    public record Result(double[] low, double[] sparse, int iterations, boolean converged) {}

    /** PCP of the symmetric m (row-major d x d, not modified) with the reference's tol 1e-7 and 10,000 sweeps. */
    public static Result solve(double[] m, int d, double lambda) {
        return solve(m, d, lambda, 1e-7, 10000);
    }

    /** PCP of the symmetric m (row-major d x d, not modified; symmetric to rounding is enough). */
    public static Result solve(double[] m, int d, double lambda, double tol, int maxIterations) {
        // one OpenBLAS thread: on small eigenproblems more threads only wait for each other
        return ganfactor.linalg.BlasThreads.single(() -> admm(m, d, lambda, tol, maxIterations));
    }

    private static Result admm(double[] m, int d, double lambda, double tol, int maxIterations) {
        int n = d * d;
        if (m.length != n) throw new IllegalArgumentException("rpca: " + m.length + " entries for d = " + d);
        m = symmetric(m, d);
        double norm1 = 0, normM = 0;
        for (int j = 0; j < d; j++) {
            double column = 0;
            for (int i = 0; i < d; i++) {
                column += Math.abs(m[i * d + j]);
                normM += m[i * d + j] * m[i * d + j];
            }
            norm1 = Math.max(norm1, column);
        }
        normM = Math.sqrt(normM);
        double[] l = new double[n], s = new double[n], y = new double[n], x = new double[n];
        if (normM == 0) return new Result(l, s, 0, true);
        double mu = (double) d * d / (4 * norm1);
        int it = 0;
        boolean converged = false;
        while (!converged && it < maxIterations) {
            it++;
            for (int i = 0; i < n; i++) x[i] = m[i] - s[i] - y[i] / mu;
            l = svt(x, d, 1 / mu);
            double residual = 0;
            for (int i = 0; i < n; i++) {
                s[i] = shrink(m[i] - l[i] - y[i] / mu, lambda / mu);
                double r = l[i] + s[i] - m[i];
                y[i] += mu * r;
                residual += r * r;
            }
            converged = Math.sqrt(residual) <= tol * normM;
        }
        return new Result(l, s, it, converged);
    }

    /** (M + M^T) / 2, as {@link Rpca} uses it: a Gram formed by a matrix product is symmetric only to rounding. */
    static double[] symmetric(double[] m, int d) {
        double[] out = new double[d * d];
        double asymmetry = 0, norm = 0;
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) {
                double a = m[i * d + j], b = m[j * d + i];
                asymmetry += (a - b) * (a - b);
                norm += a * a;
                out[i * d + j] = (a + b) * 0.5;
            }
        if (!(asymmetry <= 1e-12 * norm)) throw new IllegalArgumentException("rpca: M is not symmetric (or not finite)");
        return out;
    }

    /** sign(v) max(|v| - t, 0). */
    static double shrink(double v, double t) {
        return Math.signum(v) * Math.max(Math.abs(v) - t, 0);
    }

    /** SVT_t of the symmetric x: sum over the eigenpairs (l_k, q_k) of shrink(l_k, t) q_k q_k^T. */
    static double[] svt(double[] x, int d, double t) {
        double[] q = x.clone(), l = new double[d];
        // symmetric, so row-major = column-major; afterwards column k of q (q[i + k d]) belongs to l[k]
        int info = openblas.LAPACKE_dsyevd(openblas.LAPACK_COL_MAJOR, (byte) 'V', (byte) 'U', d, q, d, l);
        if (info != 0) throw new ArithmeticException("rpca: dsyevd failed (info " + info + ")");
        double[] out = new double[d * d];
        for (int k = 0; k < d; k++) {
            double w = shrink(l[k], t);
            if (w == 0) continue;
            for (int i = 0; i < d; i++)
                for (int j = i; j < d; j++) out[i * d + j] += w * q[i + k * d] * q[j + k * d];
        }
        for (int i = 0; i < d; i++)
            for (int j = 0; j < i; j++) out[i * d + j] = out[j * d + i]; // the lower triangle mirrors the upper
        return out;
    }
}
