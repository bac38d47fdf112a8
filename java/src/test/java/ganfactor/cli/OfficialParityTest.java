package ganfactor.cli;

import ganfactor.Engine;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.io.JsonReader;
import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import ganfactor.method.Directions;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Golden tests against the official NVlabs StyleGAN2 and ReSeFa code, on the random 64 px
 * generator of ../shared/fixtures/official-stylegan2 (see its README for how the data was made).
 * They run in CI: there a missing fixture is a failure, not a skip.
 *
 * <p>Tolerances are the fixture README's for a faithful float32 implementation: mapping and
 * images 1e-5 relative to the largest value (the official code and rosinality's differ by 5e-7);
 * Grams 1e-5 relative (the bar; both sides hold float32 Jacobians, measured 1.2e-6 here);
 * top-5 directions |cos| >= 0.9999.
 */
class OfficialParityTest {
    @TempDir
    Path tmp;

    /** Official boxes [center_row, center_col, height, width] on the 64 grid (fixture README). */
    static final String BOX1 = "[29, 33, 9, 27]", BOX2 = "[48, 32, 12, 30]";

    static Path fixture() {
        Path base = ganfactor.TestSupport.fixtures();
        Path f = base == null ? null : base.resolve("official-stylegan2");
        boolean present = f != null && Files.isRegularFile(f.resolve("G_nvlabs_64.safetensors"));
        ganfactor.TestSupport.requirePresent(present, "../shared/fixtures/official-stylegan2 beside the checkout (golden data of the official code)");
        return f;
    }

    static double relErr(double[] got, double[] ref) {
        return ganfactor.TestSupport.maxAbsDiff(got, ref) / ganfactor.TestSupport.maxAbs(ref);
    }

    @Test
    void mappingAndImagesMatchTheNvlabsCode() {
        Path f = fixture();
        Engine.init(0);
        NpyArray z = Npy.read(f.resolve("z.npy")), wNv = Npy.read(f.resolve("w_nv.npy")), wp = Npy.read(f.resolve("wp.npy")), mix = Npy.read(f.resolve("wpmix.npy"));
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Generator g = Generator.open(f.resolve("G_nvlabs_64.safetensors").toString());
            assertEquals(64, g.height());
            assertEquals(10, g.numLayers());
            Tensor zt = Torch.of(z.data(), z.shape()).to(torch.ScalarType.Float);
            double mapErr = relErr(Torch.toDoubles(g.mapping(zt)), wNv.data());
            double zErr = relErr(Torch.toDoubles(g.synthesis(g.toWp(zt, LatentSpace.Z))), Npy.read(f.resolve("img_z_nv.npy")).data());
            double wErr = relErr(Torch.toDoubles(g.synthesis(Torch.of(wp.data(), wp.shape()).to(torch.ScalarType.Float))), Npy.read(f.resolve("img_w_nv.npy")).data());
            double mixErr = relErr(Torch.toDoubles(g.synthesis(Torch.of(mix.data(), mix.shape()).to(torch.ScalarType.Float))), Npy.read(f.resolve("img_mix_nv.npy")).data());
            System.out.printf("official parity: mapping %.2e, images from z %.2e, w %.2e, mixed W+ %.2e (max |diff| / max |ref|)%n", mapErr, zErr, wErr, mixErr);
            assertTrue(mapErr < 1e-5, "mapping " + mapErr);
            assertTrue(zErr < 1e-5, "images from z " + zErr);
            assertTrue(wErr < 1e-5, "images from w " + wErr);
            assertTrue(mixErr < 1e-5, "images from mixed W+ " + mixErr);
        }
    }

    /**
     * The default `jacobian` (no --grid/--reduce: 64 px keeps R, G, B as rows at 64 x 64, the
     * official rule) reproduces the official Grams of both boxes; the saved Jacobian has the
     * official layout [N, 3, H, W, 1, D], and indexing it as compute_direction.py does (5-D
     * sample, [:, rows, cols, 0]) gives the same Grams.
     */
    @Test
    void defaultJacobianReproducesTheOfficialGrams() throws Exception {
        Path f = fixture();
        Path out = tmp.resolve("j");
        CliRun r = CliRun.run("jacobian", "--model", f.resolve("G_nvlabs_64.safetensors").toString(), "--latents", f.resolve("resefa_latent_codes.npy").toString(),
                "--region", "box1=" + BOX1, "--region", "box2=" + BOX2, "--save-jacobian", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        @SuppressWarnings("unchecked") Map<String, Object> rec = (Map<String, Object>) JsonReader.parse(Files.readString(out.resolve("jacobian.json")));
        @SuppressWarnings("unchecked") Map<String, Object> view = (Map<String, Object>) rec.get("view");
        assertEquals("none", view.get("reduce"));
        assertEquals(64, ((Number) view.get("grid")).intValue());
        assertTrue(String.valueOf(view.get("chosen_by")).startsWith("default rule"), view.toString());
        assertTrue(String.valueOf(rec.get("conv_clamp")).contains("unknown/assumed none"), String.valueOf(rec.get("conv_clamp")));

        NpyArray jac = Npy.read(out.resolve("jacobian.npy"));
        assertArrayEquals(new long[]{1, 3, 64, 64, 1, 512}, jac.shape(), "the official layout [N, 3, H, W, 1, D]");
        for (String box : new String[]{"box1", "box2"}) {
            double[] a = Npy.read(out.resolve(box + "_A.npy")).data(), b = Npy.read(out.resolve(box + "_B.npy")).data();
            double ea = relErr(a, Npy.read(f.resolve("resefa_" + box + "_A.npy")).data());
            double eb = relErr(b, Npy.read(f.resolve("resefa_" + box + "_B.npy")).data());
            System.out.printf("official parity: %s default-view Grams A %.2e, B %.2e (max |diff| / max |ref|)%n", box, ea, eb);
            assertTrue(ea < 1e-5 && eb < 1e-5, box + ": A " + ea + ", B " + eb);
        }
        // compute_direction.py's reading of the file: image_size = shape[2], Jacobian[ind] is 5-D,
        // rows J[:, r, c, 0] for the mask pixels, reshaped to [-1, D]; its Gram must be ours
        int[] box = {29, 33, 9, 27};
        assertEquals(64, jac.shape()[2]);
        double[] ours = Npy.read(out.resolve("box1_A.npy")).data();
        double[] theirs = officialForegroundGram(jac, box);
        assertTrue(relErr(theirs, ours) < 1e-6, "the file read the official way gives our Gram: " + relErr(theirs, ours));
    }

    /** A = J_R^T J_R / rows(R) as the official script forms it from a [1, C, G, G, 1, D] file. */
    static double[] officialForegroundGram(NpyArray jac, int[] box) {
        long[] s = jac.shape();
        int c = (int) s[1], gsz = (int) s[2], d = (int) s[5];
        int r0 = box[0] - box[2] / 2, c0 = box[1] - box[3] / 2;
        double[] j = jac.data();
        double[] a = new double[d * d];
        int rows = 0;
        for (int ch = 0; ch < c; ch++)
            for (int r = r0; r < r0 + box[2]; r++)
                for (int col = c0; col < c0 + box[3]; col++) {
                    int base = ((ch * gsz + r) * gsz + col) * d;
                    for (int p = 0; p < d; p++) {
                        double v = j[base + p];
                        for (int q = 0; q < d; q++) a[p * d + q] += v * j[base + q];
                    }
                    rows++;
                }
        for (int i = 0; i < a.length; i++) a[i] /= rows;
        return a;
    }

    /**
     * `discover` with its defaults gives the official compute_direction.py top-5 directions for
     * both boxes (|cos| >= 0.9999: the official solve is eig(inv(B) A) in float32, ours a
     * Cholesky-reduced symmetric solve in float64; the eigenvalue gaps of the top 5 keep both
     * well inside that bound), and --official-files writes the official names and shapes.
     */
    @Test
    void defaultDiscoverGivesTheOfficialTopDirections() throws Exception {
        Path f = fixture();
        Path out = tmp.resolve("d");
        CliRun r = CliRun.run("discover", "--model", f.resolve("G_nvlabs_64.safetensors").toString(), "--latents", f.resolve("resefa_latent_codes.npy").toString(),
                "--region", "box1=" + BOX1, "--region", "box2=" + BOX2, "--official-files", "--show", "1", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        for (String box : new String[]{"box1", "box2"}) {
            NpyArray ours = Npy.read(out.resolve(box + "/directions.npy"));
            NpyArray ref = Npy.read(f.resolve("resefa_" + box + "_official_directions_top8.npy"));
            double[] cos = new double[5];
            for (int i = 0; i < 5; i++) cos[i] = Directions.absCos(row(ours, i), row(ref, i));
            System.out.printf("official parity: %s default discover top-5 |cos| with the official directions %s%n", box, Arrays.toString(cos));
            for (int i = 0; i < 5; i++) assertTrue(cos[i] >= 0.9999, box + " direction " + i + ": |cos| " + cos[i]);
            NpyArray official = Npy.read(out.resolve("image_00_region_" + box + "_name_resefa.npy"));
            assertArrayEquals(new long[]{512, 512}, official.shape(), "all d directions, as compute_direction.py saves them");
            assertTrue(Files.exists(out.resolve("image_00_region_" + box + "_name_resefa_mask.png")));
            assertEquals(1.0, Directions.absCos(row(official, 0), row(ours, 0)), 1e-6);
        }
    }

    static double[] row(NpyArray a, int i) {
        int d = (int) a.shape()[1];
        return Arrays.copyOfRange(a.data(), i * d, (i + 1) * d);
    }
}
