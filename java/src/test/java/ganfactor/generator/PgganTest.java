package ganfactor.generator;

import ganfactor.Engine;
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

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 28: PGGAN built natively from InterFaceGAN's own checkpoint format and from Hammer's, against
 * the official code on random weights (java/src/test/resources/official/pggan, made by
 * tools/golden/pggan.py from genforce/interfacegan's and zhujiapeng/resefa's models on the CPU:
 * 64 px, z 128, channels 64, 64, 64, 32, 16; a plain and a fused-scale model; the Hammer files hold
 * the same numbers as InterFaceGAN's).
 *
 * <p>Tolerances: images 1e-5 relative to the largest value (float32 both sides; the two official
 * code bases differ by 2.2e-6 between themselves); Grams 1e-5 (float32 Jacobians on both sides);
 * edit.py's codes 1e-6 (its float32 arithmetic).
 */
class PgganTest {
    @TempDir
    Path tmp;

    static final Path DIR = Path.of("src/test/resources/official/pggan");

    static double relErr(double[] got, double[] ref) {
        return ganfactor.TestSupport.maxAbsDiff(got, ref) / ganfactor.TestSupport.maxAbs(ref);
    }

    static double imageErr(String model, String reference) {
        NpyArray z = Npy.read(DIR.resolve("z.npy"));
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Generator g = Generator.open(DIR.resolve(model).toString());
            assertEquals(64, g.height());
            assertEquals(1, g.numLayers());
            assertEquals(128, g.latentDim());
            Tensor zt = Torch.of(z.data(), z.shape()).to(torch.ScalarType.Float);
            return relErr(Torch.toDoubles(g.synthesis(g.toWp(zt, LatentSpace.Z))), Npy.read(DIR.resolve(reference)).data());
        }
    }

    @Test
    void imagesOfBothFormatsMatchTheOfficialCode() {
        Engine.init(0);
        double ifg = imageErr("pggan_interfacegan_64.pth", "img_interfacegan.npy");
        double hammer = imageErr("pggan_hammer_64.pth", "img_interfacegan.npy");
        double ifgFused = imageErr("pggan_interfacegan_64_fused.pth", "img_interfacegan_fused.npy");
        double hammerFused = imageErr("pggan_hammer_64_fused.pth", "img_interfacegan_fused.npy");
        System.out.printf("pggan parity: images InterFaceGAN %.2e, Hammer %.2e; fused scale: %.2e, %.2e (max |diff| / max |ref|)%n", ifg, hammer, ifgFused, hammerFused);
        assertTrue(ifg < 1e-5 && hammer < 1e-5 && ifgFused < 1e-5 && hammerFused < 1e-5, ifg + " " + hammer + " " + ifgFused + " " + hammerFused);
    }

    /**
     * The Z-space Grams of the box rows 24..33, cols 20..43 ([29, 32, 10, 24]) on the default view
     * (3 x 64 x 64 rows). The official Jacobian was taken at the raw z[0]; ganfactor takes it at the
     * code on the sqrt(d) sphere (InterFaceGAN's preprocess). The model normalises z, so G(c z) =
     * G(z), J(c z) = J(z) / c, and the Grams scale by 1 / c^2 = |z|^2 / d: the official Grams are
     * compared after that exact rescaling.
     */
    @Test
    void gramsInZMatchTheOfficialJacobian() throws Exception {
        Path zfile = tmp.resolve("z0.npy");
        double[] z0 = java.util.Arrays.copyOf(Npy.read(DIR.resolve("z.npy")).data(), 128);
        Npy.writeFloat64(zfile, z0, 1, 128);
        double scale = ganfactor.method.Directions.dot(z0, z0) / 128;
        Path out = tmp.resolve("j");
        CliRun r = CliRun.run("jacobian", "--model", DIR.resolve("pggan_interfacegan_64.pth").toString(), "--space", "z", "--latents", zfile.toString(),
                "--region", "box=[29, 32, 10, 24]", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        double[] refA = Npy.read(DIR.resolve("box_A.npy")).data(), refB = Npy.read(DIR.resolve("box_B.npy")).data();
        for (int i = 0; i < refA.length; i++) { refA[i] *= scale; refB[i] *= scale; }
        double ea = relErr(Npy.read(out.resolve("box_A.npy")).data(), refA);
        double eb = relErr(Npy.read(out.resolve("box_B.npy")).data(), refB);
        System.out.printf("pggan parity: Z-space Grams A %.2e, B %.2e (|z|^2 / d = %.4f)%n", ea, eb, scale);
        assertTrue(ea < 1e-5 && eb < 1e-5, "A " + ea + ", B " + eb);
    }

    /**
     * edit.py on PGGAN: the codes preprocessed onto the sphere of radius sqrt(d) (its preprocess),
     * then linear_interpolate from -3 to 3 in 10 steps along the boundary (absolute distances: the
     * edited code's projection on n is the strength). `edit --boundary` with its defaults does it.
     */
    @Test
    void editBoundaryReproducesEditPy() throws Exception {
        Path out = tmp.resolve("e");
        CliRun r = CliRun.run("edit", "--model", DIR.resolve("pggan_interfacegan_64.pth").toString(), "--boundary", DIR.resolve("boundary.npy").toString(),
                "--space", "z", "--latents", DIR.resolve("z.npy").toString(), "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        NpyArray codes = Npy.read(out.resolve("edited_0.npy"));
        double[] first = java.util.Arrays.copyOf(codes.data(), 10 * 128);   // sample 0's 10 strengths
        double codeErr = relErr(first, Npy.read(DIR.resolve("edit_codes.npy")).data());
        double imgErr;
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Generator g = Generator.open(DIR.resolve("pggan_interfacegan_64.pth").toString());
            imgErr = relErr(Torch.toDoubles(g.synthesis(Torch.of(first, 10, 1, 128).to(torch.ScalarType.Float))), Npy.read(DIR.resolve("edit_img.npy")).data());
        }
        System.out.printf("pggan parity: edit.py codes %.2e, images %.2e%n", codeErr, imgErr);
        assertTrue(codeErr < 1e-6, "codes " + codeErr);
        assertTrue(imgErr < 1e-5, "images " + imgErr);
    }

    /** sample's z.npy for a PGGAN: easy_sample's codes (on the sphere), as generate_data.py writes them. */
    @Test
    void sampleDrawsEasySampleCodes() throws Exception {
        Path out = tmp.resolve("s");
        CliRun r = CliRun.run("sample", "--model", DIR.resolve("pggan_interfacegan_64.pth").toString(), "--space", "z", "--seed", "4", "--num", "4",
                "--region-stat", "mean@29,32,10,24", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(relErr(Npy.read(out.resolve("z.npy")).data(), Npy.read(DIR.resolve("easy_sample_codes.npy")).data()) < 1e-6);
    }

    /** InterFaceGAN's easy_sample (np.random.seed(4), randn, preprocess): our seeded codes on a sphere generator are its codes. */
    @Test
    void seededCodesAreEasySamples() {
        try (PointerScope scope = new PointerScope()) {
            Generator g = Generator.open(DIR.resolve("pggan_hammer_64.pth").toString());
            Latents lat = Latents.fromSeed(g, LatentSpace.Z, 4, 4, 1.0, 1);
            assertTrue(relErr(lat.codes(), Npy.read(DIR.resolve("easy_sample_codes.npy")).data()) < 1e-6, "easy_sample codes");
            assertTrue(lat.origin().contains("sqrt(d)"), lat.origin());
        }
    }
}
