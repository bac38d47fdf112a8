package ganfactor.generator;

import ganfactor.TestSupport;
import ganfactor.region.View;
import ganfactor.torch.Torch;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The demo generator's planted ground truth: a latent direction inside a part's block of the
 * planted basis changes no pixel outside that part's ground-truth mask, exactly (the part is
 * drawn inside its zone only), and does change pixels inside it. Checked both by finite edits
 * and by exact JVPs, in float64. Tolerance outside: 1e-12. The planted basis Q is a dense
 * rotation, so "zero" is reached through sums like sum_k v_k A_jk that cancel only to rounding:
 * |alpha| |v| |A| d eps = 1.5 * 1 * O(1) * 64 * 1.1e-16, about 1e-14; inside, changes exceed 1e-2.
 */
class PlantedLocalityTest {
    static Generator g;
    static double[] q;
    static List<String> parts;
    static double[] masks;

    @BeforeAll
    static void setup() {
        g = TestSupport.demo64();
        q = Torch.toDoubles(g.tensorAttr("planted_basis"));
        parts = g.stringList("part_names");
        masks = Torch.toDoubles(g.tensorAttr("part_masks"));
    }

    static double[] blockDirection(String block, long seed) {
        int b = DemoGenerator.BLOCKS.indexOf(block), d = DemoGenerator.LATENT_DIM;
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[d];
        for (int k = 0; k < DemoGenerator.BLOCK; k++) {
            double c = r.nextGaussian();
            for (int j = 0; j < d; j++) v[j] += c * q[(b * DemoGenerator.BLOCK + k) * d + j];
        }
        return v;
    }

    static double[] render(double[] w) {
        try (NoGradGuard ng = new NoGradGuard()) {
            Tensor x = Torch.of(w, w.length / 64, 64);
            return Torch.toDoubles(g.synthesis(g.toWp(x, LatentSpace.W)));
        }
    }

    @Test
    void metadataIsExposed() {
        assertEquals(List.of("left_eye", "right_eye", "eyes", "eyebrows", "nose", "mouth", "hair", "face"), parts);
        assertEquals(DemoGenerator.ATTRIBUTES, g.stringList("attribute_names"));
        assertTrue(g.stringList("preset_names").contains("eyes"));
        assertEquals(8, g.numLayers());
        assertEquals(64, g.latentDim());
        assertNotNull(g.wAvg());
        // the planted basis is orthonormal
        double[] qq = new double[64 * 64];
        for (int i = 0; i < 64; i++)
            for (int j = 0; j < 64; j++)
                for (int k = 0; k < 64; k++) qq[i * 64 + j] += q[i * 64 + k] * q[j * 64 + k];
        for (int i = 0; i < 64; i++) qq[i * 64 + i] -= 1;
        assertTrue(TestSupport.maxAbs(qq) < 1e-12);
    }

    @Test
    void partDirectionsEditOnlyTheirMask() {
        double[] w = Latents.fromSeed(g, LatentSpace.W, 4, 3, 1.0, 8).codes();
        double[] base = render(w);
        int P = 256 * 256;
        for (String part : List.of("eyes", "eyebrows", "nose", "mouth", "hair", "face")) {
            int m = parts.indexOf(part);
            for (long s = 1; s <= 2; s++) {
                double[] v = blockDirection(part, s);
                double[] w2 = w.clone();
                for (int n = 0; n < 3; n++) for (int j = 0; j < 64; j++) w2[n * 64 + j] += 1.5 * v[j];
                double[] img = render(w2);
                double outside = 0, inside = 0;
                for (int n = 0; n < 3; n++)
                    for (int c = 0; c < 3; c++)
                        for (int p = 0; p < P; p++) {
                            double diff = Math.abs(img[(n * 3 + c) * P + p] - base[(n * 3 + c) * P + p]);
                            if (masks[m * P + p] != 0) inside = Math.max(inside, diff); else outside = Math.max(outside, diff);
                        }
                assertTrue(outside <= 1e-12, part + ": pixels outside the mask changed by " + outside);
                assertTrue(inside > 0.02, part + ": the edit did nothing inside (" + inside + ")");
            }
        }
    }

    @Test
    void globalDirectionsEditEverywhere() {
        double[] w = Latents.fromSeed(g, LatentSpace.W, 4, 1, 1.0, 8).codes();
        double[] base = render(w);
        double[] v = blockDirection("global", 3);
        double[] w2 = w.clone();
        for (int j = 0; j < 64; j++) w2[j] += 1.5 * v[j];
        double[] img = render(w2);
        int changedOutsideFace = 0, P = 256 * 256, face = parts.indexOf("face");
        for (int p = 0; p < P; p++) if (masks[face * P + p] == 0 && Math.abs(img[p] - base[p]) > 1e-6) changedOutsideFace++;
        assertTrue(changedOutsideFace > P / 10, "a global direction changes the background too: " + changedOutsideFace);
    }

    /** The exact JVP along a planted eye direction vanishes outside the eye mask and not inside. */
    @Test
    void jvpOfPartDirectionVanishesOutside() {
        double[] w = Latents.fromSeed(g, LatentSpace.W, 7, 1, 1.0, 8).codes();
        int P = 256 * 256, m = parts.indexOf("mouth");
        Tensor empty = torch.zeros(new long[]{0}, Torch.options(torch.ScalarType.Long));
        double[] jv;
        try (NoGradGuard ng = new NoGradGuard()) {
            long level = torch.enter_dual_level();
            try {
                jv = Torch.toDoubles(g.call("gf_jvp", Torch.of(w, 1, 64), Torch.of(blockDirection("mouth", 9), 1, 64), 1, empty, empty,
                        View.Reduce.SUM.code(), level));
            } finally {
                torch.exit_dual_level(level);
            }
        }
        double in = 0, out = 0;
        for (int p = 0; p < P; p++) {
            if (masks[m * P + p] != 0) in = Math.max(in, Math.abs(jv[p])); else out = Math.max(out, Math.abs(jv[p]));
        }
        assertTrue(out <= 1e-12, "JVP outside the mouth: " + out);
        assertTrue(in > 1e-2, "JVP inside the mouth: " + in);
    }

    @Test
    void buildIsDeterministic() {
        double[] a = Torch.toDoubles(DemoGenerator.build(DemoGenerator.DEFAULT_SEED).attr("affine_t").toTensor());
        double[] b = Torch.toDoubles(DemoGenerator.build(DemoGenerator.DEFAULT_SEED).attr("affine_t").toTensor());
        assertArrayEquals(a, b);
    }
}
