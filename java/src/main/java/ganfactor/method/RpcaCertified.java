package ganfactor.method;

import ganfactor.linalg.BlasThreads;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.openblas.global.openblas;

import java.nio.DoubleBuffer;
import java.util.concurrent.CancellationException;

/**
 * The sweep of {@link Rpca} with a certified partial SVT ({@link Rpca.Options#certifiedSvt}),
 * on plain arrays and direct BLAS/LAPACK calls (no tensors per iteration).
 *
 * <p><b>The L-step.</b> X is symmetric, so SVT_tau(X) = f(X) with f(t) = sign(t) max(|t| - tau, 0)
 * applied to the eigenvalues. A block Q of k = c + {@link #PAD} orthonormal columns (c = number of
 * eigenvalues with |lambda| &gt; tau), warm-started from the previous iteration's Ritz vectors, is
 * refined by subspace iteration (one product X Q per step, Rayleigh-Ritz after each, CholeskyQR2
 * of X U diag(1/|theta|)) until the Ritz pairs U1 = [u_1..u_c] with |theta_i| &gt; tau have residual
 * ||X U1 - U1 Theta1||_F &lt;= {@link Rpca.Options#certifiedTol} ||f(Theta1)||_F. The step then
 * returns U1 f(Theta1) U1^T, and it is within sqrt(2) ||X U1 - U1 Theta1||_F of f(X) (Frobenius)
 * provided the compression B of X onto the complement of span(U1) has all its eigenvalues in
 * (-tau, tau):
 * <ul>
 *   <li>in the basis [U1, P], X = [[Theta1, R^T], [R, B]] with ||R||_F the residual above; f is
 *       1-Lipschitz, and for symmetric matrices ||f(A) - f(A')||_F &lt;= ||A - A'||_F (expand both in
 *       their eigenbases), so f(X) is within sqrt(2) ||R||_F of f(blockdiag(Theta1, B)) =
 *       U1 f(Theta1) U1^T + P f(B) P^T, and f(B) = 0 exactly when -tau &lt; B &lt; tau.</li>
 *   <li>upper side, every iteration: a Cholesky factorisation of (tau - delta) I - X + alpha U1 U1^T
 *       (alpha = tau + max(theta_i, 0)) succeeds only if it is positive definite, and then
 *       v^T X v &lt; tau - delta for every unit v orthogonal to U1, i.e. B &lt; tau.</li>
 *   <li>lower side: when no kept theta is negative, lambda_min(B) &gt;= lambda_min(X) (Cauchy), and
 *       lambda_min(X) &gt; -s - ||X - X_a||_F by Weyl from an anchor X_a certified by a Cholesky
 *       factorisation of X_a + s I (or known from a full eigendecomposition); the anchor is renewed
 *       when s + ||X - X_a||_F reaches tau. With negative kept values: the mirror image of the upper
 *       side's factorisation, every iteration.</li>
 *   <li>delta = 16 d eps (||X||_F + alpha) covers the backward error of the factorisations.</li>
 * </ul>
 * The kept Ritz vectors are checked to be orthonormal to 1e-12 (one CholeskyQR pass per step).
 * Anything not certified within {@link #MAX_PRODUCTS} products falls back to a full LAPACK dsyevd
 * (which also starts the solve and re-seeds the block). Every iteration's L is therefore f(X)
 * to within sqrt(2) certifiedTol ||L||_F, and the sweep (L, S, Y) is nonexpansive, so over n
 * iterations the distance to the exact-SVT iterate sequence is at most about n sqrt(2)
 * certifiedTol relative (551 x 1.4 x 1e-9 = 7.8e-7 for the benchmark Gram at the default
 * 1e-9; measured far smaller, see RpcaTest and benchmarks/RESULTS.md).
 *
 * <p>Storage: column-major; the symmetric M, S, Y, X and L are kept in their upper triangles
 * only (dsymm, dsyrk, dpotrf and dsyevd read and write no more), so one fused pass over the
 * upper triangle per iteration does the S-step, the Y-step, the residuals and the next X.
 * (dgemm on X mirrored in full: products 2.1 s against dsymm's 1.9 s plus 0.9 s of mirroring
 * over the 551 iterations of the benchmark Gram, one thread, loaded machine.)
 */
