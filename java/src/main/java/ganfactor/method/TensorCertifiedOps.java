package ganfactor.method;

import ganfactor.linalg.Linalg;
import ganfactor.linalg.NotPositiveDefiniteException;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * {@link CertifiedOps} on LibTorch tensors on the device of M (float64): M, S, Y, X and L are full
 * d x d tensors there, each block a [d, d] tensor whose rows are the block's columns (so a run of
 * columns is a narrow of rows, and X Q is Q_rows X for the symmetric X). The eigendecomposition
 * and the Cholesky factorisations of the certificates go through {@link Linalg} (cuSOLVER on a
 * GPU with {@link ganfactor.linalg.CusolverLinalg}); products are LibTorch's matmul (cuBLAS
 * there). What comes to the host: the eigenvalues of a full solve, k x k matrices, column norms,
 * the sweep's sums and a trace: a few small copies per product, no d x d or d x k matrix.
 *
 * <p>Every method works in its own PointerScope, so the temporaries of an iteration are freed
 * when it returns (on a GPU the garbage collector would never see them); the state tensors belong
 * to the scope that made this object.
 *
 * <p>Symmetry: L is symmetrised when built and the sweep is entrywise, so S, Y and X stay exactly
 * symmetric; the Cholesky factorisation reads one triangle of the matrix it certifies, which is
 * what the certificate's rounding allowance delta covers either way.
 */
final class TensorCertifiedOps implements CertifiedOps {

    private final int d;
    private final Linalg linalg;
    private final Tensor m, s, y, x, l, work;
    private final Tensor[] blocks = new Tensor[Blk.values().length];

    /** m: symmetric [d, d], any device; converted to float64 (a copy: m is not modified). */
    TensorCertifiedOps(Tensor m, Linalg linalg) {
        this.d = (int) m.size(0);
        this.linalg = linalg;
        this.m = m.detach().to(torch.ScalarType.Double).contiguous().clone();
        s = torch.zeros_like(this.m);
        y = torch.zeros_like(this.m);
        x = torch.zeros_like(this.m);
        l = torch.zeros_like(this.m);
        work = torch.zeros_like(this.m);
        for (int i = 0; i < blocks.length; i++) blocks[i] = torch.zeros_like(this.m);
    }

    private Tensor b(Blk blk, int from, int n) {
        return blocks[blk.ordinal()].narrow(0, from, n);
    }

    /** A small float64 tensor of the values on the state's device. */
    private Tensor dev(double[] v, long... shape) {
        return Rpca.like(m, v, shape);
    }

    private static Scalar sc(double v) {
        return new Scalar(v);
    }

    @Override
    public double norm1() {
        try (PointerScope ignored = new PointerScope()) {
            return Torch.scalar(m.abs().sum(new long[]{0}).max());
        }
    }

    @Override
    public double maxAbs() {
        try (PointerScope ignored = new PointerScope()) {
            return Torch.scalar(m.abs().max());
        }
    }

    @Override
    public double init(double yScale, double mu) {
        try (PointerScope ignored = new PointerScope()) {
            s.zero_();
            y.copy_(m.mul(sc(yScale)));
            x.copy_(m.sub(s).sub(y.div(sc(mu))));
            return Torch.scalar(x.norm());
        }
    }

    @Override
    public void setX(double[] full) {
        try (PointerScope ignored = new PointerScope()) {
            x.copy_(dev(full, d, d));
        }
    }

    @Override
    public void putBlock(Blk blk, double[] colMajor, int n) {
        try (PointerScope ignored = new PointerScope()) {
            b(blk, 0, n).copy_(dev(java.util.Arrays.copyOf(colMajor, d * n), n, d));
        }
    }

    @Override
    public Sweep sweep(double mu, double muNext, double lambda, boolean all) {
        try (PointerScope ignored = new PointerScope()) {
            Tensor z = m.sub(l).sub(y.mul(sc(1 / mu)));
            Tensor sn = torch.softshrink(z, sc(lambda / mu)); // = z - clamp(z, -thr, thr)
            Tensor r = l.add(sn).sub(m);
            Tensor yn = y.add(r.mul(sc(mu)));
            Tensor xn = m.sub(sn).sub(yn.mul(sc(1 / muNext)));
            Tensor dx = xn.sub(x);
            double[] v;
            if (all) {
                Tensor ds = sn.sub(s);
                v = Torch.scalars(r.mul(r).sum(), ds.mul(ds).sum(), yn.mul(yn).sum(), xn.mul(xn).sum(), dx.mul(dx).sum());
            } else {
                double[] two = Torch.scalars(r.mul(r).sum(), dx.mul(dx).sum());
                v = new double[]{two[0], Double.NaN, Double.NaN, Double.NaN, two[1]};
            }
            s.copy_(sn);
            y.copy_(yn);
            x.copy_(xn);
            return Sweep.of(v);
        }
    }

    @Override
    public double[] fullEigh() {
        try (PointerScope ignored = new PointerScope()) {
            Linalg.Eigen e = linalg.eigh(x);
            blocks[Blk.VEC.ordinal()].copy_(e.vectors()); // rows = eigenvectors = VEC's columns
            return Torch.toDoubles(e.values());
        }
    }

