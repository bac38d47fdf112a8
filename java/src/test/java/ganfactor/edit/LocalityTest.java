package ganfactor.edit;

import ganfactor.TestSupport;
import ganfactor.generator.DemoGenerator;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.torch.Torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The ReSeFa Fig. 5 measurement on the demo generator's planted ground truth (float32, 2 samples,
 * strengths -3..3, all layers). A planted eyes-block direction changes nothing outside the eye
 * zones (outside MSE is float32 rounding, about 1e-14), so its inside/outside ratio on the eyes
 * is about 1e11 to 1e12; a planted global-block direction changes the whole picture, ratio about 1.
 * Asserted: eyes ratio > 1e8, global ratio < 10, and their quotient > 1e8.
 */
class LocalityTest {
    static Generator g;
    static double[] q;
    static Editor editor;

    @BeforeAll
    static void setup() {
        g = TestSupport.demo32();
        q = Torch.toDoubles(g.tensorAttr("planted_basis"));
        editor = new Editor(g, Latents.fromSeed(g, LatentSpace.W, 4, 2, 1.0, 8), Editor.Settings.defaults());
    }

    static double[] blockRow(String block, int k) {
        int r = DemoGenerator.BLOCKS.indexOf(block) * DemoGenerator.BLOCK + k;
        return Arrays.copyOfRange(q, r * 64, (r + 1) * 64);
    }

    @Test
    void plantedEyesDirectionIsLocalAndGlobalIsNot() {
        double[] alphas = Editor.parseStrengths("-3:3:7");
        Editor.Result eyes = editor.edit(blockRow("eyes", 0), alphas);
        Editor.Result global = editor.edit(blockRow("global", 0), alphas);
        for (String spec : List.of("mask:eyes", "eyes")) {
            Region region = Regions.parse(spec, 256, g);
            Locality.Measurement le = Locality.measure(eyes, region, 8), lg = Locality.measure(global, region, 0);
            double re = le.ratio(), rg = lg.ratio();
            System.out.printf("locality on %s: planted eyes direction %s, planted global direction %s%n", spec,
                    Locality.formatRatio(re), Locality.formatRatio(rg));
            assertTrue(re > 1e8, spec + ": eyes-block ratio " + re);
            assertTrue(rg < 10, spec + ": global-block ratio " + rg);
            assertTrue(re / rg > 1e8, spec + ": eyes/global " + re / rg);
            // strength 0 is the original: zero change on both sides
            assertEquals(0.0, le.inside(0, 3));
            assertEquals(0.0, le.outside(1, 3));
            double[] mi = le.meanInside();
            assertTrue(mi[0] > 1e-4 && mi[6] > 1e-4, "the eyes change inside: " + Arrays.toString(mi));
        }
    }

    @Test
    void regionMapsToImagePixelsByNearestNeighbour() {
        Region r = Region.box("b", 64, 20, 30, 4, 6, "test"); // grid rows 18..21, cols 27..32
        boolean[] m = Locality.imageMask(r, 256, 256);
        int count = 0;
        for (int y = 0; y < 256; y++)
            for (int x = 0; x < 256; x++) {
                boolean expect = y / 4 >= 18 && y / 4 < 22 && x / 4 >= 27 && x / 4 < 33;
                assertEquals(expect, m[y * 256 + x], y + "," + x);
                if (m[y * 256 + x]) count++;
            }
        assertEquals(4 * 6 * 16, count);
    }

    /** Hand-made images: exact MSE values, ratio with outside = 0 (Infinity) and nothing changed (NaN). */
    @Test
    void exactValuesAndZeroOutside() {
        int C = 3, H = 4, W = 4, P = H * W;
        Region r = Region.box("top", 4, 1, 2, 2, 4, "test"); // rows 0-1 of a 4x4 grid
        float[] orig = new float[C * P];
        float[] imgs = new float[2 * C * P];
        for (int c = 0; c < C; c++)
            for (int p = 0; p < P; p++) {
                imgs[c * P + p] = 0;                                  // strength 0: unchanged
                imgs[C * P + c * P + p] = p < 8 ? 0.5f : 0f;          // strength 1: inside only
            }
        Editor.Result res = new Editor.Result(new double[]{1}, new double[]{0, 1}, 1, 1, 1, new double[1], new double[2], orig, imgs, C, H, W);
        Locality.Measurement m = Locality.measure(res, r, 3);
        assertEquals(0.25, m.inside(0, 1), 1e-15);
        assertEquals(0.0, m.outside(0, 1));
        assertEquals(Double.POSITIVE_INFINITY, m.ratio());
        Map<String, Object> s = m.summary();
        assertEquals("Infinity", s.get("ratio"));
        assertEquals(8L * C, s.get("inside_pixels"));
        Editor.Result none = new Editor.Result(new double[]{1}, new double[]{0}, 1, 1, 1, new double[1], new double[1], orig, new float[C * P], C, H, W);
        assertTrue(Double.isNaN(Locality.measure(none, r, 0).ratio()));
        String csv = Locality.csv(List.of(m));
        assertEquals("direction,sample,strength,mse_inside,mse_outside", csv.lines().findFirst().orElseThrow());
        assertEquals(3, csv.lines().count());
        assertTrue(csv.contains("3,0,1.0,0.25,0.0"), csv);
        assertEquals("1.2e4", Locality.formatRatio(12345));
        assertEquals("0.921", Locality.formatRatio(0.9214));
        assertEquals("3.5", Locality.formatRatio(3.5));
        assertEquals("6.3e-12", Locality.formatRatio(6.3e-12));
        assertEquals("inf", Locality.formatRatio(Double.POSITIVE_INFINITY));
    }
}
