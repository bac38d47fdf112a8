package ganfactor.generator;

import ganfactor.Engine;
import ganfactor.InputException;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code stylegan3:RES}: the schedule, channels and filters a new StyleGAN3 is constructed with,
 * against the golden checkpoints of the official code (tools/golden/hammer_stylegan3.py keeps the
 * constructor's designed filters as they are: scipy's firwin and the radial jinc design).
 */
class StyleGan3DesignTest {

    /** The spec that names the golden fixture's architecture (its script's fmaps_base, fmaps_max and z = w = 128). */
    static String spec(String cfg) {
        return cfg.equals("t") ? "64:cfg=t:cbase=512:cmax=64:zdim=128" : "64:cfg=r:cbase=1024:cmax=128:zdim=128";
    }

    /**
     * The config and every designed filter equal the official constructor's: float32 in the file,
     * designed in float64 here, so the bound is float32 rounding (6e-8 relative) with room: 1e-6 of
     * the filter's largest tap. A wrong window, width or cutoff moves taps by 1e-3 or more.
     */
    @ParameterizedTest
    @ValueSource(strings = {"t", "r"})
    void filtersAndChannelsEqualTheOfficialConstructors(String cfg) {
        Engine.init(0);
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard();
             ganfactor.io.WeightFiles.Weights w = ganfactor.io.WeightFiles.read(Path.of(StyleGan3Test.model(cfg)), null)) {
            StyleGan3.Config official = StyleGan3.canonical(w.tensors(), null, "golden").config();
            StyleGan3.Config ours = StyleGan3Design.parse(spec(cfg));
            assertArrayEquals(official.channels(), ours.channels(), "channels");
            assertEquals(official.resolution(), ours.resolution());
            assertEquals(official.kernel(), ours.kernel());
            assertEquals(official.radial(), ours.radial());
            assertEquals(official.mappingLayers(), ours.mappingLayers());
            Map<String, Tensor> designed = StyleGan3Design.weights(ours, 1);
            double worst = 0;
            int filters = 0;
            for (Map.Entry<String, Tensor> e : w.tensors().entrySet()) {
                if (!e.getKey().endsWith("_filter")) continue;
                Tensor mine = designed.get(e.getKey());
                assertNotNull(mine, e.getKey());
                assertArrayEquals(e.getValue().sizes().vec().get(), mine.sizes().vec().get(), e.getKey());
                double[] a = Torch.toDoubles(e.getValue()), b = Torch.toDoubles(mine);
                double max = Arrays.stream(a).map(Math::abs).max().orElse(0), diff = 0;
                for (int i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
                worst = Math.max(worst, diff / max);
                filters++;
            }
            System.out.printf("stylegan3-%s: %d designed filters against the official constructor's: %.2e%n", cfg, filters, worst);
            assertTrue(filters >= 26, "filters compared: " + filters);
            assertTrue(worst < 1e-6, "filters " + worst);
        }
    }

    /** The design's special functions at values tabulated elsewhere (Abramowitz and Stegun 9.1, 9.8): J1(1), J1(10), I0(1), I0(5). */
    @Test
    void besselFunctions() {
        assertEquals(0.4400505857449335, StyleGan3Design.besselJ1(1.0), 1e-14);
        assertEquals(0.04347274616886144, StyleGan3Design.besselJ1(10.0), 1e-14);
        assertEquals(1.2660658777520082, StyleGan3Design.besselI0(1.0), 1e-14);
        assertEquals(27.239871823604442, StyleGan3Design.besselI0(5.0), 1e-12);
    }

    /** A random model of the spec builds and draws images of its resolution; its JVP equals dual numbers (float64, W, 2 columns). */
    @Test
    void randomModelBuildsAndDifferentiates() {
        Engine.init(0);
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Generator g = Generator.open("stylegan3:64:cfg=r:cbase=256:cmax=32:zdim=16:seed=3");
            assertEquals(64, g.height());
            assertEquals(16, g.numLayers());
            assertEquals(16, g.latentDim());
            Generator d = g.to(torch.ScalarType.Double);
            torch.manual_seed(2);
            double[][] both = JvpPaths.both(d, LatentSpace.W, 2);
            double e = StyleGan3Test.relErr(both[0], both[1]);
            System.out.printf("stylegan3:64 random (R, reduced): hand-written JVP vs dual numbers %.2e%n", e);
            assertTrue(e < 1e-12, "jvp " + e);
            assertTrue(ganfactor.TestSupport.maxAbs(both[1]) > 1e-6, "non-trivial tangents");
        }
    }

    @Test
    void badSpecsSayWhatIsWrong() {
        assertTrue(assertThrows(InputException.class, () -> StyleGan3Design.parse("100")).getMessage().contains("power of two"));
        assertTrue(assertThrows(InputException.class, () -> StyleGan3Design.parse("256:cfg=x")).getMessage().contains("cfg is t or r"));
        assertTrue(assertThrows(InputException.class, () -> StyleGan3Design.parse("256:foo=1")).getMessage().contains("unknown option"));
        assertTrue(assertThrows(InputException.class, () -> StyleGan3Design.parse("256:cbase=1")).getMessage().contains("no channels"));
    }
}