final class RpcaCertified {

    private static final int COL = 102, NOTRANS = 111, TRANS = 112, UPPER = 121, LEFT = 141, RIGHT = 142, NONUNIT = 131;
    /** Extra columns of the block beyond the c kept ones. */
    static final int PAD = 8;
    /** Block products X Q tried in one iteration before a full eigendecomposition. */
    static final int MAX_PRODUCTS = 12;

    /** Counters of one solve. */
    static final class Stats {
        int fullEigh, certified, products, choleskyUpper, choleskyLower;
        /** Why full eigendecompositions happened: products exhausted, certificate refused, block too narrow. */
        int outOfProducts, refused, narrow;
    }

    private final int d;
    private final Rpca.Options o;
    private final double[] m, s, y, x, l;
    private final DoublePointer xp, lp, work, wfull, qp, wp, up, xup, tmp, hp, gp, thp, rp;
    private final DoubleBuffer workb, qb, upb, tmpb, hb, gb;
    private final double[] col, scratch, blockA, blockB;
    private int k; // block width, 0: no warm start
    private double[] theta = new double[0]; // the accepted Ritz values (sorted by |theta| desc)
    private int kept; // c
    private boolean vFromFull; // the kept vectors are in work (full eigh) rather than up
    private int[] fullOrder; // column order of work by |w| desc (full eigh)
    private double[] wAll; // full eigenvalues
    private final double[] anchor;
    private double anchorShift = Double.NaN; // lambda_min(anchor) > -anchorShift
    final Stats stats = new Stats();

    private RpcaCertified(double[] mColMajor, int d, Rpca.Options o) {
        this.d = d;
        this.o = o;
        this.m = mColMajor;
        long dd = (long) d * d;
        s = new double[(int) dd];
        y = new double[(int) dd];
        x = new double[(int) dd];
        l = new double[(int) dd];
        anchor = new double[(int) dd];
        col = new double[d];
        scratch = new double[(int) dd];
        blockA = new double[(int) dd];
        blockB = new double[(int) dd];
        xp = new DoublePointer(dd);
        lp = new DoublePointer(dd);
        work = new DoublePointer(dd);
        wfull = new DoublePointer(d);
        qp = new DoublePointer(dd);
        wp = new DoublePointer(dd);
        up = new DoublePointer(dd);
        xup = new DoublePointer(dd);
        tmp = new DoublePointer(dd);
        hp = new DoublePointer(dd);
        gp = new DoublePointer(dd);
        thp = new DoublePointer(d);
        rp = new DoublePointer(dd);
        workb = work.asBuffer();
        qb = qp.asBuffer();
        upb = up.asBuffer();
        tmpb = tmp.asBuffer();
        hb = hp.asBuffer();
        gb = gp.asBuffer();
    }

    /**
     * Solves PCP for the symmetric m (row-major = column-major), ||m||_F = normF &gt; 0, with the
     * solver, mu rule and stop of {@code o.solver} and the certified SVT.
     */
    static Rpca.Result solve(double[] mSym, int d, double normF, Rpca.Options o, long t0) {
        try (PointerScope scope = new PointerScope()) {
            return new RpcaCertified(mSym, d, o).run(normF, t0);
        }
    }

