package ganfactor.check;

import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.jacobian.GramPair;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.region.Regions;
import ganfactor.region.View;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.List;
import java.util.SplittableRandom;

/** The matrices the checks run on, each from a seed. */
public final class Matrices {
    private Matrices() {}

    /** A random SPD-ish Gram X X^T / n + shift I, d x d, float64 row-major. */
    public static double[] gram(int d, int n, long seed, double shift) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[d * n];
        for (int i = 0; i < x.length; i++) x[i] = r.nextDouble() * 2 - 1;
        double[] g = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += x[i * n + k] * x[j * n + k];
                g[i * d + j] = g[j * d + i] = s / n + (i == j ? shift : 0);
            }
        return g;
    }

    /**
     * A Jacobian-like Gram: J^T J / max|J^T J| with J = U diag(exp(-i/8)) V^T, U [4d, d] and V [d, d]
     * random orthonormal (seeded): RpcaBenchmark's recipe at order d.
     */
    public static double[] decayingGram(int d, long seed) {
        int p = 4 * d;
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[p * d], y = new double[d * d];
        for (int i = 0; i < x.length; i++) x[i] = r.nextGaussian();
        for (int i = 0; i < y.length; i++) y[i] = r.nextGaussian();
        try (PointerScope scope = new PointerScope()) {
            Tensor u = new Tensor(torch.linalg_qr(Torch.of(x, p, d)).get0());
            Tensor v = new Tensor(torch.linalg_qr(Torch.of(y, d, d)).get0());
            double[] s = new double[d];
            for (int i = 0; i < d; i++) s[i] = Math.exp(-i / 8.0);
            Tensor j = u.mul(Torch.of(s, 1, d)).mm(v.t());
            Tensor g = j.t().mm(j);
            return Torch.toDoubles(g.div(g.abs().max()));
        }
    }

    /**
     * n Jacobian-like rows [n, d]: Z diag(s) R with Z [n, p] and R [p, d] Gaussian (R scaled by
     * 1/sqrt(d)), p = min(n, d), and a power-law spectrum s_i = 1 / (1 + i / 8), as the singular
     * values of generator Jacobians decay. A CPU float64 tensor in the caller's scope.
     */
    public static Tensor jacobianLikeRows(int n, int d, long seed) {
        int p = Math.min(n, d);
        SplittableRandom r = new SplittableRandom(seed);
        double[] z = new double[n * p], q = new double[p * d];
        for (int i = 0; i < z.length; i++) z[i] = gauss(r);
        for (int i = 0; i < q.length; i++) q[i] = gauss(r) / Math.sqrt(d);
        double[] s = new double[p];
        for (int i = 0; i < p; i++) s[i] = 1.0 / (1 + i / 8.0);
        return Torch.of(z, n, p).mul(Torch.of(s, 1, p)).mm(Torch.of(q, p, d));
    }

    /** A standard normal draw by Box-Muller (the recipe the benchmarks fixed their data with). */
    public static double gauss(SplittableRandom r) {
        double u = r.nextDouble(), w = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * w);
    }

    /** The demo generator's Gram pair of the eyes box (W, seed 4, summed 256 x 256 view), on the host. */
    public static GramPair.Host demoEyes(Generator demo) {
        Latents lat = Latents.fromSeed(demo, LatentSpace.W, 4, 1, 1.0, demo.numLayers());
        View view = new View(256, View.Reduce.SUM, demo.channels(), demo.height(), demo.width());
        return JacobianEngine.compute(demo, lat.row(0), LatentSpace.W, view, List.of(Regions.parse("eyes", 256, demo)),
                new JacobianEngine.Options()).grams().get(0).toHost();
    }

    /** The smallest |cos| between the first k rows of a and b ([k, d] row-major each). */
    public static double minAbsCos(double[] a, double[] b, int k, int d) {
        double worst = 1;
        for (int i = 0; i < k; i++) {
            double dot = 0, na = 0, nb = 0;
            for (int j = 0; j < d; j++) {
                dot += a[i * d + j] * b[i * d + j];
                na += a[i * d + j] * a[i * d + j];
                nb += b[i * d + j] * b[i * d + j];
            }
            worst = Math.min(worst, Math.abs(dot) / Math.sqrt(na * nb));
        }
        return worst;
    }

    public static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    public static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    /** ||a - b||_F / ||b||_F. */
    public static double relF(double[] a, double[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) { num += (a[i] - b[i]) * (a[i] - b[i]); den += b[i] * b[i]; }
        return Math.sqrt(num / den);
    }
}
