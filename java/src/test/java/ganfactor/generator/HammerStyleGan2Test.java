package ganfactor.generator;

import ganfactor.Engine;
import ganfactor.InputException;
import ganfactor.cli.CliRun;
import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 27: a Hammer/genforce StyleGAN2 checkpoint as the ReSeFa repository saves it
 * ({'models': {'generator_smooth': state_dict}}), read natively, against the official code's own
 * outputs on the same random weights (java/src/test/resources/official/hammer-stylegan2, made by
 * tools/golden/hammer_stylegan2.py with the repository's models/ on the CPU: 64 px, channels 128
 * to 8, z = w = 128, 10 W+ entries).
 *
 * <p>Tolerances: images and mapping 1e-5 relative to the largest value (float32 on both sides,
 * different summation orders; the NVlabs fixture's bar); Grams 1e-5 relative (both from float32
 * Jacobians: the official one by autodiff of its forward, ours by forward mode).
 */
class HammerStyleGan2Test {
    @TempDir
    Path tmp;

    static final Path DIR = Path.of("src/test/resources/official/hammer-stylegan2");

    static double relErr(double[] got, double[] ref) {
        return ganfactor.TestSupport.maxAbsDiff(got, ref) / ganfactor.TestSupport.maxAbs(ref);
    }

    @Test
    void imagesAndMappingMatchTheOfficialCode() {
        Engine.init(0);
        NpyArray z = Npy.read(DIR.resolve("z.npy"));
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Generator g = Generator.open(DIR.resolve("G_hammer_64.pth").toString());   // the key path found by itself
            // ReSeFa builds a Hammer StyleGAN2 with conv_clamp=None: that is the answer, not an unknown to warn about
            assertTrue(g.warnings().isEmpty(), g.warnings().toString());
            assertEquals("none", g.convClampRecord().get("value"));
            assertTrue(String.valueOf(g.convClampRecord().get("source")).contains("ReSeFa"), g.convClampRecord().toString());
            assertEquals(64, g.height());
            assertEquals(10, g.numLayers());
            assertEquals(128, g.latentDim());
            Tensor zt = Torch.of(z.data(), z.shape()).to(torch.ScalarType.Float);
            double mapErr = relErr(Torch.toDoubles(g.mapping(zt)), Npy.read(DIR.resolve("w.npy")).data());
            double imgErr = relErr(Torch.toDoubles(g.synthesis(g.toWp(zt, LatentSpace.Z))), Npy.read(DIR.resolve("img.npy")).data());
            // manipulate.py's truncation: psi 0.7 on the first 8 of 10 layers, codes drawn as its scripts draw them (seed 4)
            Latents trunc = Latents.fromSeed(g, LatentSpace.WP, 4, 4, 0.7, 8);
            double wpErr = relErr(trunc.codes(), Npy.read(DIR.resolve("wp_trunc.npy")).data());
            double truncErr = relErr(Torch.toDoubles(g.synthesis(Torch.of(trunc.codes(), 4, 10, 128).to(torch.ScalarType.Float))),
                    Npy.read(DIR.resolve("img_trunc.npy")).data());
            System.out.printf("hammer parity: mapping %.2e, images %.2e, truncated W+ %.2e, truncated images %.2e (max |diff| / max |ref|)%n",
                    mapErr, imgErr, wpErr, truncErr);
            assertTrue(mapErr < 1e-5, "mapping " + mapErr);
            assertTrue(imgErr < 1e-5, "images " + imgErr);
            assertTrue(wpErr < 1e-5, "truncated codes " + wpErr);
            assertTrue(truncErr < 1e-5, "truncated images " + truncErr);
        }
    }

    /** The W-space Grams of the official box [29, 33, 9, 27] on the default view (3 x 64 x 64 rows, the official rule). */
    @Test
    void gramsOfABoxMatchTheOfficialJacobian() throws Exception {
        Path out = tmp.resolve("j");
        CliRun r = CliRun.run("jacobian", "--model", DIR.resolve("G_hammer_64.pth").toString(), "--seed", "4",
                "--region", "box=[29, 33, 9, 27]", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        double ea = relErr(Npy.read(out.resolve("box_A.npy")).data(), Npy.read(DIR.resolve("box_A.npy")).data());
        double eb = relErr(Npy.read(out.resolve("box_B.npy")).data(), Npy.read(DIR.resolve("box_B.npy")).data());
        System.out.printf("hammer parity: W-space Grams A %.2e, B %.2e%n", ea, eb);
        assertTrue(ea < 1e-5 && eb < 1e-5, "A " + ea + ", B " + eb);
    }

    /**
     * manipulate.py's defaults as ganfactor flags: codes drawn with seed 4, truncation psi 0.7 on 8
     * layers, the shipped [1, d] direction moved on layers 4-7 over 7 steps from -10 to 10 (relative
     * mode, x + a n). The edited codes equal its linear_interpolate's (float32 on its side: 1e-6
     * relative) and their images its synthesis (1e-5, as above).
     */
    @Test
    void editReproducesManipulatePy() throws Exception {
        double[] e = ManipulatePy.editErrors(DIR.resolve("G_hammer_64.pth").toString(), DIR, tmp.resolve("e"), 10, 128);
        double codeErr = e[0], imgErr = e[1];
        System.out.printf("hammer parity: manipulate.py codes %.2e, images %.2e%n", codeErr, imgErr);
        assertTrue(codeErr < 1e-6, "codes " + codeErr);
        assertTrue(imgErr < 1e-5, "images " + imgErr);
    }

    /** The older genforce layout looks alike but differs in two numbers per layer: it is refused by name, never read as Hammer's. */
    @Test
    void theOlderGenforceLayoutIsRefused() {
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> w = Map.of("mapping.dense0.weight", torch.zeros(4, 4), "truncation.w_avg", torch.zeros(4));
            InputException e = assertThrows(InputException.class, () -> StyleGan2Weights.toNvlabs(w, "old.pth"));
            assertTrue(e.getMessage().contains("genforce/genforce") && e.getMessage().contains("truncation.w_avg"), e.getMessage());
        }
    }

    @Test
    void hammerConvIndicesAreTheWPlusEntries() {
        assertEquals("synthesis.b4.conv1", StyleGan2Weights.hammerConv(0));
        assertEquals("synthesis.b8.conv0", StyleGan2Weights.hammerConv(1));
        assertEquals("synthesis.b8.conv1", StyleGan2Weights.hammerConv(2));
        assertEquals("synthesis.b64.conv1", StyleGan2Weights.hammerConv(8));
        assertTrue(Files.isRegularFile(DIR.resolve("G_hammer_64.pth")), "the fixture is in the repository");
    }
}
