package ganfactor.method;

import ganfactor.method.CertifiedOps.Blk;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.openblas.global.openblas;
import org.bytedeco.pytorch.Tensor;

import java.util.concurrent.CancellationException;

/**
 * The sweep of {@link Rpca} with a certified partial SVT ({@link Rpca.Options#certifiedSvt}),
 * on plain arrays and direct BLAS/LAPACK calls (no tensors per iteration).
 *
 * <p><b>The L-step.</b> X is symmetric, so SVT_tau(X) = f(X) with f(t) = sign(t) max(|t| - tau, 0)
 * applied to the eigenvalues. A block Q of k = c + {@link #PAD} orthonormal columns (c = number of
 * eigenvalues with |lambda| &gt; tau), warm-started from the previous iteration's Ritz vectors
 * moved on by their last step (a linear extrapolation, {@link #extrapolate}: the ADMM iterates
 * converge slowly and steadily, so the kept vectors move almost the same way twice), is
 * refined by subspace iteration (one product X Q per step, CholeskyQR of X U diag(1/|theta|),
 * Rayleigh-Ritz from the second product on) until the Ritz pairs U1 = [u_1..u_c] with
 * |theta_i| &gt; tau have residual ||X U1 - U1 Theta1||_F &lt;= {@link Rpca.Options.Tuning#certifiedTol}
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
 *       d x k work; the anchor is renewed only when the bound fails (X drifts little per
 *       iteration, so one anchor serves several); when even a fresh anchor cannot certify, a
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
 * certifiedTol relative (RpcaTest and RpcaReferenceTest hold it to that bound; the measured
 * distances, far smaller, are in benchmarks/RESULTS.md).
 *
 * <p>On the host the whole solve runs with OpenBLAS at one thread ({@link
 * ganfactor.linalg.BlasThreads#single}): its calls are small (d x k products, k x k problems, one
 * d x d factorisation now and then), and a second thread costs more than it gives (measured in
 * benchmarks/RESULTS.md).
 *
 * <p>Backends ({@link CertifiedOps}): on the CPU, OpenBLAS/LAPACK on native buffers with the
 * symmetric matrices in their upper triangles ({@link BlasCertifiedOps}); for a matrix on a GPU (or
 * on request), LibTorch tensors on its device with the eigendecomposition and Cholesky
 * factorisations through {@link ganfactor.linalg.Linalg} ({@link TensorCertifiedOps}). The
 * control flow, tolerances and certificates above are this class's, the same for both.
 *
 * <p>The measurements behind its choices (block padding, the extrapolated start, the anchors,
 * threads, the backends) are in benchmarks/RESULTS.md, "RPCA: design measurements" and the
 * issue-15 rounds before it.
 */
final class RpcaCertified {

    private static final int COL = 102, UPPER = 121, NOTRANS = 111;
    /**
     * Extra columns of the block beyond the c kept ones (6 against 4 - 12: benchmarks/RESULTS.md,
     * "RPCA at the reference's answer, fourth round").
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
    /** The dense state and operations (M, S, Y, X, L and the blocks). */
    private final CertifiedOps ops;
    /**
     * Host work buffers of the small dense problems: the Rayleigh-Ritz matrix and its eigenvalues,
     * CholeskyQR's factor, the upper anchor's cross products W_a^T U and their Gram, and the
     * certificates' small symmetric eigenproblems with their eigenvalues.
     */
    private final DoublePointer rrMatrix, rrValues, cholFactor, anchorCross, anchorGram, smallSym, smallValues;
    private int k; // block width, 0: no warm start
    private double[] theta = new double[0]; // the accepted Ritz values (sorted by |theta| desc)
    private int kept; // c
    private boolean vFromFull; // the kept vectors are in VEC (full eigh) rather than U
    private double[] ritz = new double[0]; // Ritz values of the block's columns (warm start)
    private int lastProducts = 1; // products the last certified step took
    /** Whether the block PREV holds the previous certified step's start (its first prevC columns: the kept Ritz vectors before that step), for the extrapolated warm start. */
    private boolean prevValid;
    private int prevK, prevC;
    private int failures, cooldown; // consecutive failed partial steps; iterations left without trying one
    private int[] fullOrder; // column order of VEC by |w| desc (full eigh)
    private double[] wAll; // full eigenvalues (in VEC's column order)
    private double anchorShift = Double.NaN; // lambda_min(anchor) > -anchorShift
    private double lastShift = Double.NaN; // the shift of the last certified lower anchor
    /** The upper anchor (class comment): its block W_a (WA, d x kA), weights D and beta; X_a itself is not kept. */
    private double[] anchorD = new double[0];
    private int anchorK;
    private double anchorBeta = Double.NaN;
    /** ||X||_F and the distances of X to the anchors, from the sweep that made X (or 0 after a renewal). */
    private double xNorm = Double.NaN, distLower = Double.POSITIVE_INFINITY, distUpper = Double.POSITIVE_INFINITY;
    final Stats stats = new Stats();
    /** Nanoseconds per part of the iteration (in the result with {@link Rpca.Options#profile}). */
    private final long[] nanos = new long[PARTS.length];
    private static final String[] PARTS = {"sweep", "products", "rayleigh-ritz", "residual", "cholqr", "orthonormal", "certificate upper", "certificate lower", "build L", "full eigh"};
    private long mark = System.nanoTime();
    private void lap(int part) {
        long now = System.nanoTime();
        nanos[part] += now - mark;
        mark = now;
    }