    @Override
    public void symm(Blk q, int from, int n, Blk w) {
        try (PointerScope ignored = new PointerScope()) {
            b(w, from, n).copy_(b(q, from, n).mm(x)); // (X Q)^T = Q^T X
        }
    }

    @Override
    public void scale(Blk blk, int from, double[] v) {
        try (PointerScope ignored = new PointerScope()) {
            b(blk, from, v.length).mul_(dev(v, v.length, 1));
        }
    }

    @Override
    public void copy(Blk dst, int dstFrom, Blk src, int srcFrom, int n) {
        if (n <= 0) return;
        try (PointerScope ignored = new PointerScope()) {
            b(dst, dstFrom, n).copy_(b(src, srcFrom, n));
        }
    }

    @Override
    public void gather(Blk dst, Blk src, int[] cols, int n) {
        try (PointerScope ignored = new PointerScope()) {
            long[] idx = new long[n];
            for (int j = 0; j < n; j++) idx[j] = cols[j];
            Tensor ix = Torch.uploadLong(idx, m, n);
            b(dst, 0, n).copy_(blocks[src.ordinal()].index_select(0, ix));
        }
    }

    @Override
    public double[] gemmTN(Blk a, int aFrom, int na, Blk bb, int bFrom, int nb) {
        try (PointerScope ignored = new PointerScope()) {
            // [nb, na] row-major = (a^T b) column-major
            return Torch.toDoubles(b(bb, bFrom, nb).mm(b(a, aFrom, na).t()));
        }
    }

    @Override
    public double[] gramUpper(Blk a, int from, int n) {
        return gemmTN(a, from, n, a, from, n);
    }

    @Override
    public void gemmNN(Blk dst, int dFrom, int n, Blk a, int aFrom, int na, double[] g, double alpha, double beta) {
        try (PointerScope ignored = new PointerScope()) {
            // column j of dst = sum_i g[i + j na] a_i: rows dst = G^T a_rows, and g column-major is G^T row-major
            Tensor gt = dev(java.util.Arrays.copyOf(g, na * n), n, na);
            b(dst, dFrom, n).addmm_(gt, b(a, aFrom, na), sc(beta), sc(alpha));
        }
    }

    @Override
    public void trsmRightUpper(Blk q, int from, int n, double[] r) {
        try (PointerScope ignored = new PointerScope()) {
            // rows: Q_rows <- R^-T Q_rows; r column-major read row-major is R^T (lower)
            Tensor rt = dev(java.util.Arrays.copyOf(r, n * n), n, n);
            Tensor rows = b(q, from, n);
            rows.copy_(torch.linalg_solve_triangular(rt, rows, false, true, false));
        }
    }

    @Override
    public double[] residuals(Blk xu, Blk u, int from, int to, double[] t) {
        int n = to - from;
        if (n <= 0) return new double[0];
        try (PointerScope ignored = new PointerScope()) {
            Tensor r = b(xu, from, n).sub(b(u, from, n).mul(dev(java.util.Arrays.copyOfRange(t, from, to), n, 1)));
            return Torch.toDoubles(r.mul(r).sum(new long[]{1}));
        }
    }

    @Override
    public double[] columnNorms2(Blk blk, int from, int n) {
        try (PointerScope ignored = new PointerScope()) {
            Tensor r = b(blk, from, n);
            return Torch.toDoubles(r.mul(r).sum(new long[]{1}));
        }
    }

    @Override
    public boolean positiveDefinite(double shift, int sign, Blk u, double[] weights) {
        try (PointerScope ignored = new PointerScope()) {
            work.copy_(x.mul(sc(-sign)));
            work.diagonal().add_(sc(shift));
            int n = weights.length;
            if (n > 0) {
                double[] rt = new double[n];
                for (int j = 0; j < n; j++) rt[j] = Math.sqrt(weights[j]);
                Tensor us = b(u, 0, n).mul(dev(rt, n, 1)); // rows sqrt(w_j) u_j
                work.addmm_(us.t(), us, sc(1), sc(1));
            }
            double tr = Torch.scalar(work.diagonal().sum());
            if (!(tr > 0)) return false;
            work.diagonal().sub_(sc(RpcaCertified.rumpShift(tr, d)));
            try {
                linalg.cholesky(work);
                return true;
            } catch (NotPositiveDefiniteException e) {
                return false;
            }
        }
    }

    @Override
    public void buildL(Blk v, int[] cols, double[] f, int[] sign) {
        try (PointerScope ignored = new PointerScope()) {
            int c = cols.length;
            if (c == 0) {
                l.zero_();
                return;
            }
            long[] idx = new long[c];
            double[] w = new double[c], sg = new double[c];
            for (int j = 0; j < c; j++) {
                idx[j] = cols[j];
                w[j] = f[j];
                sg[j] = sign[j];
            }
            Tensor rows = blocks[v.ordinal()].index_select(0, Torch.uploadLong(idx, m, c))
                    .mul(dev(w, c, 1));
            Tensor low = rows.t().mm(rows.mul(dev(sg, c, 1))); // sum_j sign_j f_j^2 v_j v_j^T
            l.copy_(Rpca.sym(low));
        }
    }

    @Override
    public double[] low() {
        return Torch.toDoubles(l);
    }

    @Override
    public double[] sparse() {
        return Torch.toDoubles(s);
    }
}
