package ganfactor.linalg;

import ganfactor.torch.Torch;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.SplittableRandom;

/**
 * The k largest eigenpairs of a symmetric positive semi-definite matrix by randomized subspace
 * iteration (Halko, Martinsson and Tropp 2011, Alg. 4.4 with a Rayleigh-Ritz step): Y = S Omega,
 * q power iterations re-orthonormalised by QR, then eigh of the small Q^T S Q. Only matrix
 * products, a thin QR and one small eigh: it runs on whatever device S is on, and the small
 * eigensolve goes through the {@link Linalg} implementation. Omega comes from a seeded Java RNG
 * so results are reproducible.
 *
 * <p>Accuracy: for a PSD matrix with eigenvalues mu_1 >= mu_2 >= ..., the error of the computed
 * top-k subspace shrinks like (mu_{l+1} / mu_k)^(2q+1) with l = k + oversample; used for the
 * background of the ReSeFa fast path, whose Gram spectrum decays fast.
 */
public final class RandomizedEigh {
    private RandomizedEigh() {}

    public static Linalg.Eigen top(Linalg la, Tensor s, int k, int oversample, int powerIterations, long seed) {
        long d = s.size(0);
        int l = (int) Math.min(d, (long) k + oversample);
        if (l >= d || 2L * l >= d) return la.eighTop(s, Math.min(k, (int) d));
        SplittableRandom rng = new SplittableRandom(seed);
        double[] omega = new double[(int) (d * l)];
        for (int i = 0; i < omega.length; i++) omega[i] = gaussian(rng);
        Tensor q = orth(s.mm(Torch.of(omega, d, l).to(s)));
        for (int it = 0; it < powerIterations; it++) q = orth(s.mm(q));
        Tensor t = q.t().mm(s.mm(q));
        t = t.add(t.t()).mul(new Scalar(0.5));
        Linalg.Eigen small = la.eigh(t);
        Tensor vec = small.vectors().narrow(0, 0, k).mm(q.t());   // rows: (Q u_i)^T
        return new Linalg.Eigen(small.values().narrow(0, 0, k).contiguous(), vec.contiguous());
    }

    /**
     * The k largest eigenpairs of a PSD matrix by the randomized Nystrom approximation (Tropp,
     * Yurtsever, Udell and Cevher 2017, Alg. 3, with q optional power steps on the test matrix):
     * Omega orthonormal [d, l], Y = S Omega, S ~ Y (Omega^T Y)^+ Y^T, made numerically stable
     * by a tiny shift nu. One product with S per power step plus one, against two per step plus
     * one for the range finder with Rayleigh-Ritz, and more accurate for PSD matrices at equal
     * cost. Exact (to the shift) when rank(S) <= l.
     */
    public static Linalg.Eigen nystrom(Linalg la, Tensor s, int k, int oversample, int powerIterations, long seed) {
        long d = s.size(0);
        int l = (int) Math.min(d, (long) k + oversample);
        if (2L * l >= d) return la.eighTop(s, Math.min(k, (int) d));
        SplittableRandom rng = new SplittableRandom(seed);
        double[] omega = new double[(int) (d * l)];
        for (int i = 0; i < omega.length; i++) omega[i] = gaussian(rng);
        Tensor om = orth(Torch.of(omega, d, l).to(s));
        for (int it = 0; it < powerIterations; it++) om = orth(s.mm(om));
        Tensor y = s.mm(om);                                                   // [d, l]
        double nu = Math.ulp(ganfactor.torch.Torch.scalar(y.norm())) * Math.sqrt(d);   // counted host read: the shift
        for (int attempt = 0; ; attempt++) {
            Tensor yn = y.add(om.mul(new Scalar(nu)));
            Tensor c = om.t().mm(yn);
            c = c.add(c.t()).mul(new Scalar(0.5));
            Tensor lc;
            try {
                lc = la.cholesky(c);
            } catch (NotPositiveDefiniteException e) {
                if (attempt >= 6) throw e;
                nu = Math.max(nu * 100, 1e-300);
                continue;
            }
            Tensor e = torch.linalg_solve_triangular(lc, yn.t(), false, true, false).t();   // Yn Lc^-T [d, l]
            Linalg.Eigen small = la.eigh(la.rowGram(e.t()));                                // E^T E = W diag(sigma^2) W^T
            double[] sig2 = Torch.toDoubles(small.values());
            int keep = 0;
            while (keep < Math.min(k, sig2.length) && sig2[keep] > nu) keep++;
            if (keep == 0) return new Linalg.Eigen(torch.zeros(new long[]{0}, Torch.options(torch.ScalarType.Double)).to(s),
                    torch.zeros(new long[]{0, d}, Torch.options(torch.ScalarType.Double)).to(s));
            Tensor w = small.vectors().narrow(0, 0, keep);                                  // rows w_i [keep, l]
            Tensor sig = small.values().narrow(0, 0, keep).sqrt();
            Tensor u = w.mm(e.t()).div(sig.unsqueeze(1));                                   // rows (E w_i / sigma_i)^T [keep, d]
            Tensor lam = small.values().narrow(0, 0, keep).sub(new Scalar(nu)).clamp_min(new Scalar(0.0));
            return new Linalg.Eigen(lam.contiguous(), u.contiguous());
        }
    }

