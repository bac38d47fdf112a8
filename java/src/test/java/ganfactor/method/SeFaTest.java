package ganfactor.method;

import ganfactor.InputException;
import ganfactor.TestSupport;
import ganfactor.generator.Generator;
import ganfactor.linalg.Linalg;
import ganfactor.linalg.TorchLinalg;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** SeFa on the demo generator against independent computations of the same factorisation. */
class SeFaTest {
    @TempDir
    Path tmp;

    static double orthonormalityError(Directions v) {
        double e = 0;
        for (int i = 0; i < v.count(); i++)
            for (int j = 0; j < v.count(); j++)
                e = Math.max(e, Math.abs(Directions.dot(v.row(i), v.row(j)) - (i == j ? 1 : 0)));
        return e;
    }

    static void assertDescending(double[] v) {
        for (int i = 1; i < v.length; i++) assertTrue(v[i] <= v[i - 1], "values not descending at " + i + ": " + v[i - 1] + " then " + v[i]);
    }

    /** W (d x sum C) built in plain Java from the raw affines, columns normalised, row-major. */
    static double[] javaW(Generator g, int[] layers) {
        int d = g.latentDim();
        try (PointerScope s = new PointerScope()) {
            List<Tensor> aff = g.tensorList("style_affines");
            int n = 0;
            for (int l : layers) n += (int) aff.get(l).size(0);
            double[] w = new double[d * n];
            int col = 0;
            for (int l : layers) {
                double[] a = Torch.toDoubles(aff.get(l));     // [C, d]
                int c = (int) aff.get(l).size(0);
                for (int r = 0; r < c; r++, col++) {
                    double norm = 0;
                    for (int j = 0; j < d; j++) norm += a[r * d + j] * a[r * d + j];
                    norm = Math.sqrt(norm);
                    for (int j = 0; j < d; j++) w[j * n + col] = a[r * d + j] / norm;
                }
            }
            return w;
        }
    }

    @Test
    void demoDirectionsAreSortedOrthonormalAndSumToTheChannelCount() {
        Generator g = TestSupport.demo64();
        Directions all = SeFa.compute(g, TorchLinalg.INSTANCE);
        assertEquals(64, all.count());
        assertEquals(64, all.dim());
        assertDescending(all.values());
        double orth = orthonormalityError(all);
        assertTrue(orth <= 1e-12, "|V V^T - I| = " + orth);
        // unit columns: trace(W W^T) = sum C = 8 layers x 120 channels
        assertEquals(960L, ((Number) all.info().get("sum_channels")).longValue());
        double sum = 0;
        for (double v : all.values()) { sum += v; assertTrue(v > -1e-10); }
        assertEquals(960, sum, 960 * 1e-12);
        assertEquals("sefa", all.info().get("method"));
        // k selects the top rows of the same decomposition
        Directions top = SeFa.compute(g, "all", 5, TorchLinalg.INSTANCE);
        assertEquals(5, top.count());
        assertTrue(TestSupport.maxAbsDiff(top.vectors(), all.top(5).vectors()) <= 1e-12);
    }

