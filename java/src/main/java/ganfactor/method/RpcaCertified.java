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
 * eigenvalues with |lambda| &gt; tau), warm-started from the previous iteration's Ritz vectors
 * moved on by their last step (a linear extrapolation, {@link #extrapolate}: the ADMM iterates
 * converge slowly and steadily, so the kept vectors move almost the same way twice; on the
 * benchmark Gram 1,582 products instead of 2,312; late in that solve the Rayleigh-Ritz residual
 * of the extrapolated start alone is 4e-9 - 1e-8 of ||L||, so one more product certifies), is
 * refined by subspace iteration (one product X Q per step, CholeskyQR of X U diag(1/|theta|),
 * Rayleigh-Ritz from the second product on) until the Ritz pairs U1 = [u_1..u_c] with
 * |theta_i| &gt; tau have residual ||X U1 - U1 Theta1||_F &lt;= {@link Rpca.Options#certifiedTol}
 * ||f(Theta1)||_F. Leading columns whose residuals together stay within a quarter of that budget
 * are locked (their u and X u kept) and the next products take only the rest of the block, kept
 * orthogonal to them. The step returns U1 f(Theta1) U1^T, and it is within sqrt(2) ||X U1 - U1 Theta1||_F
 * of f(X) (Frobenius) provided the compression B of X onto the complement of span(U1) has all its
 * eigenvalues in (-tau, tau):
 * <ul>
 *   <li>in the basis [U1, P], X = [[Theta1 + E, R^T], [R, B]] with ||E||_F^2 + ||R||_F^2 =
 *       ||X U1 - U1 Theta1||_F^2 (E = 0 without locking); f is 1-Lipschitz, and for symmetric
 *       matrices ||f(A) - f(A')||_F &lt;= ||A - A'||_F (expand both in their eigenbases), so f(X) is
 *       within (||E||^2 + 2 ||R||^2)^(1/2) &lt;= sqrt(2) ||X U1 - U1 Theta1||_F of
 *       f(blockdiag(Theta1, B)) = U1 f(Theta1) U1^T + P f(B) P^T, and f(B) = 0 exactly when
 *       -tau &lt; B &lt; tau.</li>
 *   <li>upper side, from the block ({@link #upperByBlock}): a unit v orthogonal to U1 is P a + z
 *       with P the block's other k - c columns and z orthogonal to the whole block W, so
 *       v^T X v &lt;= lambda_max([[P^T X P, e], [e^T, zeta]]) with e_i = ||(I - W W^T) X p_i|| and
 *       zeta a bound on z^T X z. zeta comes from an anchor, one Cholesky factorisation of
 *       (beta - delta) I - X_a + W_a D W_a^T for some earlier X_a and block W_a (D = diag(
 *       max(theta_i - beta, 0) + tau / 50)): then z^T X z &lt;= beta + lambda_max(D^(1/2) (I - C C^T)
 *       D^(1/2)) + ||X - X_a||_F with C = W_a^T W. Everything but the factorisation is k x k or
 *       d x k work; the anchor is renewed only when the bound fails (on the benchmark Gram every
 *       ~4.5 iterations, as X drifts ~0.02 - 0.06 tau a step in Frobenius norm while the gap to
 *       the next eigenvalue below tau is 0.017 tau); when even a fresh anchor cannot certify, a
 *       Cholesky factorisation of (tau - delta) I - X + alpha U1 U1^T (alpha = tau + max(theta_i,
 *       0)) decides directly: it succeeds only if v^T X v &lt; tau - delta for unit v orthogonal
 *       to U1.</li>
 *   <li>lower side: when no kept theta is negative, lambda_min(B) &gt;= lambda_min(X) (Cauchy), and
 *       lambda_min(X) &gt; -s - ||X - X_a||_F by Weyl from an anchor X_a certified by a Cholesky
 *       factorisation of X_a + s I (or known from a full eigendecomposition); the anchor is renewed
 *       when s + ||X - X_a||_F reaches tau. With negative kept values: the mirror image of the
 *       direct upper-side factorisation, every iteration.</li>
 *   <li>||X - X_a||_F is bounded by the sum of the sweeps' steps ||X_(j+1) - X_j||_F since the
 *       anchor (triangle inequality; the fused pass measures each step, no copy of X_a is kept).</li>
 *   <li>delta = 16 d eps (||X||_F + the largest weight) covers the rounding in forming the
 *       factorised matrices, and each factorisation runs on the matrix less
 *       gamma_(d+1) / (1 - gamma_(d+1)) times its trace, which makes its success a proof of
 *       positive definiteness in floating point (Rump 2006; {@link #positiveDefinite}).</li>
 * </ul>
 * The block is checked to be orthonormal to 1e-12 (the bounds assume it) before a step is
 * accepted. Anything not certified within {@link #MAX_PRODUCTS} products falls back to a full LAPACK dsyevd
 * (which also starts the solve and re-seeds the block). Every iteration's L is therefore f(X)
 * to within sqrt(2) certifiedTol ||L||_F, and the sweep (L, S, Y) is nonexpansive, so over n
 * iterations the distance to the exact-SVT iterate sequence is at most about n sqrt(2)
 * certifiedTol relative (551 x 1.4 x 1e-9 = 7.8e-7 for the benchmark Gram at the default
 * 1e-9; measured far smaller, see RpcaTest and benchmarks/RESULTS.md).
 *
 * <p>Storage: column-major; the symmetric M, S, Y, X and L are kept in their upper triangles
 * only (dsymm, dsyrk, dpotrf and dsyevd read and write no more), so one fused pass over the
 * upper triangle per iteration does the S-step, the Y-step, the residuals and the next X.
 * M, S and Y are Java arrays; X and L exist only in the native buffers the BLAS calls use, and
 * the pass copies one column of each at a time (no full-matrix copy between Java and native
 * memory per iteration).
 * (dgemm on X mirrored in full: products 2.1 s against dsymm's 1.9 s plus 0.9 s of mirroring
 * over the 551 iterations of the benchmark Gram, one thread, loaded machine; re-measured with the
 * sweep writing the lower triangle too, solves 3.3 - 3.6 s against 2.7 - 2.9 s: benchmarks/RESULTS.md,
 * fifth round.)
 */
final class RpcaCertified {

    private static final int COL = 102, NOTRANS = 111, TRANS = 112, UPPER = 121, LEFT = 141, RIGHT = 142, NONUNIT = 131;
    /**
     * Extra columns of the block beyond the c kept ones. With the extrapolated start, 6 against 8
     * on the benchmark Gram: product columns 55,899 against 58,862, upper anchors 106 against 117,
     * no full eigendecomposition (4 and 5: a block too narrow twice, 3 full ones); the times of
     * 4 - 12 were within the machine's noise of each other (one thread, 3 x 3 runs).
     */
    static final int PAD = 6;
    /** Block products X Q tried in one iteration before a full eigendecomposition. */
    static final int MAX_PRODUCTS = 12;
    /** Where a renewed upper anchor puts beta, as fractions of the way from the block's lowest positive Ritz value to tau. */
    private static final double[] ANCHOR_BETA = {0.1, 0.4};

    /** Counters of one solve. */
    static final class Stats {
        int fullEigh, certified, products, productColumns, choleskyUpper, choleskyLower, choleskyAnchor, upperByAnchor;
        /** Why full eigendecompositions happened: products exhausted, certificate refused, block too narrow. */
        int outOfProducts, refused, narrow;
    }

    private final int d;
    private final Rpca.Options o;
    /** M, S and Y on the Java side (upper triangles, column-major); X and L live only in xp and lp. */
    private final double[] m, s, y;
    private final DoublePointer xp, lp, work, wfull, qp, wp, up, xup, tmp, hp, gp, thp, rp;
    private final DoubleBuffer workb, qb, upb, tmpb, xb, lb;
    private final double[] col, sweepX, blockA, blockB;
    private int k; // block width, 0: no warm start
    private double[] theta = new double[0]; // the accepted Ritz values (sorted by |theta| desc)
    private int kept; // c
    private boolean vFromFull; // the kept vectors are in work (full eigh) rather than up
    private double[] ritz = new double[0]; // Ritz values of the block's columns (warm start)
    private int lastProducts = 1; // products the last certified step took
    /** The block the previous certified step started from (its first prevC columns: the kept Ritz vectors before that step), for the extrapolated warm start. */
    private final DoublePointer prevBlock;
    private boolean prevValid;
    private int prevK, prevC;
    private int failures, cooldown; // consecutive failed partial steps; iterations left without trying one
    private int[] fullOrder; // column order of work by |w| desc (full eigh)
    private double[] wAll; // full eigenvalues
    private double anchorShift = Double.NaN; // lambda_min(anchor) > -anchorShift
    private double lastShift = Double.NaN; // the shift of the last certified lower anchor
    /** The upper anchor (class comment): its block W_a (wa, d x kA), weights D and beta; X_a itself is not kept. */
    private final DoublePointer wa, cp, ccp, fp, ep, kp, kw;
    private double[] anchorD = new double[0];
    private int anchorK;
    private double anchorBeta = Double.NaN;
    /** ||X||_F and the distances of X to the anchors, from the sweep that made X (or 0 after a renewal). */
    private double xNorm = Double.NaN, distLower = Double.POSITIVE_INFINITY, distUpper = Double.POSITIVE_INFINITY;
    final Stats stats = new Stats();
    /** Nanoseconds per part of the iteration (printed with -Dganfactor.rpca.debug=true). */
    private final long[] nanos = new long[PARTS.length];
    private static final String[] PARTS = {"sweep", "products", "rayleigh-ritz", "residual", "cholqr", "orthonormal", "certificate upper", "certificate lower", "build L", "full eigh"};
    private long mark = System.nanoTime();
    private void lap(int part) {
        long now = System.nanoTime();
        nanos[part] += now - mark;
        mark = now;
    }

    private RpcaCertified(double[] mColMajor, int d, Rpca.Options o) {
        this.d = d;
        this.o = o;
        this.m = mColMajor;
        long dd = (long) d * d;
        s = new double[(int) dd];
        y = new double[(int) dd];
        wa = new DoublePointer(dd);
        cp = new DoublePointer(dd);
        ccp = new DoublePointer(dd);
        fp = new DoublePointer(dd);
        ep = new DoublePointer(dd);
        kp = new DoublePointer(dd);
        kw = new DoublePointer(d + 1);
        col = new double[d];
        sweepX = new double[d];
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
        prevBlock = new DoublePointer(dd);
        Pointer.memset(lp, 0, 8L * dd);
        xb = xp.asBuffer();
        lb = lp.asBuffer();
        workb = work.asBuffer();
        qb = qp.asBuffer();
        upb = up.asBuffer();
        tmpb = tmp.asBuffer();
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

    /**
     * Test hook for the certificate on its own: a full eigendecomposition of X_a (which sets the
     * anchors and the block, as at the start of a solve), then X moves to X_b (the anchors'
     * distance grows by ||X_b - X_a||_F, as in the sweep) and one partial step runs at tau from
     * X_a's block. Returns whether that step was certified (false: refused or not converged).
     */
    static boolean partialStepAfter(double[] xa, double[] xb, int d, double tau) {
        return partialStepAfter(xa, xb, d, tau, null, 0);
    }

    /** The same, the partial step starting from the given block (column-major d x k) instead of X_a's. */
    static boolean partialStepAfter(double[] xa, double[] xb, int d, double tau, double[] block, int k) {
        try (PointerScope scope = new PointerScope()) {
            RpcaCertified r = new RpcaCertified(xa.clone(), d, new Rpca.Options());
            r.xNorm = normF(xa, d);
            r.xp.put(xa);
            r.fullEigh(tau);
            double step = 0;
            for (int i = 0; i < xa.length; i++) step += (xb[i] - xa[i]) * (xb[i] - xa[i]);
            r.distLower += Math.sqrt(step);
            r.distUpper += Math.sqrt(step);
            r.xNorm = normF(xb, d);
            r.xp.put(xb);
            if (block != null) {
                r.qp.put(block, 0, d * k);
                r.k = k;
                r.ritz = new double[k];
                java.util.Arrays.fill(r.ritz, 1);
            }
            return r.partial(tau);
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
            xp.put(m);
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
        double[] x0 = new double[m.length];
        for (int i = 0; i < m.length; i++) x0[i] = m[i] - s[i] - y[i] / mu;
        xNorm = normF(x0, d);
        xp.put(x0);
        boolean exact = solver == Rpca.Solver.EXACT;
        boolean converged = false;
        double residualAbs = Double.POSITIVE_INFINITY, dualRel = Double.NaN;
        int it = 0;
        while (it < o.maxIterations) {
            if (o.cancelled.getAsBoolean()) throw new CancellationException("cancelled");
            it++;
            mark = System.nanoTime();
            svt(1 / mu);
            double muNext = mu;
            if (exact && it == o.muSwitch && Double.isNaN(o.mu)) muNext = muRef * o.muScaleTail;
            if (solver == Rpca.Solver.IALM) muNext = Math.min(o.rho * mu, muMax);
            mark = System.nanoTime();
            double[] rr = sweep(mu, muNext);
            lap(0);
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
            System.err.printf("rpca certified: full %d (out of products %d, refused %d, narrow %d), certified %d, products %d (columns %d), cholesky upper %d lower %d anchor %d, upper by anchor %d%n",
                    stats.fullEigh, stats.outOfProducts, stats.refused, stats.narrow, stats.certified, stats.products, stats.productColumns, stats.choleskyUpper, stats.choleskyLower,
                    stats.choleskyAnchor, stats.upperByAnchor);
        if (Boolean.getBoolean("ganfactor.rpca.debug"))
            for (int i = 0; i < PARTS.length; i++) System.err.printf("  %-18s %8.3f s%n", PARTS[i], nanos[i] / 1e9);
        double[] l = new double[d * d];
        lp.get(l);
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
     * {||L + S - M||_F^2, ||S - S_prev||_F^2, ||Y||_F^2}; the last two only for EXACT (whose
     * stop needs the dual residual), NaN otherwise ({@link #sweepLean}).
     */
    private double[] sweep(double mu, double muNext) {
        if (o.solver != Rpca.Solver.EXACT) return sweepLean(mu, muNext);
        double thr = o.lambda / mu, inv = 1 / mu, invNext = 1 / muNext, r2 = 0, ds2 = 0, y2 = 0, x2 = 0, dx2 = 0;
        double[] lc = col, xc = sweepX; // column c of L and X, copied from and (X) back to the native buffers
        for (int c = 0; c < d; c++) {
            int base = c * d;
            lb.get(base, lc, 0, c + 1);
            xb.get(base, xc, 0, c + 1);
            double r2c = 0, ds2c = 0, y2c = 0, x2c = 0, dx2c = 0;
            for (int i = base, j = 0, end = base + c; i < end; i++, j++) { // strictly upper part of column c
                double mi = m[i], li = lc[j], yi = y[i];
                double z = mi - li - yi * inv;
                double sn = z - Math.max(-thr, Math.min(thr, z)); // soft threshold
                double ri = li + sn - mi;
                double yn = yi + mu * ri;
                double dsv = sn - s[i];
                double xn = mi - sn - yn * invNext;
                double a = xn - xc[j];
                r2c += ri * ri;
                ds2c += dsv * dsv;
                y2c += yn * yn;
                x2c += xn * xn;
                dx2c += a * a;
                s[i] = sn;
                y[i] = yn;
                xc[j] = xn;
            }
            int i = base + c; // diagonal
            double mi = m[i], li = lc[c], yi = y[i];
            double z = mi - li - yi * inv;
            double sn = z - Math.max(-thr, Math.min(thr, z));
            double ri = li + sn - mi;
            double yn = yi + mu * ri;
            double dsv = sn - s[i];
            double xn = mi - sn - yn * invNext;
            double a = xn - xc[c];
            r2 += 2 * r2c + ri * ri;
            ds2 += 2 * ds2c + dsv * dsv;
            y2 += 2 * y2c + yn * yn;
            x2 += 2 * x2c + xn * xn;
            dx2 += 2 * dx2c + a * a;
            s[i] = sn;
            y[i] = yn;
            xc[c] = xn;
            xb.put(base, xc, 0, c + 1);
        }
        xNorm = Math.sqrt(x2);
        // ||X_new - X_a||_F <= ||X_old - X_a||_F + ||X_new - X_old||_F (no copy of the anchors needed)
        double step = Math.sqrt(dx2);
        distLower += step;
        distUpper += step;
        return new double[]{r2, ds2, y2};
    }

    /**
     * The sweep with two sums instead of five: ||L + S - M||_F^2 (the stop) and ||X_new -
     * X_old||_F^2 (the anchors' drift); ||X||_F is carried as an upper bound, ||X_old||_F +
     * ||X_new - X_old||_F (it only sizes the rounding slack delta, where 551 steps of ~0.1 tau
     * against ||X||_F ~ 2e4 tau change nothing). This loop runs 3x faster than the
     * five-sum one: 0.18 ms against 0.55 ms a pass at d = 512 (one thread, isolated loop; that
     * the JIT vectorises one and not the other is a guess from the times, not read off its code).
     * The two passes are separate copies on purpose: merged into one (the diagonal entry in a
     * shared helper, the column loops in helpers or the two-sum one inline) they gave the same
     * results and warm times but a slower first solve, the sweep 0.52 - 0.76 s against 0.44 -
     * 0.52 s in a fresh JVM (two variants, 3 runs each, alternating with these copies).
     */
    private double[] sweepLean(double mu, double muNext) {
        double thr = o.lambda / mu, inv = 1 / mu, invNext = 1 / muNext, r2 = 0, dx2 = 0;
        double[] lc = col, xc = sweepX;
        for (int c = 0; c < d; c++) {
            int base = c * d;
            lb.get(base, lc, 0, c + 1);
            xb.get(base, xc, 0, c + 1);
            double r2c = 0, dx2c = 0;
            for (int i = base, j = 0, end = base + c; i < end; i++, j++) { // strictly upper part of column c
                double mi = m[i], li = lc[j], yi = y[i];
                double z = mi - li - yi * inv;
                double sn = z - Math.max(-thr, Math.min(thr, z)); // soft threshold
                double ri = li + sn - mi;
                double yn = yi + mu * ri;
                double xn = mi - sn - yn * invNext;
                double a = xn - xc[j];
                r2c += ri * ri;
                dx2c += a * a;
                s[i] = sn;
                y[i] = yn;
                xc[j] = xn;
            }
            int i = base + c; // diagonal
            double mi = m[i], li = lc[c], yi = y[i];
            double z = mi - li - yi * inv;
            double sn = z - Math.max(-thr, Math.min(thr, z));
            double ri = li + sn - mi;
            double yn = yi + mu * ri;
            double xn = mi - sn - yn * invNext;
            double a = xn - xc[c];
            r2 += 2 * r2c + ri * ri;
            dx2 += 2 * dx2c + a * a;
            s[i] = sn;
            y[i] = yn;
            xc[c] = xn;
            xb.put(base, xc, 0, c + 1);
        }
        double step = Math.sqrt(dx2);
        xNorm += step;
        distLower += step;
        distUpper += step;
        return new double[]{r2, Double.NaN, Double.NaN};
    }

    /** L (upper triangle of lp) = the SVT of X at tau; sets kept and theta. */
    private void svt(double tau) {
        // after failed attempts, skip the partial path for 1, 3, 7, 15 iterations (X moving in large
        // steps, as on planted problems, makes the warm start useless; certifiedTol 0: dsyevd always)
        boolean done = false;
        if (k > 0 && o.certifiedTol > 0 && (3 * k <= d || o.certifiedEager)) { // a block over a third of d: the full solve is cheaper
            if (cooldown > 0 && !o.certifiedEager) cooldown--;
            else {
                done = partial(tau);
                failures = done ? 0 : failures + 1;
                if (!done) cooldown = (1 << Math.min(failures, 4)) - 1;
            }
        }
        if (!done) { mark = System.nanoTime(); fullEigh(tau); lap(9); }
        buildL(tau);
        lap(8);
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
        prevValid = false;
        k = Math.min(d, c + PAD);
        ritz = new double[k];
        for (int j = 0; j < k; j++) {
            workb.get(fullOrder[j] * d, col);
            qb.put(j * d, col);
            ritz[j] = w[fullOrder[j]];
        }
        // anchors from the eigendecomposition (backward error delta): lower, lambda_min(X) = w[0];
        // upper, the largest eigenvalue off the block, with the block as W_a
        double delta = 16 * d * Math.ulp(1.0) * xNorm;
        anchorShift = Math.max(0, -w[0]) + delta;
        lastShift = anchorShift;
        distLower = 0;
        anchorBeta = Double.NaN;
        if (k < d && tau > 0) {
            double off = Double.NEGATIVE_INFINITY;
            for (int j = k; j < d; j++) off = Math.max(off, w[fullOrder[j]]);
            double beta = off + 0.01 * tau + 4 * delta, gamma = 0.02 * tau;
            double[] dd = new double[k];
            for (int j = 0; j < k; j++) dd[j] = Math.max(w[fullOrder[j]] - beta, 0) + gamma;
            Pointer.memcpy(wa, qp, 8L * d * k);
            anchorD = dd;
            anchorK = k;
            anchorBeta = beta;
            distUpper = 0;
        }
    }

    /**
     * Subspace iteration + Rayleigh-Ritz + certificate; false: fall back to a full eigh. Columns
     * whose residuals together use at most a quarter of the tolerance are locked (kept as they
     * are, with their products X u), and the following products only take the active rest of
     * the block, kept orthogonal to the locked columns.
     */
    private boolean partial(double tau) {
        // Rayleigh-Ritz from the second product on, or the first when one product sufficed last time
        int rrFrom = Math.min(1, lastProducts - 1);
        extrapolate(rrFrom == 0);
        int lk = 0; // locked columns: up[0, lk) and xup[0, lk), residual^2 sum errLocked
        double errLocked = 0;
        double[] ths = new double[k];
        for (int p = 0; p < MAX_PRODUCTS; p++) {
            int ka = k - lk;
            DoublePointer qa = qp.getPointer((long) lk * d), wa2 = wp.getPointer((long) lk * d);
            stats.products++;
            stats.productColumns += ka;
            openblas.cblas_dsymm(COL, LEFT, UPPER, d, ka, 1.0, xp, d, qa, d, 0.0, wa2, d);
            lap(1);
            if (p < rrFrom) { // plain subspace step: X Q diag(1/|theta|) (the columns are near Ritz vectors), CholeskyQR
                for (int j = 0; j < k; j++)
                    openblas.cblas_dscal(d, 1 / Math.max(Math.abs(ritz[j]), Double.MIN_NORMAL), wp.getPointer((long) j * d), 1);
                Pointer.memcpy(qp, wp, 8L * d * k);
                boolean qr = cholQr(qp, k);
                lap(4);
                if (!qr) return false;
                continue;
            }
            // Rayleigh-Ritz on the active columns
            openblas.cblas_dgemm(COL, TRANS, NOTRANS, ka, ka, d, 1.0, qa, d, wa2, d, 0.0, hp, ka);
            double[] h = new double[ka * ka];
            hp.get(h);
            for (int a = 0; a < ka; a++) // symmetrise H into its upper triangle
                for (int b = 0; b < a; b++) h[b + a * ka] = 0.5 * (h[b + a * ka] + h[a + b * ka]);
            hp.put(h);
            int info = openblas.LAPACKE_dsyevd(COL, (byte) 'V', (byte) 'U', ka, hp, ka, thp);
            if (info != 0) return false;
            double[] th = new double[ka];
            thp.get(th);
            hp.get(h);
            // dsyevd's ascending order to descending |theta|: merge from both ends
            double[] g = new double[ka * ka];
            for (int j = 0, lo = 0, hi = ka - 1; j < ka; j++) {
                int from = Math.abs(th[hi]) >= Math.abs(th[lo]) ? hi-- : lo++;
                ths[lk + j] = th[from];
                System.arraycopy(h, from * ka, g, j * ka, ka);
            }
            gp.put(g);
            openblas.cblas_dgemm(COL, NOTRANS, NOTRANS, d, ka, ka, 1.0, qa, d, gp, ka, 0.0, up.getPointer((long) lk * d), d);
            openblas.cblas_dgemm(COL, NOTRANS, NOTRANS, d, ka, ka, 1.0, wa2, d, gp, ka, 0.0, xup.getPointer((long) lk * d), d);
            lap(2);
            int c = lk;
            while (c < k && Math.abs(ths[c]) > tau) c++;
            if (c > k - 4) { stats.narrow++; return false; } // the block is too narrow for the kept count
            double[] xu = blockA, u = blockB;
            xup.get(xu, 0, d * k);
            up.get(u, 0, d * k);
            double[] r2 = new double[c];
            double err2 = errLocked, l2 = 0;
            for (int j = 0; j < c; j++) {
                double t = ths[j];
                if (j >= lk) {
                    double acc = 0;
                    for (int i = j * d, end = i + d; i < end; i++) {
                        double r = xu[i] - t * u[i];
                        acc += r * r;
                    }
                    r2[j] = acc;
                    err2 += acc;
                }
                double f = Math.abs(t) - tau;
                l2 += f * f;
            }
            lap(3);
            double tol2 = o.certifiedTol * o.certifiedTol * l2;
            if (err2 <= tol2 || (c == 0 && err2 == 0)) {
                boolean orth = orthonormal(k);
                lap(5);
                if (!orth || !certify(tau, c, ths)) { stats.refused++; return false; }
                stats.certified++;
                lastProducts = p + 1;
                prevValid = true;
                kept = c;
                theta = java.util.Arrays.copyOf(ths, c);
                vFromFull = false;
                // warm start of the next iteration: all k Ritz vectors (k shrinks when c did)
                int kNext = Math.min(k, c + PAD);
                Pointer.memcpy(qp, up, 8L * d * kNext);
                ritz = java.util.Arrays.copyOf(ths, kNext);
                k = kNext;
                return true;
            }
            // lock the leading kept columns while their residuals stay within a quarter of the tolerance
            int lkNew = lk;
            double locked = errLocked;
            while (lkNew < c && locked + r2[lkNew] <= 0.25 * tol2) locked += r2[lkNew++];
            if (lkNew - lk < 2) lkNew = lk; // too few to be worth it
            else errLocked = locked;
            lk = lkNew;
            ka = k - lk;
            // next active block: X U diag(1/|theta|), orthogonal to the locked columns, CholeskyQR
            for (int j = lk; j < k; j++) {
                double sc = 1 / Math.max(Math.abs(ths[j]), Double.MIN_NORMAL);
                for (int i = j * d, end = i + d; i < end; i++) xu[i] *= sc;
            }
            qp.getPointer((long) lk * d).put(xu, lk * d, d * ka);
            qa = qp.getPointer((long) lk * d);
            if (lk > 0) {
                for (int pass = 0; pass < 2; pass++) { // twice is enough (Kahan)
                    openblas.cblas_dgemm(COL, TRANS, NOTRANS, lk, ka, d, 1.0, up, d, qa, d, 0.0, hp, lk);
                    openblas.cblas_dgemm(COL, NOTRANS, NOTRANS, d, ka, lk, -1.0, up, d, hp, lk, 1.0, qa, d);
                }
            }
            boolean qr = cholQr(qa, ka);
            lap(4);
            if (!qr) return false;
        }
        stats.outOfProducts++;
        return false;
    }

    /**
     * The warm start of this step, extrapolated (class comment): with U_j the kept Ritz vectors
     * of the last step (the first c columns of qp) and U_(j-1) those of the step before
     * (prevBlock), the kept columns become 2 U_j - U_(j-1) (U_(j-1)^T U_j) (the previous basis
     * rotated onto the current one before the difference is taken, so rotations inside a cluster
     * of Ritz values are not mistaken for motion), then the block is re-orthonormalised (the
     * padding columns follow the kept ones) when Rayleigh-Ritz runs on the first product (with a
     * plain power step first, that step's CholeskyQR of X Q does it). Only when both steps kept
     * the same count c with the same block width and the last step was a certified partial one;
     * if CholeskyQR fails the block stays as it was.
     */
    private void extrapolate(boolean orthonormalise) {
        int c = kept;
        boolean can = o.certifiedExtrapolate && prevValid && prevK == k && prevC == c && c > 0;
        // the current block becomes the previous one of the next step (copied before it is modified)
        Pointer.memcpy(tmp, qp, 8L * d * k);
        if (can) {
            openblas.cblas_dgemm(COL, TRANS, NOTRANS, c, c, d, 1.0, prevBlock, d, qp, d, 0.0, hp, c);
            openblas.cblas_dgemm(COL, NOTRANS, NOTRANS, d, c, c, -1.0, prevBlock, d, hp, c, 2.0, qp, d);
            // (only the span matters to a first plain power step, which orthonormalises X Q itself)
            if (orthonormalise && !cholQr(qp, k)) Pointer.memcpy(qp, tmp, 8L * d * k);
        }
        Pointer.memcpy(prevBlock, tmp, 8L * d * k);
        prevK = k;
        prevC = c;
        prevValid = false; // set again when this step is certified
    }

    /** The first c Ritz vectors (columns of up) are orthonormal to 1e-12 (the bounds of the class comment assume it). */
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
    private boolean cholQr(DoublePointer q, int n) {
        openblas.cblas_dsyrk(COL, UPPER, TRANS, n, d, 1.0, q, d, 0.0, rp, n);
        if (openblas.LAPACKE_dpotrf(COL, (byte) 'U', n, rp, n) != 0) return false;
        openblas.cblas_dtrsm(COL, RIGHT, UPPER, NOTRANS, NONUNIT, d, n, 1.0, rp, n, q, d);
        return true;
    }

    /** The certificate that the compression of X off span(U1) has its spectrum in (-tau, tau) (class comment). */
    private boolean certify(double tau, int c, double[] ths) {
        double nx = xNorm;
        double maxPos = 0, maxNeg = 0;
        for (int j = 0; j < c; j++) {
            maxPos = Math.max(maxPos, ths[j]);
            maxNeg = Math.max(maxNeg, -ths[j]);
        }
        boolean upper = upperByBlock(tau, c, ths, nx);
        if (upper) stats.upperByAnchor++;
        else {
            stats.choleskyUpper++;
            upper = directPositiveDefinite(tau, +1, c, tau + maxPos, nx);
        }
        lap(6);
        if (!upper) return false;
        try {
            if (maxNeg > 0) {
                stats.choleskyLower++;
                return directPositiveDefinite(tau, -1, c, tau + maxNeg, nx);
            }
            double delta = 16 * d * Math.ulp(1.0) * nx;
            if (!Double.isNaN(anchorShift) && anchorShift + distLower + delta < tau) return true;
            // renew the anchor: lambda_min(X) > -s; try a little below the last shift that held, then towards tau
            double last = Double.isNaN(lastShift) ? 0.5 * tau : lastShift;
            double[] tries = {Math.max(0, last - 0.1 * (tau - last)), last + 0.4 * (tau - last), tau - 4 * delta};
            for (double sNew : tries) {
                if (!(sNew + delta < tau)) continue;
                stats.choleskyLower++;
                if (deflatedPositiveDefinite(sNew - delta, -1, new double[0])) {
                    anchorShift = sNew;
                    lastShift = sNew;
                    distLower = 0;
                    return true;
                }
            }
            return false;
        } finally {
            lap(7);
        }
    }

    /**
     * The upper side without a factorisation of X (class comment, "upper side by the block"):
     * for a unit v = P a + z orthogonal to U1 (P the padding columns of the block W, z orthogonal
     * to W), v^T X v &lt;= y^T K y with y = (|a_1|, .., |a_p|, |z|) and K = [[H + o I, e], [e^T, zeta]],
     * H the diagonal of P^T X P and o the Frobenius norm of its off-diagonal rest,
     * e_i = ||(I - W W^T) X p_i|| and zeta &gt;= max z^T X z over unit z orthogonal to W; so
     * lambda_max(K) &lt; tau certifies B &lt; tau. zeta comes from an anchor: a Cholesky factorisation
     * of (beta - delta) I - X_a + W_a D W_a^T certifies z^T X_a z &lt;= beta + ||D^(1/2) W_a^T z||^2,
     * hence for z orthogonal to W: z^T X z &lt;= beta + lambda_max(D^(1/2) (I - C C^T) D^(1/2))
     * + ||X - X_a||_F with C = W_a^T W. The anchor is renewed (one factorisation) when the bound
     * fails; false when even a fresh anchor could not certify (the caller factorises at tau).
     */
    private boolean upperByBlock(double tau, int c, double[] ths, double nx) {
        int p = k - c;
        if (p < 1) return false;
        DoublePointer xP = xup.getPointer((long) c * d);
        openblas.cblas_dgemm(COL, TRANS, NOTRANS, k, p, d, 1.0, up, d, xP, d, 0.0, fp, k);
        Pointer.memcpy(ep, xP, 8L * d * p);
        openblas.cblas_dgemm(COL, NOTRANS, NOTRANS, d, p, k, -1.0, up, d, fp, k, 1.0, ep, d);
        double[] e = new double[p];
        double[] buf = blockA;
        ep.get(buf, 0, d * p);
        for (int j = 0; j < p; j++) {
            double t = 0;
            for (int i = j * d, end = i + d; i < end; i++) t += buf[i] * buf[i];
            e[j] = Math.sqrt(t);
        }
        double[] f = new double[k * p];
        fp.get(f);
        // y = (|a_1|, .., |a_p|, |z|) needs a diagonal P^T X P: its off-diagonal part (rounding after
        // Rayleigh-Ritz) is bounded by its Frobenius norm and added to the diagonal
        double off2 = 0;
        for (int j = 0; j < p; j++)
            for (int i = 0; i < j; i++) {
                double v = 0.5 * (f[c + i + j * k] + f[c + j + i * k]);
                off2 += 2 * v * v;
            }
        double off = Math.sqrt(off2);
        double[] kmat = new double[(p + 1) * (p + 1)];
        for (int j = 0; j < p; j++) {
            kmat[j + j * (p + 1)] = f[c + j + j * k] + off;
            kmat[j + p * (p + 1)] = e[j];
        }
        double maxD = 0;
        for (double v : anchorD) maxD = Math.max(maxD, v);
        double delta = 16 * d * Math.ulp(1.0) * (nx + Math.max(maxD, tau + Math.abs(ths[0])));
        if (!Double.isNaN(anchorBeta)) {
            double sg = sigma2();
            double zeta = anchorBeta + sg + distUpper;
            if (lambdaMax(kmat, p + 1, zeta) < tau - delta) return true;
        }
        // renew: beta between the block's lowest positive Ritz value and tau, if that could certify at all
        double lo = 0;
        for (int j = c; j < k; j++) if (ths[j] > 0) lo = lo == 0 ? ths[j] : Math.min(lo, ths[j]);
        for (double frac : ANCHOR_BETA) {
            double beta = lo + frac * (tau - lo);
            if (!(lambdaMax(kmat, p + 1, beta) < tau - delta)) continue;
            double gamma = 0.02 * tau;
            double[] dd = new double[k];
            double md = 0;
            for (int j = 0; j < k; j++) {
                dd[j] = Math.max(ths[j] - beta, 0) + gamma;
                md = Math.max(md, dd[j]);
            }
            double deltaC = 16 * d * Math.ulp(1.0) * (nx + md);
            stats.choleskyAnchor++;
            if (!deflatedPositiveDefinite(beta - deltaC, +1, dd)) continue;
            Pointer.memcpy(wa, up, 8L * d * k);
            anchorD = dd;
            anchorK = k;
            anchorBeta = beta;
            distUpper = 0;
            return true;
        }
        return false;
    }

    /** lambda_max(D^(1/2) (I - C C^T) D^(1/2)), C = W_a^T W (the current block in up), plus rounding slack. */
    private double sigma2() {
        int ka = anchorK;
        openblas.cblas_dgemm(COL, TRANS, NOTRANS, ka, k, d, 1.0, wa, d, up, d, 0.0, cp, ka);
        openblas.cblas_dsyrk(COL, UPPER, NOTRANS, ka, k, 1.0, cp, ka, 0.0, ccp, ka);
        double[] g = new double[ka * ka];
        ccp.get(g);
        double maxD = 0;
        for (int j = 0; j < ka; j++) {
            maxD = Math.max(maxD, anchorD[j]);
            for (int i = 0; i <= j; i++)
                g[i + j * ka] = Math.sqrt(anchorD[i] * anchorD[j]) * ((i == j ? 1 : 0) - g[i + j * ka]);
        }
        kp.put(g);
        if (openblas.LAPACKE_dsyevd(COL, (byte) 'N', (byte) 'U', ka, kp, ka, kw) != 0) return Double.POSITIVE_INFINITY;
        return Math.max(0, kw.get(ka - 1)) + 64 * (ka + d) * Math.ulp(1.0) * maxD;
    }

    /** lambda_max of the symmetric n x n matrix whose upper triangle is in a (last diagonal entry set to corner). */
    private double lambdaMax(double[] a, int n, double corner) {
        a[n * n - 1] = corner;
        kp.put(a);
        if (openblas.LAPACKE_dsyevd(COL, (byte) 'N', (byte) 'U', n, kp, n, kw) != 0) return Double.POSITIVE_INFINITY;
        return kw.get(n - 1);
    }

    /**
     * shift I - sign X + U diag(weights) U^T is positive definite ({@link #positiveDefinite}), U =
     * the first weights.length columns of up: the anchor (sign +1, weights D over the block), the
     * direct certificate (+-1, alpha over the kept vectors) and the lower anchor (-1, none).
     */
    private boolean deflatedPositiveDefinite(double shift, int sign, double[] weights) {
        Pointer.memcpy(work, xp, 8L * d * d);
        openblas.cblas_dscal(d * d, -sign, work, 1); // (the lower triangle is never read)
        for (int i = 0; i < d; i++) workb.put(i * d + i, workb.get(i * d + i) + shift);
        int n = weights.length;
        if (n > 0) {
            double[] w = blockA;
            up.get(w, 0, d * n);
            for (int j = 0; j < n; j++) {
                double sc = Math.sqrt(weights[j]);
                for (int i = j * d, end = i + d; i < end; i++) w[i] *= sc;
            }
            tmp.put(w, 0, d * n);
            openblas.cblas_dsyrk(COL, UPPER, NOTRANS, d, n, 1.0, tmp, d, 1.0, work, d);
        }
        return positiveDefinite();
    }

    /**
     * The matrix in work (upper triangle) is positive definite, by a floating-point Cholesky
     * factorisation of work - c I with c = gamma_(d+1) / (1 - gamma_(d+1)) tr(work), gamma_n =
     * n u / (1 - n u), u = 2^-53: if that factorisation runs to completion, work itself is positive
     * definite (Rump, "Verification of positive definiteness", BIT 46, 2006; its underflow term is
     * zero for the normal numbers here). The callers' delta covers the rounding in forming work.
     */
    private boolean positiveDefinite() {
        double tr = 0;
        for (int i = 0; i < d; i++) tr += workb.get(i * d + i);
        if (!(tr > 0)) return false;
        double u = Math.ulp(1.0) / 2, g = (d + 1) * u / (1 - (d + 1) * u);
        double c = g / (1 - g) * tr * (1 + 4 * d * u); // the trace's own rounding
        for (int i = 0; i < d; i++) workb.put(i * d + i, workb.get(i * d + i) - c);
        return BlasThreads.solve(d, () -> openblas.LAPACKE_dpotrf(COL, (byte) 'U', d, work, d)) == 0;
    }

    /** The direct certificate: (tau - delta) I - sign X + alpha U1 U1^T is positive definite (U1 = the c kept vectors). */
    private boolean directPositiveDefinite(double tau, int sign, int c, double alpha, double nx) {
        double[] weights = new double[c];
        java.util.Arrays.fill(weights, alpha);
        return deflatedPositiveDefinite(tau - 16 * d * Math.ulp(1.0) * (nx + alpha), sign, weights);
    }

    /** l (upper) = sum_i f(theta_i) v_i v_i^T over the kept vectors, by two dsyrk (positive and negative part). */
    private void buildL(double tau) {
        int c = kept;
        if (c == 0) {
            Pointer.memset(lp, 0, 8L * d * d);
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
    }
}