    private Rpca.Result run(double normF, long t0) {
        Rpca.Solver solver = o.solver;
        double mu, muMax, muRef = Double.NaN;
        if (solver != Rpca.Solver.IALM) {
            double norm1 = 0;
            for (int c = 0; c < d; c++) {
                double a = 0;
                for (int r = 0; r < d; r++) a += Math.abs(m[r + c * d]);
                norm1 = Math.max(norm1, a);
            }
            muRef = (double) d * d / (4 * norm1);
            mu = Double.isNaN(o.mu) ? muRef * (solver == Rpca.Solver.EXACT ? o.muScale : 1) : o.mu;
            muMax = mu;
        } else {
            System.arraycopy(m, 0, x, 0, m.length);
            xp.put(x);
            fullEigh(0); // ||M||_2
            double norm2 = Math.max(Math.abs(wAll[0]), Math.abs(wAll[d - 1]));
            k = 0;
            mu = Double.isNaN(o.mu) ? 1.25 / norm2 : o.mu;
            muMax = mu * o.muMaxFactor;
            double maxAbs = 0;
            for (double v : m) maxAbs = Math.max(maxAbs, Math.abs(v));
            double scale = -1.0 / Math.max(norm2, maxAbs / o.lambda);
            for (int i = 0; i < m.length; i++) y[i] = m[i] * scale;
        }
        if (!(mu > 0) || !Double.isFinite(mu)) throw new IllegalArgumentException("rpca: mu = " + mu);
        double mu0 = mu;
        for (int i = 0; i < m.length; i++) x[i] = m[i] - s[i] - y[i] / mu;
        boolean exact = solver == Rpca.Solver.EXACT;
        boolean converged = false;
        double residualAbs = Double.POSITIVE_INFINITY, dualRel = Double.NaN;
        int it = 0;
        while (it < o.maxIterations) {
            if (o.cancelled.getAsBoolean()) throw new CancellationException("cancelled");
            it++;
            svt(1 / mu);
            double muNext = mu;
            if (exact && it == o.muSwitch && Double.isNaN(o.mu)) muNext = muRef * o.muScaleTail;
            if (solver == Rpca.Solver.IALM) muNext = Math.min(o.rho * mu, muMax);
            double[] rr = sweep(mu, muNext);
            residualAbs = Math.sqrt(rr[0]);
            double lastDual = mu * Math.sqrt(rr[1]);
            if (o.monitor != null) o.monitor.iteration(it, residualAbs / normF, kept);
            if (exact) {
                double normY = Math.sqrt(rr[2]);
                dualRel = normY > 0 ? lastDual / normY : (lastDual > 0 ? Double.POSITIVE_INFINITY : 0);
                if (residualAbs / normF <= o.primalTol && dualRel <= o.dualTol) {
                    converged = true;
                    break;
                }
            } else if (residualAbs <= o.tol * normF) {
                converged = true;
                break;
            }
            mu = muNext;
        }
        if (Boolean.getBoolean("ganfactor.rpca.debug"))
            System.err.printf("rpca certified: full %d (out of products %d, refused %d, narrow %d), certified %d, products %d, cholesky upper %d lower %d%n",
                    stats.fullEigh, stats.outOfProducts, stats.refused, stats.narrow, stats.certified, stats.products, stats.choleskyUpper, stats.choleskyLower);
        return new Rpca.Result(mirror(l), mirror(s), d, it, converged, residualAbs / normF, kept, (System.nanoTime() - t0) / 1e9,
                solver.name().toLowerCase(), mu0, mu, stats.fullEigh, stats.certified, dualRel, stats.products);
    }

    /** The full symmetric row-major matrix from an upper triangle in column-major storage. */
    private double[] mirror(double[] upper) {
        double[] out = new double[d * d];
        for (int c = 0; c < d; c++)
            for (int r = 0; r <= c; r++) {
                double v = upper[r + c * d];
                out[r + c * d] = v;
                out[c + r * d] = v;
            }
        return out;
    }

    /**
     * S-step, Y-step and the next X (with muNext) in one pass over the upper triangle. Returns
     * {||L + S - M||_F^2, ||S - S_prev||_F^2, ||Y||_F^2}.
     */
    private double[] sweep(double mu, double muNext) {
        double thr = o.lambda / mu, inv = 1 / mu, invNext = 1 / muNext, r2 = 0, ds2 = 0, y2 = 0;
        for (int c = 0; c < d; c++) {
            int base = c * d;
            double r2c = 0, ds2c = 0, y2c = 0;
            for (int i = base, end = base + c; i < end; i++) { // strictly upper part of column c
                double mi = m[i], li = l[i], yi = y[i];
                double z = mi - li - yi * inv;
                double sn = z - Math.max(-thr, Math.min(thr, z)); // soft threshold
                double ri = li + sn - mi;
                double yn = yi + mu * ri;
                double dsv = sn - s[i];
                r2c += ri * ri;
                ds2c += dsv * dsv;
                y2c += yn * yn;
                s[i] = sn;
                y[i] = yn;
                x[i] = mi - sn - yn * invNext;
            }
            int i = base + c; // diagonal
            double mi = m[i], li = l[i], yi = y[i];
            double z = mi - li - yi * inv;
            double sn = z - Math.max(-thr, Math.min(thr, z));
            double ri = li + sn - mi;
            double yn = yi + mu * ri;
            double dsv = sn - s[i];
            r2 += 2 * r2c + ri * ri;
            ds2 += 2 * ds2c + dsv * dsv;
            y2 += 2 * y2c + yn * yn;
            s[i] = sn;
            y[i] = yn;
            x[i] = mi - sn - yn * invNext;
        }
        return new double[]{r2, ds2, y2};
    }