    /**
     * The k largest eigenpairs of a symmetric PSD matrix by block subspace iteration with
     * Rayleigh-Ritz, stopped when every wanted pair is certified: ||S u - lambda u|| <= tol *
     * lambda_1 (so each vector is accurate to tol * lambda_1 / gap). Returns null when that does
     * not happen within {@code maxIterations} (a flat spectrum); callers then use an exact solver.
     * Costs 2 n^2 l flops per iteration against O(n^3) for the tridiagonal reduction.
     */
    public static Linalg.Eigen certifiedTop(Linalg la, Tensor s, int k, double tol, int maxIterations, long seed) {
        long n = s.size(0);
        int l = (int) Math.min(n, 2L * k + 16);
        if (2L * l >= n) return null;
        SplittableRandom rng = new SplittableRandom(seed);
        double[] omega = new double[(int) (n * l)];
        for (int i = 0; i < omega.length; i++) omega[i] = gaussian(rng);
        Tensor q = orth(s.mm(Torch.of(omega, n, l).to(s)));
        for (int it = 0; it < maxIterations; it++) {
            Tensor sq = s.mm(q);                                        // [n, l]
            Tensor t = q.t().mm(sq);
            t = t.add(t.t()).mul(new Scalar(0.5));
            Linalg.Eigen small = la.eigh(t);
            Tensor w = small.vectors().narrow(0, 0, k);                // [k, l]
            Tensor lam = small.values().narrow(0, 0, k);
            Tensor u = w.mm(q.t());                                     // Ritz vectors as rows [k, n]
            Tensor su = w.mm(sq.t());                                   // (S u_i)^T = w_i^T (S Q)^T
            Tensor r = su.sub(u.mul(lam.unsqueeze(1)));
            double[] wt = ganfactor.torch.Torch.scalars(r.norm(new org.bytedeco.pytorch.ScalarOptional(new Scalar(2)), new long[]{1}, false).max(), lam.max());
            double worst = wt[0];   // one counted host read per iteration: the stopping test
            double top = Math.max(wt[1], Double.MIN_NORMAL);
            if (worst <= tol * top) return new Linalg.Eigen(lam.contiguous(), u.contiguous());
            q = orth(sq);
        }
        return null;
    }

    private static Tensor orth(Tensor y) {
        return new Tensor(torch.linalg_qr(y).get0());
    }

    private static double gaussian(SplittableRandom r) {
        double u, v, s;
        do {
            u = 2 * r.nextDouble() - 1;
            v = 2 * r.nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        return u * Math.sqrt(-2 * Math.log(s) / s);
    }
}
