package ganfactor.method;

import ganfactor.linalg.BlasThreads;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas;

import java.nio.DoubleBuffer;

/**
 * {@link CertifiedOps} on the host: OpenBLAS/LAPACK on native buffers, the symmetric M, S, Y, X
 * and L in their upper triangles (column-major; dsymm, dsyrk, dpotrf and dsyevd read and write
 * no more), so one fused pass over the upper triangle does the S-step, the Y-step, the residuals
 * and the next X. M, S and Y are Java arrays; X and L exist only in the native buffers the BLAS
 * calls use, and the pass copies one column of each at a time (no full-matrix copy between Java
 * and native memory per iteration). The buffers belong to the caller's PointerScope.
 * (dgemm on X mirrored in full: products 2.1 s against dsymm's 1.9 s plus 0.9 s of mirroring
 * over the 551 iterations of the benchmark Gram, one thread, loaded machine; re-measured with the
 * sweep writing the lower triangle too, solves 3.3 - 3.6 s against 2.7 - 2.9 s: benchmarks/RESULTS.md,
 * fifth round.)
 */
final class BlasCertifiedOps implements CertifiedOps {

    private static final int COL = 102, NOTRANS = 111, TRANS = 112, UPPER = 121, LEFT = 141, RIGHT = 142, NONUNIT = 131;

    private final int d;
    /** M, S and Y (upper triangles, column-major). */
    private final double[] m, s, y;
    private final DoublePointer xp, lp, work, wfull, qp, wp, up, xup, tmp, prev, wa, ep, small, smallIn;
    private final DoubleBuffer xb, lb, workb;
    private final double[] col, sweepX, hostBlockA, hostBlockB;

    /** m: the symmetric matrix, column-major (= row-major), kept by reference and not modified. */
    BlasCertifiedOps(double[] m, int d) {
        this.d = d;
        this.m = m;
        long dd = (long) d * d;
        s = new double[(int) dd];
        y = new double[(int) dd];
        xp = new DoublePointer(dd);
        lp = new DoublePointer(dd);
        work = new DoublePointer(dd);
        wfull = new DoublePointer(d);
        qp = new DoublePointer(dd);
        wp = new DoublePointer(dd);
        up = new DoublePointer(dd);
        xup = new DoublePointer(dd);
        tmp = new DoublePointer(dd);
        prev = new DoublePointer(dd);
        wa = new DoublePointer(dd);
        ep = new DoublePointer(dd);
        small = new DoublePointer(dd);
        smallIn = new DoublePointer(dd);
        Pointer.memset(lp, 0, 8L * dd);
        xb = xp.asBuffer();
        lb = lp.asBuffer();
        workb = work.asBuffer();
        col = new double[d];
        sweepX = new double[d];
        hostBlockA = new double[(int) dd];
        hostBlockB = new double[(int) dd];
    }

    private DoublePointer p(Blk b) {
        return switch (b) {
            case Q -> qp;
            case W -> wp;
            case U -> up;
            case XU -> xup;
            case TMP -> tmp;
            case PREV -> prev;
            case WA -> wa;
            case E -> ep;
            case VEC -> work; // shared with positiveDefinite's scratch: VEC is read only right after fullEigh
        };
    }

    private DoublePointer p(Blk b, int from) {
        return p(b).getPointer((long) from * d);
    }

    @Override
    public double norm1() {
        double norm1 = 0;
        for (int c = 0; c < d; c++) {
            double a = 0;
            for (int r = 0; r < d; r++) a += Math.abs(m[r + c * d]);
            norm1 = Math.max(norm1, a);
        }
        return norm1;
    }

    @Override
    public double maxAbs() {
        double a = 0;
        for (double v : m) a = Math.max(a, Math.abs(v));
        return a;
    }

    @Override
    public double init(double yScale, double mu) {
        java.util.Arrays.fill(s, 0);
        for (int i = 0; i < m.length; i++) y[i] = m[i] * yScale;
        double[] x0 = new double[m.length];
        for (int i = 0; i < m.length; i++) x0[i] = m[i] - s[i] - y[i] / mu;
        xp.put(x0);
        return normUpper(x0, d);
    }

    @Override
    public void setX(double[] x) {
        xp.put(x);
    }