    private RpcaCertified(CertifiedOps ops, int d, Rpca.Options o) {
        this.d = d;
        this.o = o;
        this.ops = ops;
        long dd = (long) d * d;
        rrMatrix = new DoublePointer(dd);
        rrValues = new DoublePointer(d);
        cholFactor = new DoublePointer(dd);
        anchorCross = new DoublePointer(dd);
        anchorGram = new DoublePointer(dd);
        smallSym = new DoublePointer(dd);
        smallValues = new DoublePointer(d + 1);
    }

    /**
     * Solves PCP for the symmetric m (row-major = column-major), ||m||_F = normF &gt; 0, with the
     * solver, mu rule and stop of {@code o.solver} and the certified SVT, on the host (OpenBLAS).
     */
    static Rpca.Result solve(double[] mSym, int d, double normF, Rpca.Options o, long t0) {
        return ganfactor.linalg.BlasThreads.single(() -> {
            try (PointerScope scope = new PointerScope()) {
                return new RpcaCertified(new BlasCertifiedOps(mSym, d), d, o).run(normF, t0);
            }
        });
    }

    /** The same on LibTorch tensors on m's device (float64, symmetric), through {@code o.linalg}. */
    static Rpca.Result solve(Tensor m, double normF, Rpca.Options o, long t0) {
        int d = (int) m.size(0);
        try (PointerScope scope = new PointerScope()) {
            return new RpcaCertified(new TensorCertifiedOps(m, o.linalg), d, o).run(normF, t0);
        }
    }

    /**
     * Test hook for the certificate on its own: a full eigendecomposition of X_a (which sets the
     * anchors and the block, as at the start of a solve), then X moves to X_b (the anchors'
     * distance grows by ||X_b - X_a||_F, as in the sweep) and one partial step runs at tau from
     * X_a's block, or from the given block (column-major d x k) when not null; on the host
     * backend or (tensors) on LibTorch CPU tensors. Returns whether that step was certified
     * (false: refused or not converged).
     */
    static boolean partialStepAfter(double[] xa, double[] xb, int d, double tau, double[] block, int k, boolean tensors) {
        try (PointerScope scope = new PointerScope()) {
            CertifiedOps ops = tensors ? new TensorCertifiedOps(ganfactor.torch.Torch.of(xa, d, d), ganfactor.linalg.TorchLinalg.INSTANCE)
                    : new BlasCertifiedOps(xa.clone(), d);
            RpcaCertified r = new RpcaCertified(ops, d, new Rpca.Options());
            r.xNorm = frobenius(xa);
            ops.setX(xa);
            r.fullEigh(tau);
            double step = 0;
            for (int i = 0; i < xa.length; i++) step += (xb[i] - xa[i]) * (xb[i] - xa[i]);
            r.distLower += Math.sqrt(step);
            r.distUpper += Math.sqrt(step);
            r.xNorm = frobenius(xb);
            ops.setX(xb);
            if (block != null) {
                ops.putBlock(Blk.Q, block, k);
                r.k = k;
                r.ritz = new double[k];
                java.util.Arrays.fill(r.ritz, 1);
            }
            return r.partial(tau);
        }
    }

    private static double frobenius(double[] a) {
        double t = 0;
        for (double v : a) t += v * v;
        return Math.sqrt(t);
    }

