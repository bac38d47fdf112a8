package ganfactor.edit;

import ganfactor.InputException;
import ganfactor.TestSupport;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.torch.Torch;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IntType;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.Type;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Editor properties on the demo generator (L = 8, d = 64). Tolerances: code arithmetic in float64,
 * (x + a n) - x against a n to 1e-12 (a few ulps of |x| ~ 10); projections to 1e-12; untouched
 * layers and zero edits exactly (bit for bit); rendering consistency in float32 to 1e-5.
 */
class EditorTest {
    static Generator g;
    static double[] q;

    @BeforeAll
    static void setup() {
        g = TestSupport.demo32();
        q = Torch.toDoubles(g.tensorAttr("planted_basis"));
    }

    static double[] row(int r) {
        return Arrays.copyOfRange(q, r * 64, (r + 1) * 64);
    }

    static double[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
        return v;
    }

    @Test
    void strengthZeroReproducesTheOriginalExactly() {
        for (LatentSpace space : LatentSpace.values()) {
            Latents lat = Latents.fromSeed(g, space, 4, 2, 1.0, 8);
            Editor e = new Editor(g, lat, Editor.Settings.defaults().withLayers(new int[]{4, 5, 6, 7}).withBatch(3));
            Editor.Result r = e.edit(row(8), new double[]{-1, 0, 1});
            int img = r.imageSize();
            for (int n = 0; n < 2; n++) {
                float[] o = Arrays.copyOfRange(r.originals(), n * img, (n + 1) * img);
                float[] z = Arrays.copyOfRange(r.images(), r.offset(n, 1), r.offset(n, 1) + img);
                float[] one = Arrays.copyOfRange(r.images(), r.offset(n, 2), r.offset(n, 2) + img);
                assertArrayEquals(o, z, space + ": strength 0 must give the original image bit for bit");
                assertFalse(Arrays.equals(o, one), space + ": strength 1 must change the image");
            }
            assertArrayEquals(Arrays.copyOfRange(r.editedCodes(), 8 * 64, 16 * 64), Arrays.copyOfRange(r.originalCodes(), 0, 8 * 64));
        }
    }

    /** The rendering path itself agrees with the originals: a 1e-9 edit renders within 1e-5 (float32), and batches do not matter. */
    @Test
    void renderingIsConsistentAcrossBatches() {
        Latents lat = Latents.fromSeed(g, LatentSpace.W, 5, 3, 1.0, 8);
        Editor.Result a = new Editor(g, lat, Editor.Settings.defaults().withBatch(1)).edit(row(8), new double[]{1e-9, 2});
        Editor.Result b = new Editor(g, lat, Editor.Settings.defaults().withBatch(8)).edit(row(8), new double[]{1e-9, 2});
        double maxTiny = 0, maxBatch = 0;
        int img = a.imageSize();
        for (int n = 0; n < 3; n++)
            for (int p = 0; p < img; p++) {
                maxTiny = Math.max(maxTiny, Math.abs(a.images()[a.offset(n, 0) + p] - a.originals()[n * img + p]));
                maxBatch = Math.max(maxBatch, Math.abs(a.images()[a.offset(n, 1) + p] - b.images()[b.offset(n, 1) + p]));
            }
        assertTrue(maxTiny < 1e-5, "a 1e-9 edit changed a pixel by " + maxTiny);
        // float32: LibTorch's kernels for a batch of 1 and of 8 add in different orders; over the
        // demo's layers that reaches 1.17e-5 here (measured, also on e22ad14 before this bound was
        // set), against a float32 unit roundoff of 6e-8 times sums of up to 256 terms (1.5e-5).
        // 5e-5 still sits four orders of magnitude below the change the strength-2 edit makes.
        assertTrue(maxBatch < 5e-5, "batch size changed a pixel by " + maxBatch);
    }

    @Test
    void relativeEditOnLayers4to7MovesOnlyThoseLayersByAlphaN() {
        Latents lat = Latents.fromSeed(g, LatentSpace.WP, 4, 2, 1.0, 8);
        Editor e = new Editor(g, lat, Editor.Settings.defaults().withLayers(Editor.parseLayers("4-7", 8)).withTruncation(0.7, 8));
        // truncation comes first and matches Latents' own truncation
        Latents truncated = Latents.fromSeed(g, LatentSpace.WP, 4, 2, 0.7, 8);
        assertTrue(TestSupport.maxAbsDiff(truncated.codes(), e.originalCodes()) < 1e-15);
        double[] n = row(9);
        double[] alphas = Editor.parseStrengths("-10:10:7");
        Editor.Result r = e.edit(n, alphas);
        assertArrayEquals(new long[]{2, 7, 8, 64}, r.codeShape());
        double worst = 0;
        for (int i = 0; i < 2; i++)
            for (int s = 0; s < 7; s++)
                for (int l = 0; l < 8; l++)
                    for (int k = 0; k < 64; k++) {
                        double diff = r.editedCodes()[((i * 7 + s) * 8 + l) * 64 + k] - r.originalCodes()[(i * 8 + l) * 64 + k];
                        if (l < 4) assertEquals(0.0, diff, "layer " + l + " must not move");
                        else worst = Math.max(worst, Math.abs(diff - alphas[s] * n[k]));
                    }
        assertTrue(worst < 1e-12, "edit differs from alpha n by " + worst);
    }

