package ganfactor.method;

import ganfactor.InputException;
import ganfactor.TestSupport;
import ganfactor.generator.Generator;
import ganfactor.generator.NumpyRandom;
import ganfactor.linalg.Linalg;
import ganfactor.linalg.TorchLinalg;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.*;

/** GANSpace: batched statistics against single-pass ones, PCA against an SVD, and a planted mapping. */
class GanSpaceTest {
    @TempDir
    Path tmp;

    /** All N samples w = mapping(z) at once, z = RandomState(seed).randn(N, d). */
    static double[] samples(Generator g, long seed, int n) {
        int d = g.latentDim();
        try (PointerScope s = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            return Torch.toDoubles(g.mapping(Torch.of(NumpyRandom.randn(seed, n * d), n, d).to(g.dtype())));
        }
    }

    /** Plain-Java two-pass covariance (divisor n - 1) of row-major samples. */
    static double[] twoPassCovariance(double[] x, int n, int d, double[] meanOut) {
        double[] m = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) m[j] += x[i * d + j];
        for (int j = 0; j < d; j++) m[j] /= n;
        double[] c = new double[d * d];
        double[] r = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) r[j] = x[i * d + j] - m[j];
            for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) c[a * d + b] += r[a] * r[b];
        }
        for (int k = 0; k < c.length; k++) c[k] /= (n - 1);
        System.arraycopy(m, 0, meanOut, 0, d);
        return c;
    }

    static double relErr(double[] a, double[] ref) {
        return TestSupport.maxAbsDiff(a, ref) / TestSupport.maxAbs(ref);
    }

    @Test
    void batchedCovarianceEqualsSinglePass() {
        Generator g = TestSupport.demo64();
        int n = 3000, d = 64;
        GanSpace.Options o = new GanSpace.Options();
        o.samples = n;
        o.batch = 137;     // uneven last batch
        o.seed = 7;
        Moments batched = GanSpace.sample(g, o);
        double[] x = samples(g, 7, n);
        Moments single = new Moments(d);
        single.add(x, n);
        double[] mean = new double[d];
        double[] ref = twoPassCovariance(x, n, d, mean);
        double eBatched = relErr(batched.covariance(), ref), eSingle = relErr(single.covariance(), ref);
        double eMean = relErr(batched.mean(), mean);
        // Chan merge is order independent: the other way round, batches merged pairwise
        Moments left = new Moments(d), right = new Moments(d);
        left.add(java.util.Arrays.copyOfRange(x, 0, 1000 * d), 1000);
        right.add(java.util.Arrays.copyOfRange(x, 1000 * d, n * d), n - 1000);
        right.merge(left);
        double eMerged = relErr(right.covariance(), ref);
        System.out.printf("GANSpace covariance, N = %d: batched (137) rel err %.2e, single batch %.2e, pairwise merge %.2e, mean %.2e%n",
                n, eBatched, eSingle, eMerged, eMean);
        assertEquals(n, batched.count());
        assertTrue(eBatched <= 1e-12, "batched covariance rel err " + eBatched);
        assertTrue(eSingle <= 1e-12, "single-batch covariance rel err " + eSingle);
        assertTrue(eMerged <= 1e-12, "merged covariance rel err " + eMerged);
        assertTrue(eMean <= 1e-12, "mean rel err " + eMean);
    }

    @Test
    void demoComponentsAreSortedOrthonormalAndMatchTheSvdOfCentredSamples() {
        Generator g = TestSupport.demo64();
        int n = 4000, d = 64;
        GanSpace.Options o = new GanSpace.Options();
        o.samples = n;
        o.batch = 512;
        o.seed = 3;
        o.k = 20;
        GanSpace.Result r = GanSpace.compute(g, o, TorchLinalg.INSTANCE);
        Directions dirs = r.directions();
        assertEquals(20, dirs.count());
        SeFaTest.assertDescending(dirs.values());
        double orth = SeFaTest.orthonormalityError(dirs);
        assertTrue(orth <= 1e-12, "|V V^T - I| = " + orth);
        for (int i = 0; i < 20; i++) assertEquals(Math.sqrt(dirs.values()[i]), r.stds()[i], 1e-15 * r.stds()[0]);
        assertEquals(d, r.mean().length);
        // SVD of the centred sample matrix: vh rows are the principal axes, s^2 / (n - 1) the variances
        double[] x = samples(g, 3, n);
        double[] mean = new double[d];
        twoPassCovariance(x, n, d, mean);
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) x[i * d + j] -= mean[j];
        double[] vh, s;
        try (PointerScope sc = new PointerScope()) {
            Linalg.Svd svd = TorchLinalg.INSTANCE.svd(Torch.of(x, n, d));
            vh = Torch.toDoubles(svd.vh());
            s = Torch.toDoubles(svd.s());
        }
        double worst = 1;
        int checked = 0;
        for (int i = 0; i < 5; i++) {
            double var = s[i] * s[i] / (n - 1);
            assertEquals(var, dirs.values()[i], 1e-10 * dirs.values()[0], "variance " + i);
            double gap = Math.min(i == 0 ? Double.MAX_VALUE : s[i - 1] * s[i - 1] - s[i] * s[i], s[i] * s[i] - s[i + 1] * s[i + 1]) / (n - 1);
            if (gap < 1e-3 * dirs.values()[0]) continue;
            double[] v = new double[d];
            System.arraycopy(vh, i * d, v, 0, d);
            worst = Math.min(worst, Directions.absCos(v, dirs.row(i)));
            checked++;
        }
        System.out.printf("GANSpace demo, N = %d: top variances %.5f %.5f %.5f (%.1f%% in 20), %d separated of top 5 vs SVD min |cos| = 1 - %.2e, |VV^T - I| = %.1e%n",
                n, dirs.values()[0], dirs.values()[1], dirs.values()[2], 100 * (double) dirs.info().get("explained_variance_ratio"), checked, 1 - worst, orth);
        assertTrue(checked >= 1);
        assertTrue(worst >= 1 - 1e-9, "|cos| with the SVD = " + worst);
    }

    @Test
    void plantedLinearMappingRecoversItsAxes() {
        PlantedLinear p = new PlantedLinear(11);
        Generator g = p.save(tmp.resolve("planted.pt"), true);
        GanSpace.Options o = new GanSpace.Options();
        o.samples = 40_000;
        o.batch = 4096;
        o.seed = 5;
        GanSpace.Result r = GanSpace.compute(g, o, TorchLinalg.INSTANCE);
        Directions dirs = r.directions();
        int d = PlantedLinear.D;
        assertEquals(d, dirs.count());           // default k = min(80, d)
        double worstCos = 1, worstVar = 0, worstMean = 0;
        for (int i = 0; i < d; i++) {
            worstCos = Math.min(worstCos, Directions.absCos(p.axis(i), dirs.row(i)));
            double s2 = PlantedLinear.SIGMA[i] * PlantedLinear.SIGMA[i];
            worstVar = Math.max(worstVar, Math.abs(dirs.values()[i] - s2) / s2);
            worstMean = Math.max(worstMean, Math.abs(r.mean()[i] - p.b[i]));
        }
        System.out.printf("GANSpace planted (N = %d): min |cos| with planted axes %.6f, max rel variance error %.4f, max |mean - b| %.4f%n",
                o.samples, worstCos, worstVar, worstMean);
        // sampling error of N = 40,000 draws: variances ~ sqrt(2/N) = 0.7 %, axes ~ 1e-4 in 1 - |cos|
        assertTrue(worstCos >= 0.999, "|cos| with planted axes " + worstCos);
        assertTrue(worstVar <= 0.04, "variance rel error " + worstVar);
        assertTrue(worstMean <= 5 * PlantedLinear.SIGMA[0] / Math.sqrt(o.samples), "mean error " + worstMean);
    }

    @Test
    void badInputAndCancellation() {
        Generator g = TestSupport.demo64();
        GanSpace.Options o = new GanSpace.Options();
        o.samples = 10;
        o.k = 16;
        ganfactor.SettingException e = assertThrows(ganfactor.SettingException.class, () -> GanSpace.check(g, o));
        assertEquals("samples", e.setting(), e.getMessage());   // the registry's name; each front end words it (--samples on the CLI)
        o.samples = 100;
        o.k = 65;
        assertThrows(InputException.class, () -> GanSpace.check(g, o));
        o.k = 4;
        o.batch = 0;
        assertThrows(InputException.class, () -> GanSpace.check(g, o));
        o.batch = 10;
        o.cancelled = () -> true;
        assertThrows(CancellationException.class, () -> GanSpace.sample(g, o));
        Generator noMapping = new PlantedLinear(2).save(tmp.resolve("nomap.pt"), false);
        InputException nm = assertThrows(InputException.class, () -> GanSpace.check(noMapping, new GanSpace.Options()));
        assertTrue(nm.getMessage().contains("mapping"), nm.getMessage());
    }
}