    /** L (upper triangle of l) = the SVT of X at tau; sets kept and theta. */
    private void svt(double tau) {
        xp.put(x);
        boolean done = k > 0 && o.certifiedTol > 0 && partial(tau); // 0: a full dsyevd every time
        if (!done) fullEigh(tau);
        buildL(tau);
    }

    private static double normF(double[] upper, int d) {
        double a = 0;
        for (int c = 0; c < d; c++) {
            int base = c * d;
            double t = 0;
            for (int i = base; i < base + c; i++) t += upper[i] * upper[i];
            a += 2 * t + upper[base + c] * upper[base + c];
        }
        return Math.sqrt(a);
    }

    /** Full dsyevd of X (already in xp); the kept vectors end up in work (order fullOrder), the block in qp. */
    private void fullEigh(double tau) {
        stats.fullEigh++;
        Pointer.memcpy(work, xp, 8L * d * d);
        int info = BlasThreads.solve(d, () -> openblas.LAPACKE_dsyevd(COL, (byte) 'V', (byte) 'U', d, work, d, wfull));
        if (info != 0) throw new IllegalStateException("LAPACK dsyevd failed, info = " + info);
        double[] w = new double[d];
        wfull.get(w);
        wAll = w;
        Integer[] idx = new Integer[d];
        for (int i = 0; i < d; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (a, b) -> Double.compare(Math.abs(w[b]), Math.abs(w[a])));
        fullOrder = new int[d];
        for (int i = 0; i < d; i++) fullOrder[i] = idx[i];
        int c = 0;
        while (c < d && Math.abs(w[fullOrder[c]]) > tau) c++;
        kept = c;
        theta = new double[c];
        for (int i = 0; i < c; i++) theta[i] = w[fullOrder[i]];
        vFromFull = true;
        k = Math.min(d, c + PAD);
        for (int j = 0; j < k; j++) {
            workb.get(fullOrder[j] * d, col);
            qb.put(j * d, col);
        }
        // lower-side anchor: lambda_min(X) = w[0] up to rounding
        System.arraycopy(x, 0, anchor, 0, x.length);
        anchorShift = Math.max(0, -w[0]) + 16 * d * Math.ulp(1.0) * normF(x, d);
    }