    @Override
    public void putBlock(Blk b, double[] colMajor, int n) {
        p(b).put(colMajor, 0, d * n);
    }

    /** ||A||_F of a symmetric matrix from its upper triangle (column-major). */
    static double normUpper(double[] upper, int d) {
        double a = 0;
        for (int c = 0; c < d; c++) {
            int base = c * d;
            double t = 0;
            for (int i = base; i < base + c; i++) t += upper[i] * upper[i];
            a += 2 * t + upper[base + c] * upper[base + c];
        }
        return Math.sqrt(a);
    }

    @Override
    public Sweep sweep(double mu, double muNext, double lambda, boolean all) {
        return Sweep.of(all ? sweepAll(mu, muNext, lambda) : sweepLean(mu, muNext, lambda));
    }

    private double[] sweepAll(double mu, double muNext, double lambda) {
        double thr = lambda / mu, inv = 1 / mu, invNext = 1 / muNext, r2 = 0, ds2 = 0, y2 = 0, x2 = 0, dx2 = 0;
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
        return new double[]{r2, ds2, y2, x2, dx2};
    }

    /**
     * The sweep with two sums instead of five: ||L + S - M||_F^2 (the stop) and ||X_new -
     * X_old||_F^2 (the anchors' drift). This loop runs 3x faster than the five-sum one: 0.18 ms
     * against 0.55 ms a pass at d = 512 (one thread, isolated loop; that the JIT vectorises one
     * and not the other is a guess from the times, not read off its code). The two passes are
     * separate copies on purpose: merged into one (the diagonal entry in a shared helper, the
     * column loops in helpers or the two-sum one inline) they gave the same results and warm
     * times but a slower first solve, the sweep 0.52 - 0.76 s against 0.44 - 0.52 s in a fresh
     * JVM (two variants, 3 runs each, alternating with these copies).
     */
    private double[] sweepLean(double mu, double muNext, double lambda) {
        double thr = lambda / mu, inv = 1 / mu, invNext = 1 / muNext, r2 = 0, dx2 = 0;
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
        return new double[]{r2, Double.NaN, Double.NaN, Double.NaN, dx2};
    }

    @Override
    public double[] fullEigh() {
        Pointer.memcpy(work, xp, 8L * d * d);
        int info = BlasThreads.solve(d, () -> openblas.LAPACKE_dsyevd(COL, (byte) 'V', (byte) 'U', d, work, d, wfull));
        if (info != 0) throw new IllegalStateException("LAPACK dsyevd failed, info = " + info);
        double[] w = new double[d];
        wfull.get(w);
        return w;
    }

    @Override
    public void symm(Blk q, int from, int n, Blk w) {
        openblas.cblas_dsymm(COL, LEFT, UPPER, d, n, 1.0, xp, d, p(q, from), d, 0.0, p(w, from), d);
    }

    @Override
    public void scale(Blk b, int from, double[] sc) {
        for (int j = 0; j < sc.length; j++) openblas.cblas_dscal(d, sc[j], p(b, from + j), 1);
    }

    @Override
    public void copy(Blk dst, int dstFrom, Blk src, int srcFrom, int n) {
        Pointer.memcpy(p(dst, dstFrom), p(src, srcFrom), 8L * d * n);
    }

    @Override
    public void gather(Blk dst, Blk src, int[] cols, int n) {
        for (int j = 0; j < n; j++) Pointer.memcpy(p(dst, j), p(src, cols[j]), 8L * d);
    }

    @Override
    public double[] gemmTN(Blk a, int aFrom, int na, Blk b, int bFrom, int nb) {
        openblas.cblas_dgemm(COL, TRANS, NOTRANS, na, nb, d, 1.0, p(a, aFrom), d, p(b, bFrom), d, 0.0, small, na);
        double[] g = new double[na * nb];
        small.get(g);
        return g;
    }

    @Override
    public double[] gramUpper(Blk a, int from, int n) {
        openblas.cblas_dsyrk(COL, UPPER, TRANS, n, d, 1.0, p(a, from), d, 0.0, small, n);
        double[] g = new double[n * n];
        small.get(g);
        return g;
    }