    private Rpca.Result run(double normF, long t0) {
        Rpca.Solver solver = o.solver;
        double mu, muMax, muRef = Double.NaN, yScale = 0;
        if (solver != Rpca.Solver.IALM) {
            muRef = (double) d * d / (4 * ops.norm1());
            mu = Double.isNaN(o.mu) ? muRef * (solver == Rpca.Solver.EXACT ? o.muScale : 1) : o.mu;
            muMax = mu;
        } else {
            xNorm = ops.init(0, 1); // X = M
            fullEigh(0); // ||M||_2
            double norm2 = 0;
            for (double w : wAll) norm2 = Math.max(norm2, Math.abs(w));
            k = 0;
            mu = Double.isNaN(o.mu) ? 1.25 / norm2 : o.mu;
            muMax = mu * o.muMaxFactor;
            yScale = -1.0 / Math.max(norm2, ops.maxAbs() / o.lambda);
            // that eigendecomposition was of M, not of the first X: no anchors from it (k = 0 makes
            // the first iteration a full one, which sets them)
            anchorShift = lastShift = anchorBeta = Double.NaN;
            distLower = distUpper = Double.POSITIVE_INFINITY;
        }
        if (!(mu > 0) || !Double.isFinite(mu)) throw new IllegalArgumentException("rpca: mu = " + mu);
        double mu0 = mu;
        xNorm = ops.init(yScale, mu);
        boolean exact = solver == Rpca.Solver.EXACT;
        boolean converged = false;
        double residualAbs = Double.POSITIVE_INFINITY, dualRel = Double.NaN;
        int it = 0;
        ganfactor.trace.IterationSpans spans = new ganfactor.trace.IterationSpans(o.trace, "rpca iterations", ganfactor.trace.IterationSpans.GROUP, "matrix", o.traceLabel, "certified", true);
        while (it < o.maxIterations) {
            if (o.cancelled.getAsBoolean()) throw new CancellationException("cancelled");
            it++;
            spans.begin(it);
            mark = System.nanoTime();
            svt(1 / mu);
            double muNext = mu;
            if (exact && it == o.tuning.muSwitch && Double.isNaN(o.mu)) muNext = muRef * o.tuning.muScaleTail;
            if (solver == Rpca.Solver.IALM) muNext = Math.min(o.rho * mu, muMax);
            mark = System.nanoTime();
            CertifiedOps.Sweep rr = ops.sweep(mu, muNext, o.lambda, exact);
            // ||X_new - X_a||_F <= ||X_old - X_a||_F + ||X_new - X_old||_F (no copy of the anchors
            // needed); without the five sums ||X||_F is carried as the upper bound ||X_old||_F + step
            // (it only sizes the rounding slack delta: 551 steps of ~0.1 tau against ||X||_F ~ 2e4 tau
            // change nothing)
            double step = Math.sqrt(rr.xChangeSq());
            xNorm = exact ? Math.sqrt(rr.xSq()) : xNorm + step;
            distLower += step;
            distUpper += step;
            lap(0);
            residualAbs = Math.sqrt(rr.residualSq());
            if (o.monitor != null) o.monitor.iteration(it, residualAbs / normF, kept);
            if (exact) {
                double lastDual = mu * Math.sqrt(rr.sChangeSq());
                double normY = Math.sqrt(rr.ySq());
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
        spans.close();
        Rpca.Result r = new Rpca.Result(ops.low(), ops.sparse(), d, it, converged, residualAbs / normF, kept, (System.nanoTime() - t0) / 1e9,
                solver.name().toLowerCase(), mu0, mu, stats.fullEigh, stats.certified, dualRel, stats.products);
        return o.profile ? r.withProfile(profile()) : r;
    }

    /** Where the solve's work and time went: the counters and the seconds of each part of the iteration ({@link Rpca.Options#profile}). */
    private java.util.Map<String, Object> profile() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("backend", ops.getClass().getSimpleName());
        m.put("full_eigh", stats.fullEigh);
        m.put("full_eigh_out_of_products", stats.outOfProducts);
        m.put("refused", stats.refused);
        m.put("narrow", stats.narrow);
        m.put("certified", stats.certified);
        m.put("block_products", stats.products);
        m.put("product_columns", stats.productColumns);
        m.put("cholesky_upper", stats.choleskyUpper);
        m.put("cholesky_lower", stats.choleskyLower);
        m.put("cholesky_anchor", stats.choleskyAnchor);
        m.put("upper_by_anchor", stats.upperByAnchor);
        java.util.Map<String, Object> s = new java.util.LinkedHashMap<>();
        for (int i = 0; i < PARTS.length; i++) s.put(PARTS[i], nanos[i] / 1e9);
        m.put("seconds", s);
        return m;
    }

    /** L = the SVT of X at tau; sets kept and theta. */
    private void svt(double tau) {
        // after failed attempts, skip the partial path for 1, 3, 7, 15 iterations (X moving in large
        // steps, as on planted problems, makes the warm start useless; certifiedTol 0: a full one always)
        boolean done = false;
        if (k > 0 && o.tuning.certifiedTol > 0 && (3 * k <= d || o.tuning.certifiedEager)) { // a block over a third of d: the full solve is cheaper
            if (cooldown > 0 && !o.tuning.certifiedEager) cooldown--;
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

    /** Full eigendecomposition of X; the kept vectors stay in VEC (order fullOrder), the block goes to Q. */
    private void fullEigh(double tau) {
        stats.fullEigh++;
        double[] w = ops.fullEigh();
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
        ops.gather(Blk.Q, Blk.VEC, fullOrder, k);
        for (int j = 0; j < k; j++) ritz[j] = w[fullOrder[j]];
        // anchors from the eigendecomposition (backward error delta): lower, lambda_min(X);
        // upper, the largest eigenvalue off the block, with the block as W_a
        double delta = 16 * d * Math.ulp(1.0) * xNorm;
        double wMin = Double.POSITIVE_INFINITY;
        for (double v : w) wMin = Math.min(wMin, v);
        anchorShift = Math.max(0, -wMin) + delta;
        lastShift = anchorShift;
        distLower = 0;
        anchorBeta = Double.NaN;
        if (k < d && tau > 0) {
            double off = Double.NEGATIVE_INFINITY;
            for (int j = k; j < d; j++) off = Math.max(off, w[fullOrder[j]]);
            double beta = off + 0.01 * tau + 4 * delta, gamma = 0.02 * tau;
            double[] dd = new double[k];
            for (int j = 0; j < k; j++) dd[j] = Math.max(w[fullOrder[j]] - beta, 0) + gamma;
            ops.copy(Blk.WA, 0, Blk.Q, 0, k);
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
        int lk = 0; // locked columns: U[0, lk) and XU[0, lk), residual^2 sum errLocked
        double errLocked = 0;
        double[] ths = new double[k];
        for (int p = 0; p < MAX_PRODUCTS; p++) {
            int ka = k - lk;
            stats.products++;
            stats.productColumns += ka;
            ops.symm(Blk.Q, lk, ka, Blk.W);
            lap(1);
            if (p < rrFrom) { // plain subspace step: X Q diag(1/|theta|) (the columns are near Ritz vectors), CholeskyQR
                double[] sc = new double[k];
                for (int j = 0; j < k; j++) sc[j] = 1 / Math.max(Math.abs(ritz[j]), Double.MIN_NORMAL);
                ops.scale(Blk.W, 0, sc);
                ops.copy(Blk.Q, 0, Blk.W, 0, k);
                boolean qr = cholQr(0, k);
                lap(4);
                if (!qr) return false;
                continue;
            }
            // Rayleigh-Ritz on the active columns
            double[] h = ops.gemmTN(Blk.Q, lk, ka, Blk.W, lk, ka);
            for (int a = 0; a < ka; a++) // symmetrise H into its upper triangle
                for (int b = 0; b < a; b++) h[b + a * ka] = 0.5 * (h[b + a * ka] + h[a + b * ka]);
            rrMatrix.put(h);
            int info = openblas.LAPACKE_dsyevd(COL, (byte) 'V', (byte) 'U', ka, rrMatrix, ka, rrValues);
            if (info != 0) return false;
            double[] th = new double[ka];
            rrValues.get(th);
            rrMatrix.get(h);
            // dsyevd's ascending order to descending |theta|: merge from both ends
            double[] g = new double[ka * ka];
            for (int j = 0, lo = 0, hi = ka - 1; j < ka; j++) {
                int from = Math.abs(th[hi]) >= Math.abs(th[lo]) ? hi-- : lo++;
                ths[lk + j] = th[from];
                System.arraycopy(h, from * ka, g, j * ka, ka);
            }
            ops.gemmNN(Blk.U, lk, ka, Blk.Q, lk, ka, g, 1.0, 0.0);
            ops.gemmNN(Blk.XU, lk, ka, Blk.W, lk, ka, g, 1.0, 0.0);
            lap(2);
            int c = lk;
            while (c < k && Math.abs(ths[c]) > tau) c++;
            if (c > k - 4) { stats.narrow++; return false; } // the block is too narrow for the kept count
            double[] r2 = new double[c];
            double err2 = errLocked, l2 = 0;
            double[] fresh = ops.residuals(Blk.XU, Blk.U, lk, c, ths);
            for (int j = 0; j < c; j++) {
                if (j >= lk) {
                    r2[j] = fresh[j - lk];
                    err2 += r2[j];
                }
                double f = Math.abs(ths[j]) - tau;
                l2 += f * f;
            }
            lap(3);
            double tol2 = o.tuning.certifiedTol * o.tuning.certifiedTol * l2;
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
                ops.copy(Blk.Q, 0, Blk.U, 0, kNext);
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
            double[] sc = new double[ka];
            for (int j = lk; j < k; j++) sc[j - lk] = 1 / Math.max(Math.abs(ths[j]), Double.MIN_NORMAL);
            ops.copy(Blk.Q, lk, Blk.XU, lk, ka);
            ops.scale(Blk.Q, lk, sc);
            if (lk > 0) {
                for (int pass = 0; pass < 2; pass++) { // twice is enough (Kahan)
                    double[] hc = ops.gemmTN(Blk.U, 0, lk, Blk.Q, lk, ka);
                    ops.gemmNN(Blk.Q, lk, ka, Blk.U, 0, lk, hc, -1.0, 1.0);
                }
            }
            boolean qr = cholQr(lk, ka);
            lap(4);
            if (!qr) return false;
        }
        stats.outOfProducts++;
        return false;
    }

    /**
     * The warm start of this step, extrapolated (class comment): with U_j the kept Ritz vectors
     * of the last step (the first c columns of Q) and U_(j-1) those of the step before
     * (PREV), the kept columns become 2 U_j - U_(j-1) (U_(j-1)^T U_j) (the previous basis
     * rotated onto the current one before the difference is taken, so rotations inside a cluster
     * of Ritz values are not mistaken for motion), then the block is re-orthonormalised (the
     * padding columns follow the kept ones) when Rayleigh-Ritz runs on the first product (with a
     * plain power step first, that step's CholeskyQR of X Q does it). Only when both steps kept
     * the same count c with the same block width and the last step was a certified partial one;
     * if CholeskyQR fails the block stays as it was.
     */
    private void extrapolate(boolean orthonormalise) {
        int c = kept;
        boolean can = o.tuning.certifiedExtrapolate && prevValid && prevK == k && prevC == c && c > 0;
        // the current block becomes the previous one of the next step (copied before it is modified)
        ops.copy(Blk.TMP, 0, Blk.Q, 0, k);
        if (can) {
            double[] h = ops.gemmTN(Blk.PREV, 0, c, Blk.Q, 0, c);
            ops.gemmNN(Blk.Q, 0, c, Blk.PREV, 0, c, h, -1.0, 2.0);
            // (only the span matters to a first plain power step, which orthonormalises X Q itself)
            if (orthonormalise && !cholQr(0, k)) ops.copy(Blk.Q, 0, Blk.TMP, 0, k);
        }
        ops.copy(Blk.PREV, 0, Blk.TMP, 0, k);
        prevK = k;
        prevC = c;
        prevValid = false; // set again when this step is certified
    }

    /** The first c Ritz vectors (columns of U) are orthonormal to 1e-12 (the bounds of the class comment assume it). */
    private boolean orthonormal(int c) {
        if (c == 0) return true;
        double[] g = ops.gramUpper(Blk.U, 0, c);
        for (int j = 0; j < c; j++)
            for (int i = 0; i <= j; i++)
                if (Math.abs(g[i + j * c] - (i == j ? 1 : 0)) > 1e-12) return false;
        return true;
    }

    /** Q[from, +n) &lt;- Q R^-1, R the Cholesky factor of Q^T Q; false if not positive definite. */
    private boolean cholQr(int from, int n) {
        cholFactor.put(ops.gramUpper(Blk.Q, from, n), 0, n * n);
        if (openblas.LAPACKE_dpotrf(COL, (byte) 'U', n, cholFactor, n) != 0) return false;
        double[] r = new double[n * n];
        cholFactor.get(r);
        ops.trsmRightUpper(Blk.Q, from, n, r);
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
                if (ops.positiveDefinite(sNew - delta, -1, Blk.U, new double[0])) {
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
        double[] f = ops.gemmTN(Blk.U, 0, k, Blk.XU, c, p); // k x p
        ops.copy(Blk.E, 0, Blk.XU, c, p);
        ops.gemmNN(Blk.E, 0, p, Blk.U, 0, k, f, -1.0, 1.0);
        double[] e = ops.columnNorms2(Blk.E, 0, p);
        for (int j = 0; j < p; j++) e[j] = Math.sqrt(e[j]);
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
            if (!ops.positiveDefinite(beta - deltaC, +1, Blk.U, dd)) continue;
            ops.copy(Blk.WA, 0, Blk.U, 0, k);
            anchorD = dd;
            anchorK = k;
            anchorBeta = beta;
            distUpper = 0;
            return true;
        }
        return false;
    }

    /** lambda_max(D^(1/2) (I - C C^T) D^(1/2)), C = W_a^T W (the current block in U), plus rounding slack. */
    private double sigma2() {
        int ka = anchorK;
        anchorCross.put(ops.gemmTN(Blk.WA, 0, ka, Blk.U, 0, k), 0, ka * k);
        openblas.cblas_dsyrk(COL, UPPER, NOTRANS, ka, k, 1.0, anchorCross, ka, 0.0, anchorGram, ka);
        double[] g = new double[ka * ka];
        anchorGram.get(g);
        double maxD = 0;
        for (int j = 0; j < ka; j++) {
            maxD = Math.max(maxD, anchorD[j]);
            for (int i = 0; i <= j; i++)
                g[i + j * ka] = Math.sqrt(anchorD[i] * anchorD[j]) * ((i == j ? 1 : 0) - g[i + j * ka]);
        }
        smallSym.put(g);
        if (openblas.LAPACKE_dsyevd(COL, (byte) 'N', (byte) 'U', ka, smallSym, ka, smallValues) != 0) return Double.POSITIVE_INFINITY;
        return Math.max(0, smallValues.get(ka - 1)) + 64 * (ka + d) * Math.ulp(1.0) * maxD;
    }

    /** lambda_max of the symmetric n x n matrix whose upper triangle is in a (last diagonal entry set to corner). */
    private double lambdaMax(double[] a, int n, double corner) {
        a[n * n - 1] = corner;
        smallSym.put(a);
        if (openblas.LAPACKE_dsyevd(COL, (byte) 'N', (byte) 'U', n, smallSym, n, smallValues) != 0) return Double.POSITIVE_INFINITY;
        return smallValues.get(n - 1);
    }

    /**
     * Rump's shift for a d x d matrix of trace tr: c = gamma_(d+1) / (1 - gamma_(d+1)) tr, gamma_n
     * = n u / (1 - n u), u = 2^-53, enlarged for the trace's own rounding. If a floating-point
     * Cholesky factorisation of A - c I runs to completion, A is positive definite (Rump,
     * "Verification of positive definiteness", BIT 46, 2006; its underflow term is zero for the
     * normal numbers here). The callers' delta covers the rounding in forming A.
     */
    static double rumpShift(double tr, int d) {
        double u = Math.ulp(1.0) / 2, g = (d + 1) * u / (1 - (d + 1) * u);
        return g / (1 - g) * tr * (1 + 4 * d * u);
    }

    /** The direct certificate: (tau - delta) I - sign X + alpha U1 U1^T is positive definite (U1 = the c kept vectors). */
    private boolean directPositiveDefinite(double tau, int sign, int c, double alpha, double nx) {
        double[] weights = new double[c];
        java.util.Arrays.fill(weights, alpha);
        return ops.positiveDefinite(tau - 16 * d * Math.ulp(1.0) * (nx + alpha), sign, Blk.U, weights);
    }

    /** L = sum_i f(theta_i) v_i v_i^T over the kept vectors (positive and negative part). */
    private void buildL(double tau) {
        int c = kept;
        int[] cols = new int[c], sign = new int[c];
        double[] f = new double[c];
        for (int j = 0; j < c; j++) {
            cols[j] = vFromFull ? fullOrder[j] : j;
            sign[j] = (int) Math.signum(theta[j]);
            f[j] = Math.sqrt(Math.abs(theta[j]) - tau);
        }
        ops.buildL(vFromFull ? Blk.VEC : Blk.U, cols, f, sign);
    }
}