    @Test
    void matchesLeftSingularVectorsAndPowerIterationOfTheNormalisedWeights() {
        Generator g = TestSupport.demo64();
        for (String spec : new String[]{"all", "0-3"}) {
            int[] layers = SeFa.parseLayers(spec, 8);
            Directions dirs = SeFa.compute(g, spec, 0, TorchLinalg.INSTANCE);
            int d = 64, n = 120 * layers.length;
            double[] w = javaW(g, layers);
            double[] u, s;
            try (PointerScope sc = new PointerScope()) {
                Linalg.Svd svd = TorchLinalg.INSTANCE.svd(Torch.of(w, d, n));
                u = Torch.toDoubles(svd.u().t().contiguous());     // rows = left singular vectors
                s = Torch.toDoubles(svd.s());
            }
            int checked = 0;
            double worst = 1;
            for (int i = 0; i < 10; i++) {
                assertEquals(s[i] * s[i], dirs.values()[i], 1e-10 * s[0] * s[0], spec + " eigenvalue " + i);
                double gap = Math.min(i == 0 ? Double.MAX_VALUE : s[i - 1] * s[i - 1] - s[i] * s[i], s[i] * s[i] - s[i + 1] * s[i + 1]);
                if (gap < 1e-3 * s[0] * s[0]) continue;                 // only well-separated eigenvectors are unique
                double[] ui = new double[d];
                System.arraycopy(u, i * d, ui, 0, d);
                double c = Directions.absCos(ui, dirs.row(i));
                worst = Math.min(worst, c);
                checked++;
            }
            assertTrue(checked >= 5, spec + ": only " + checked + " separated eigenvectors among the top 10");
            assertTrue(worst >= 1 - 1e-9, spec + ": |cos| with the SVD = " + worst);
            // plain-Java power iteration on W W^T for the top direction
            double[] gram = new double[d * d];
            for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) {
                double t = 0;
                for (int c = 0; c < n; c++) t += w[a * n + c] * w[b * n + c];
                gram[a * d + b] = t;
            }
            double[] v = new double[d];
            java.util.Arrays.fill(v, 1.0);
            double lambda = 0;
            for (int it = 0; it < 5000; it++) {
                double[] nv = new double[d];
                for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) nv[a] += gram[a * d + b] * v[b];
                lambda = Math.sqrt(Directions.dot(nv, nv));
                for (int a = 0; a < d; a++) nv[a] /= lambda;
                v = nv;
            }
            double c = Directions.absCos(v, dirs.row(0));
            System.out.printf("SeFa %s: top eigenvalues %.6f %.6f %.6f, %d separated of top 10 vs SVD min |cos| = 1 - %.2e, power iteration |cos| = 1 - %.2e, lambda rel err %.2e%n",
                    spec, dirs.values()[0], dirs.values()[1], dirs.values()[2], checked, 1 - worst, 1 - c, Math.abs(lambda - dirs.values()[0]) / lambda);
            assertTrue(c >= 1 - 1e-9, spec + ": |cos| with power iteration = " + c);
            assertEquals(lambda, dirs.values()[0], 1e-10 * lambda);
        }
    }

    @Test
    void layerSpecsAndBadInput() {
        assertArrayEquals(new int[]{0, 1, 2, 3}, SeFa.parseLayers("0-3", 8));
        assertArrayEquals(new int[]{0, 2, 5, 6}, SeFa.parseLayers("5-6, 0,2", 8));
        assertArrayEquals(new int[]{0, 1, 2}, SeFa.parseLayers("all", 3));
        for (String bad : new String[]{"8", "3-1", "a", "0-9", "1,,2", "-1", "99999999999"})
            assertThrows(InputException.class, () -> SeFa.parseLayers(bad, 8), bad);
        Generator g = TestSupport.demo64();
        Directions fine = SeFa.compute(g, "4-7", 3, TorchLinalg.INSTANCE);
        assertArrayEquals(new int[]{4, 5, 6, 7}, (int[]) fine.info().get("layers"));
        assertEquals(480L, ((Number) fine.info().get("sum_channels")).longValue());
        assertThrows(InputException.class, () -> SeFa.compute(g, "all", 65, TorchLinalg.INSTANCE));
        assertThrows(InputException.class, () -> SeFa.compute(g, "all", -1, TorchLinalg.INSTANCE));
        // float32 weights give the same directions to float32 accuracy
        Directions f32 = SeFa.compute(TestSupport.demo32(), "all", 3, TorchLinalg.INSTANCE);
        Directions f64 = SeFa.compute(g, "all", 3, TorchLinalg.INSTANCE);
        assertTrue(Directions.absCos(f32.row(0), f64.row(0)) >= 1 - 1e-6);
    }

    @Test
    void generatorWithoutStyleAffinesIsAnInputError() {
        Generator g = new PlantedLinear(1).save(tmp.resolve("planted.pt"), true);
        InputException e = assertThrows(InputException.class, () -> SeFa.compute(g, TorchLinalg.INSTANCE));
        assertTrue(e.getMessage().contains("style_affines"), e.getMessage());
    }
}