    @Test
    void absoluteModeSetsTheProjection() {
        Latents lat = Latents.fromSeed(g, LatentSpace.W, 6, 2, 1.0, 8);
        double[] n = random(3, 64); // not unit: absolute mode normalises
        double norm = Math.sqrt(ganfactor.method.Directions.dot(n, n));
        double[] alphas = {-3, 0.5, 3};
        Editor e = new Editor(g, lat, Editor.Settings.defaults().withMode(Editor.Mode.ABSOLUTE).withLayers(new int[]{0, 2}).withTruncation(0.7, 4));
        Editor.Result r = e.edit(n, alphas);
        for (int i = 0; i < 2; i++)
            for (int s = 0; s < 3; s++)
                for (int l = 0; l < 8; l++) {
                    double[] w = Arrays.copyOfRange(r.editedCodes(), ((i * 3 + s) * 8 + l) * 64, ((i * 3 + s) * 8 + l + 1) * 64);
                    double[] o = Arrays.copyOfRange(r.originalCodes(), (i * 8 + l) * 64, (i * 8 + l + 1) * 64);
                    if (l == 0 || l == 2) assertEquals(alphas[s], ganfactor.method.Directions.dot(w, n) / norm, 1e-12);
                    else assertArrayEquals(o, w);
                }
        // a W+ direction: the masked W+ code's projection onto the masked, normalised direction is alpha
        double[] nwp = random(4, 512);
        Editor.Result rw = new Editor(g, Latents.fromSeed(g, LatentSpace.WP, 6, 1, 1.0, 8),
                Editor.Settings.defaults().withMode(Editor.Mode.ABSOLUTE).withLayers(new int[]{4, 5, 6, 7})).edit(nwp, new double[]{2.5});
        double dot = 0, nn = 0;
        for (int j = 4 * 64; j < 512; j++) { dot += rw.editedCodes()[j] * nwp[j]; nn += nwp[j] * nwp[j]; }
        assertEquals(2.5, dot / Math.sqrt(nn), 1e-12);
        for (int j = 0; j < 4 * 64; j++) assertEquals(rw.originalCodes()[j], rw.editedCodes()[j]);
    }

    @Test
    void wpDirectionIsMaskedToTheChosenLayers() {
        Latents lat = Latents.fromSeed(g, LatentSpace.W, 4, 1, 1.0, 8);
        double[] n = random(5, 512);
        Editor.Result r = new Editor(g, lat, Editor.Settings.defaults().withLayers(new int[]{1, 6})).edit(n, new double[]{2});
        for (int l = 0; l < 8; l++)
            for (int k = 0; k < 64; k++) {
                int j = l * 64 + k;
                double expect = (l == 1 || l == 6) ? 2 * n[j] : 0;
                assertEquals(expect, r.editedCodes()[j] - r.originalCodes()[j], 1e-12);
            }
    }

    /** Z codes: z + a n is mapped, and the mapped w replaces the original on the chosen layers only. */
    @Test
    void zEditsGoThroughTheMapping() {
        Latents lat = Latents.fromSeed(g, LatentSpace.Z, 4, 1, 1.0, 8);
        double[] n = row(10);
        Editor.Result r = new Editor(g, lat, Editor.Settings.defaults().withLayers(new int[]{0, 1, 2, 3})).edit(n, new double[]{1.5});
        double[] z = lat.row(0);
        for (int k = 0; k < 64; k++) z[k] += 1.5 * n[k];
        double[] w;
        try (org.bytedeco.pytorch.NoGradGuard ng = new org.bytedeco.pytorch.NoGradGuard()) {
            w = Torch.toDoubles(g.mapping(Torch.of(z, 1, 64).to(g.dtype())));
        }
        for (int l = 0; l < 8; l++)
            for (int k = 0; k < 64; k++) {
                double got = r.editedCodes()[l * 64 + k];
                if (l < 4) assertEquals(w[k], got, 1e-6); // float32 mapping
                else assertEquals(r.originalCodes()[l * 64 + k], got);
            }
    }

