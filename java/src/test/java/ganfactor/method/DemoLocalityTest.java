package ganfactor.method;

import ganfactor.TestSupport;
import ganfactor.edit.Editor;
import ganfactor.edit.Locality;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.jacobian.GramPair;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.linalg.LapackLinalg;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The mission's claim on the demo generator: the top ReSeFa direction of the eyes region edits
 * the eyes and little else, far more locally than a random direction and than the top PCA
 * direction of the whole-image Jacobian (the direction that changes the image most, anywhere).
 * Measured as the ReSeFa paper's Fig. 5: image MSE inside / outside the region over the
 * reference's strengths linspace(-10, 10, 7), W space, seed 4, the full 256 x 256 view.
 */
class DemoLocalityTest {

    @Test
    void topResefaEyeDirectionIsFarMoreLocalThanRandomAndPca() {
        Generator g = TestSupport.demo32();
        Latents lat = Latents.fromSeed(g, LatentSpace.W, 4, 1, 1.0, g.numLayers());
        View view = new View(256, View.Reduce.SUM, g.channels(), g.height(), g.width());
        Region eyes = Regions.parse("eyes", 256, g);
        JacobianEngine.Options jo = new JacobianEngine.Options();
        jo.fullGram = true;
        JacobianEngine.Result res = JacobianEngine.compute(g, lat.row(0), LatentSpace.W, view, List.of(eyes), jo);
        GramPair gp = res.grams().get(0);
        int d = gp.dim();

        Directions resefa = ReSeFa.solve(gp, new ReSeFa.Options());     // default: none, falls back (B singular here)
        assertEquals(true, resefa.info().get("fallback"), "the demo's eyes box makes B singular: the fallback must engage");
        double[] pca;
        try (PointerScope s = new PointerScope()) {
            pca = Torch.toDoubles(LapackLinalg.INSTANCE.eighTop(Torch.of(res.full(), d, d), 1).vectors());
        }
        SplittableRandom r = new SplittableRandom(1);
        double[] random = new double[d];
        for (int i = 0; i < d; i++) random[i] = r.nextDouble() - 0.5;
        double n = Math.sqrt(Directions.dot(random, random));
        for (int i = 0; i < d; i++) random[i] /= n;

        Editor ed = new Editor(g, lat, Editor.Settings.defaults());
        double[] strengths = Editor.linspace(-10, 10, 7);
        double rRes = Locality.measure(ed.edit(resefa.row(0), strengths), eyes, 0).ratio();
        double rPca = Locality.measure(ed.edit(pca, strengths), eyes, 1).ratio();
        double rRnd = Locality.measure(ed.edit(random, strengths), eyes, 2).ratio();
        System.out.printf("demo eyes, inside/outside MSE ratio: ReSeFa top %.4g, PCA top %.4g, random %.4g%n", rRes, rPca, rRnd);
        assertTrue(rRes > 100 * rRnd, "ReSeFa " + rRes + " vs random " + rRnd);
        assertTrue(rRes > 100 * rPca, "ReSeFa " + rRes + " vs PCA " + rPca);

        // ground truth: the top direction lies (almost) in the planted eyes block
        double[] q = Torch.toDoubles(g.tensorAttr("planted_basis"));
        double share = 0;
        int b = ganfactor.generator.DemoGenerator.BLOCKS.indexOf("eyes"), B = ganfactor.generator.DemoGenerator.BLOCK;
        for (int row = b * B; row < (b + 1) * B; row++) {
            double c = 0;
            for (int j = 0; j < d; j++) c += q[row * d + j] * resefa.row(0)[j];
            share += c * c;
        }
        System.out.printf("demo eyes: top ReSeFa direction has %.4f of its energy in the planted eyes block%n", share);
        assertTrue(share > 0.9, "share in the eyes block " + share);
    }

    /**
     * W+ (d = 512) on the demo: the fast path, fed with the region's Jacobian rows kept during
     * the Jacobian pass, gives the standard path's directions (both with the paper's
     * regularisation; the background truncation at full rank is then exact).
     */
    @Test
    void fastPathMatchesStandardOnTheDemoInWPlus() {
        Generator g = TestSupport.demo32();
        Latents lat = Latents.fromSeed(g, LatentSpace.WP, 4, 1, 1.0, g.numLayers());
        View view = new View(64, View.Reduce.SUM, g.channels(), g.height(), g.width());
        Region eyes = Regions.parse("eyes", 64, g);
        long[] inside = eyes.inside(1);
        java.util.List<double[]> rows = new java.util.ArrayList<>();
        JacobianEngine.Options jo = new JacobianEngine.Options();
        jo.sink = (p0, block) -> {
            double[] b = Torch.toDoubles(block);
            int d = (int) block.size(1);
            for (long p : inside)
                if (p >= p0 && p < p0 + block.size(0)) rows.add(java.util.Arrays.copyOfRange(b, (int) (p - p0) * d, (int) (p - p0 + 1) * d));
        };
        GramPair.Host gp = JacobianEngine.compute(g, lat.row(0), LatentSpace.WP, view, List.of(eyes), jo).grams().get(0).toHost();
        int d = gp.dim(), m = rows.size();
        assertEquals(512, d);
        assertEquals(inside.length, m);
        double[] fa = new double[m * d];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < d; j++) fa[i * d + j] = rows.get(i)[j] / Math.sqrt(m);
        ReSeFa.Options o = new ReSeFa.Options();
        o.regularization = ReSeFa.Regularization.PAPER;
        o.k = 5;
        Directions std = ReSeFa.solve(gp, o);
        o.path = ReSeFa.SolvePath.FAST;
        o.fastRank = d;
        Directions fast;
        try (PointerScope s = new PointerScope()) {
            fast = ReSeFa.solveFast(Torch.of(fa, m, d), Torch.of(gp.b(), d, d), o);
        }
        for (int i = 0; i < 5; i++) {
            double c = Directions.absCos(std.row(i), fast.row(i));
            assertTrue(c >= 0.9999, "direction " + i + " |cos| " + c);
        }
    }
}