    @Override
    public void gemmNN(Blk dst, int dFrom, int n, Blk a, int aFrom, int na, double[] g, double alpha, double beta) {
        smallIn.put(g, 0, na * n);
        openblas.cblas_dgemm(COL, NOTRANS, NOTRANS, d, n, na, alpha, p(a, aFrom), d, smallIn, na, beta, p(dst, dFrom), d);
    }

    @Override
    public void trsmRightUpper(Blk q, int from, int n, double[] r) {
        smallIn.put(r, 0, n * n);
        openblas.cblas_dtrsm(COL, RIGHT, UPPER, NOTRANS, NONUNIT, d, n, 1.0, smallIn, n, p(q, from), d);
    }

    @Override
    public double[] residuals(Blk xu, Blk u, int from, int to, double[] t) {
        int n = to - from;
        double[] out = new double[Math.max(n, 0)];
        if (n <= 0) return out;
        double[] a = hostBlockA, b = hostBlockB;
        p(xu, from).get(a, 0, d * n);
        p(u, from).get(b, 0, d * n);
        for (int j = 0; j < n; j++) {
            double tj = t[from + j], acc = 0;
            for (int i = j * d, end = i + d; i < end; i++) {
                double r = a[i] - tj * b[i];
                acc += r * r;
            }
            out[j] = acc;
        }
        return out;
    }

    @Override
    public double[] columnNorms2(Blk b, int from, int n) {
        double[] buf = hostBlockA;
        p(b, from).get(buf, 0, d * n);
        double[] out = new double[n];
        for (int j = 0; j < n; j++) {
            double t = 0;
            for (int i = j * d, end = i + d; i < end; i++) t += buf[i] * buf[i];
            out[j] = t;
        }
        return out;
    }

    @Override
    public boolean positiveDefinite(double shift, int sign, Blk u, double[] weights) {
        Pointer.memcpy(work, xp, 8L * d * d);
        openblas.cblas_dscal(d * d, -sign, work, 1); // (the lower triangle is never read)
        for (int i = 0; i < d; i++) workb.put(i * d + i, workb.get(i * d + i) + shift);
        int n = weights.length;
        if (n > 0) {
            double[] w = hostBlockA;
            p(u).get(w, 0, d * n);
            for (int j = 0; j < n; j++) {
                double sc = Math.sqrt(weights[j]);
                for (int i = j * d, end = i + d; i < end; i++) w[i] *= sc;
            }
            tmp.put(w, 0, d * n);
            openblas.cblas_dsyrk(COL, UPPER, NOTRANS, d, n, 1.0, tmp, d, 1.0, work, d);
        }
        double tr = 0;
        for (int i = 0; i < d; i++) tr += workb.get(i * d + i);
        if (!(tr > 0)) return false;
        double c = RpcaCertified.rumpShift(tr, d);
        for (int i = 0; i < d; i++) workb.put(i * d + i, workb.get(i * d + i) - c);
        return BlasThreads.solve(d, () -> openblas.LAPACKE_dpotrf(COL, (byte) 'U', d, work, d)) == 0;
    }

    @Override
    public void buildL(Blk v, int[] cols, double[] f, int[] sign) {
        if (cols.length == 0) {
            Pointer.memset(lp, 0, 8L * d * d);
            return;
        }
        DoubleBuffer vb = p(v).asBuffer(), tb = tmp.asBuffer();
        for (int sg = 1; sg >= -1; sg -= 2) {
            int n = 0;
            for (int j = 0; j < cols.length; j++) {
                if (sign[j] != sg) continue;
                vb.get(cols[j] * d, col);
                for (int i = 0; i < d; i++) col[i] *= f[j];
                tb.put(n * d, col);
                n++;
            }
            if (sg == 1) {
                if (n > 0) openblas.cblas_dsyrk(COL, UPPER, NOTRANS, d, n, 1.0, tmp, d, 0.0, lp, d);
                else Pointer.memset(lp, 0, 8L * d * d);
            } else if (n > 0) {
                openblas.cblas_dsyrk(COL, UPPER, NOTRANS, d, n, -1.0, tmp, d, 1.0, lp, d);
            }
        }
    }

    @Override
    public double[] low() {
        double[] l = new double[d * d];
        lp.get(l);
        return mirror(l);
    }

    @Override
    public double[] sparse() {
        return mirror(s);
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
}