    @Test
    void specifications() {
        assertArrayEquals(new double[]{-3, -2, -1, 0, 1, 2, 3}, Editor.parseStrengths("-3:3:7"));
        assertArrayEquals(new double[]{-2, 0, 2}, Editor.parseStrengths(" -2, 0 ,2"));
        assertArrayEquals(new double[]{1.5}, Editor.parseStrengths("1.5"));
        double[] ten = Editor.parseStrengths("-10:10:7"); // NumPy: linspace(-10, 10, 7)
        assertEquals(7, ten.length);
        assertEquals(-10, ten[0]);
        assertEquals(10, ten[6]);
        assertEquals(-20.0 / 3, ten[1], 1e-14);
        assertEquals(0, ten[3], 1e-14);
        for (String bad : new String[]{"", "1:2", "a:b:3", "1:2:0", "1,,2", "nan", "1:2:3:4"})
            assertThrows(InputException.class, () -> Editor.parseStrengths(bad), bad);
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5, 6, 7}, Editor.parseLayers("all", 8));
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5, 6, 7}, Editor.parseLayers(null, 8));
        assertArrayEquals(new int[]{4, 5, 6, 7}, Editor.parseLayers("4-7", 8));
        assertArrayEquals(new int[]{0, 2, 4}, Editor.parseLayers("4,0,2,2", 8));
        assertArrayEquals(new int[]{0, 1, 2, 6}, Editor.parseLayers("0-2,6", 8));
        assertEquals("0-2,6", Editor.layersLabel(new int[]{0, 1, 2, 6}, 8));
        assertEquals("all", Editor.layersLabel(Editor.parseLayers("all", 8), 8));
        InputException e = assertThrows(InputException.class, () -> Editor.parseLayers("4-8", 8));
        assertTrue(e.getMessage().contains("'4-8' is out of range 0-7"), e.getMessage());
        for (String bad : new String[]{"7-4", "x", "-1", "1,"})
            assertThrows(InputException.class, () -> Editor.parseLayers(bad, 8), bad);
        assertEquals(Editor.Mode.ABSOLUTE, Editor.Mode.parse("Absolute"));
        assertThrows(InputException.class, () -> Editor.Mode.parse("sideways"));
    }

    @Test
    void badDirectionsAreRejected() {
        Editor ez = new Editor(g, Latents.fromSeed(g, LatentSpace.Z, 4, 1, 1.0, 8), Editor.Settings.defaults());
        InputException e = assertThrows(InputException.class, () -> ez.edit(new double[63], new double[]{1}));
        assertTrue(e.getMessage().contains("needs 64"), e.getMessage());
        e = assertThrows(InputException.class, () -> ez.edit(random(1, 512), new double[]{1}));
        assertTrue(e.getMessage().contains("cannot edit Z codes"), e.getMessage());
        assertThrows(InputException.class, () -> ez.edit(new double[64], new double[]{1}));
        assertThrows(InputException.class, () -> ez.edit(row(8), new double[]{Double.NaN}));
        assertThrows(InputException.class, () -> new Editor(g, Latents.fromSeed(g, LatentSpace.W, 4, 1, 1.0, 8),
                Editor.Settings.defaults().withLayers(new int[]{8})));
    }

    /** A generator without w_avg: truncation is refused with a clear message; psi 1 works. */
    @Test
    void truncationNeedsWAvg(@TempDir Path tmp) {
        JitModule m = new JitModule(new QualifiedName("tiny"));
        Type.TypePtr intType = new Type.TypePtr(IntType.getIntTypePtr().get());
        m.register_attribute("num_layers", intType, new IValue(2L));
        m.register_attribute("latent_dim", intType, new IValue(4L));
        m.define("""
            def synthesis(self, wp: Tensor) -> Tensor:
                x = torch.tanh(wp.sum(1))[:, 0:3]
                return x.reshape(-1, 3, 1, 1).expand(-1, 3, 4, 4).contiguous()
            """);
        Path file = tmp.resolve("tiny.pt");
        m.save(file.toString());
        Generator tiny = Generator.load(file);
        Latents lat = new Latents(new double[]{0.1, 0.2, 0.3, 0.4}, 1, 4, LatentSpace.W, "test");
        InputException e = assertThrows(InputException.class, () -> new Editor(tiny, lat, Editor.Settings.defaults().withTruncation(0.7, 8)));
        assertTrue(e.getMessage().contains("w_avg"), e.getMessage());
        Editor.Result r = new Editor(tiny, lat, Editor.Settings.defaults()).edit(new double[]{1, 0, 0, 0}, new double[]{0, 1});
        assertArrayEquals(new long[]{1, 2, 3, 4, 4}, r.imageShape());
        assertEquals(Math.tanh(2 * 0.1), r.originals()[0], 1e-6);
        assertEquals(Math.tanh(2 * 1.1), r.images()[r.offset(0, 1)], 1e-6);
    }
}
