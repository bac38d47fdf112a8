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