    /** Subspace iteration + Rayleigh-Ritz + certificate; false: fall back to a full eigh. */
    private boolean partial(double tau) {
        for (int p = 0; p < MAX_PRODUCTS; p++) {
            stats.products++;
            openblas.cblas_dsymm(COL, LEFT, UPPER, d, k, 1.0, xp, d, qp, d, 0.0, wp, d);
            openblas.cblas_dgemm(COL, TRANS, NOTRANS, k, k, d, 1.0, qp, d, wp, d, 0.0, hp, k);
            for (int a = 0; a < k; a++) // symmetrise H into its upper triangle
                for (int b = 0; b < a; b++) {
                    double v = 0.5 * (hb.get(b + a * k) + hb.get(a + b * k));
                    hb.put(b + a * k, v);
                }
            int info = openblas.LAPACKE_dsyevd(COL, (byte) 'V', (byte) 'U', k, hp, k, thp);
            if (info != 0) return false;
            double[] th = new double[k];
            thp.get(th);
            Integer[] idx = new Integer[k];
            for (int i = 0; i < k; i++) idx[i] = i;
            java.util.Arrays.sort(idx, (a, b) -> Double.compare(Math.abs(th[b]), Math.abs(th[a])));
            double[] ths = new double[k];
            for (int j = 0; j < k; j++) {
                ths[j] = th[idx[j]];
                for (int i = 0; i < k; i++) gb.put(i + j * k, hb.get(i + idx[j] * k));
            }
            openblas.cblas_dgemm(COL, NOTRANS, NOTRANS, d, k, k, 1.0, qp, d, gp, k, 0.0, up, d);
            openblas.cblas_dgemm(COL, NOTRANS, NOTRANS, d, k, k, 1.0, wp, d, gp, k, 0.0, xup, d);
            int c = 0;
            while (c < k && Math.abs(ths[c]) > tau) c++;
            if (c > k - 4) { stats.narrow++; return false; } // the block is too narrow for the kept count
            double[] xu = blockA, u = blockB;
            xup.get(xu, 0, d * k);
            up.get(u, 0, d * c);
            double err2 = 0, l2 = 0;
            for (int j = 0; j < c; j++) {
                double t = ths[j];
                for (int i = j * d, end = i + d; i < end; i++) {
                    double r = xu[i] - t * u[i];
                    err2 += r * r;
                }
                double f = Math.abs(t) - tau;
                l2 += f * f;
            }
            if (Math.sqrt(err2) <= o.certifiedTol * Math.sqrt(l2) || (c == 0 && err2 == 0)) {
                if (!orthonormal(c) || !certify(tau, c, ths)) { stats.refused++; return false; }
                stats.certified++;
                kept = c;
                theta = java.util.Arrays.copyOf(ths, c);
                vFromFull = false;
                // warm start of the next iteration: all k Ritz vectors (k shrinks when c did)
                int kNext = Math.min(k, c + PAD);
                Pointer.memcpy(qp, up, 8L * d * kNext);
                k = kNext;
                return true;
            }
            // next block: X U diag(1/|theta|), orthonormalised by CholeskyQR
            for (int j = 0; j < k; j++) {
                double sc = 1 / Math.max(Math.abs(ths[j]), Double.MIN_NORMAL);
                for (int i = j * d, end = i + d; i < end; i++) xu[i] *= sc;
            }
            qp.put(xu, 0, d * k);
            // the scaled block is already nearly orthonormal (X u_i / |theta_i| = +-u_i + residual): one pass
            if (!cholQr()) return false;
        }
        stats.outOfProducts++;
        return false;
    }

    /** The kept Ritz vectors (the first c columns of up) are orthonormal to 1e-12 (the bound of the class comment assumes it). */
    private boolean orthonormal(int c) {
        if (c == 0) return true;
        openblas.cblas_dsyrk(COL, UPPER, TRANS, c, d, 1.0, up, d, 0.0, rp, c);
        double[] g = new double[c * c];
        rp.get(g, 0, c * c);
        for (int j = 0; j < c; j++)
            for (int i = 0; i <= j; i++)
                if (Math.abs(g[i + j * c] - (i == j ? 1 : 0)) > 1e-12) return false;
        return true;
    }

    /** qp (d x k) &lt;- qp R^{-1}, R the Cholesky factor of qp^T qp; false if not positive definite. */
    private boolean cholQr() {
        openblas.cblas_dsyrk(COL, UPPER, TRANS, k, d, 1.0, qp, d, 0.0, rp, k);
        if (openblas.LAPACKE_dpotrf(COL, (byte) 'U', k, rp, k) != 0) return false;
        openblas.cblas_dtrsm(COL, RIGHT, UPPER, NOTRANS, NONUNIT, d, k, 1.0, rp, k, qp, d);
        return true;
    }

    /** The certificate that the compression of X off span(U1) has its spectrum in (-tau, tau) (class comment). */
    private boolean certify(double tau, int c, double[] ths) {
        double nx = normF(x, d);
        double maxPos = 0, maxNeg = 0;
        for (int j = 0; j < c; j++) {
            maxPos = Math.max(maxPos, ths[j]);
            maxNeg = Math.max(maxNeg, -ths[j]);
        }
        stats.choleskyUpper++;
        if (!deflatedPositiveDefinite(tau, +1, c, tau + maxPos, nx)) return false;
        if (maxNeg > 0) {
            stats.choleskyLower++;
            return deflatedPositiveDefinite(tau, -1, c, tau + maxNeg, nx);
        }
        double delta = 16 * d * Math.ulp(1.0) * nx;
        if (!Double.isNaN(anchorShift) && anchorShift + distance(x, anchor) + delta < tau) return true;
        // renew the anchor: lambda_min(X) > -s
        double thetaMin = 0;
        for (int j = 0; j < k; j++) thetaMin = Math.min(thetaMin, ths[j]);
        double sNew = 0.5 * (tau + Math.max(0, -thetaMin));
        stats.choleskyLower++;
        if (!shiftedPositiveDefinite(sNew - delta)) {
            sNew = tau - 2 * delta;
            stats.choleskyLower++;
            if (!shiftedPositiveDefinite(sNew - delta)) return false;
        }
        System.arraycopy(x, 0, anchor, 0, x.length);
        anchorShift = sNew;
        return true;
    }

    /** ||a - b||_F over upper triangles. */
    private double distance(double[] a, double[] b) {
        double acc = 0;
        for (int c = 0; c < d; c++) {
            int base = c * d;
            double t = 0;
            for (int i = base; i < base + c; i++) { double v = a[i] - b[i]; t += v * v; }
            double v = a[base + c] - b[base + c];
            acc += 2 * t + v * v;
        }
        return Math.sqrt(acc);
    }

    /** Cholesky of (tau - delta) I - sign X + alpha U1 U1^T succeeds. */
    private boolean deflatedPositiveDefinite(double tau, int sign, int c, double alpha, double nx) {
        double delta = 16 * d * Math.ulp(1.0) * (nx + alpha);
        double[] a = scratch;
        for (int cc = 0; cc < d; cc++) {
            int base = cc * d;
            for (int i = base; i <= base + cc; i++) a[i] = -sign * x[i];
            a[base + cc] += tau - delta;
        }
        work.put(a);
        if (c > 0) openblas.cblas_dsyrk(COL, UPPER, NOTRANS, d, c, alpha, up, d, 1.0, work, d);
        return BlasThreads.solve(d, () -> openblas.LAPACKE_dpotrf(COL, (byte) 'U', d, work, d)) == 0;
    }

    /** Cholesky of X + shift I succeeds. */
    private boolean shiftedPositiveDefinite(double shift) {
        double[] a = scratch;
        for (int cc = 0; cc < d; cc++) {
            int base = cc * d;
            System.arraycopy(x, base, a, base, cc + 1);
            a[base + cc] += shift;
        }
        work.put(a);
        return BlasThreads.solve(d, () -> openblas.LAPACKE_dpotrf(COL, (byte) 'U', d, work, d)) == 0;
    }

    /** l (upper) = sum_i f(theta_i) v_i v_i^T over the kept vectors, by two dsyrk (positive and negative part). */
    private void buildL(double tau) {
        int c = kept;
        if (c == 0) {
            java.util.Arrays.fill(l, 0);
            return;
        }
        for (int sign = 1; sign >= -1; sign -= 2) {
            int n = 0;
            for (int j = 0; j < c; j++) {
                if (Math.signum(theta[j]) != sign) continue;
                double f = Math.sqrt(Math.abs(theta[j]) - tau);
                if (vFromFull) workb.get(fullOrder[j] * d, col);
                else upb.get(j * d, col);
                for (int i = 0; i < d; i++) col[i] *= f;
                tmpb.put(n * d, col);
                n++;
            }
            if (sign == 1) {
                if (n > 0) openblas.cblas_dsyrk(COL, UPPER, NOTRANS, d, n, 1.0, tmp, d, 0.0, lp, d);
                else Pointer.memset(lp, 0, 8L * d * d);
            } else if (n > 0) {
                openblas.cblas_dsyrk(COL, UPPER, NOTRANS, d, n, -1.0, tmp, d, 1.0, lp, d);
            }
        }
        lp.get(l);
    }
}
