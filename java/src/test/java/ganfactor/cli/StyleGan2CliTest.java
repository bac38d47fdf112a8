package ganfactor.cli;

import ganfactor.Engine;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.io.Json;
import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Jacobian engine and discover on randomly initialised StyleGAN2 generators at 256 and 1024 px.
 * Channels are cut (channel base 512 or 1024, at most 16) and z = w = 16 or 8 so that the suite
 * stays within CI's 2 cores; the architecture, resampling and the 1024 -> 256 view are the real ones.
 */
class StyleGan2CliTest {
    @TempDir
    Path tmp;

    static final String M256 = "stylegan2:256:cbase=512:cmax=16:zdim=16:map=2:seed=3";
    static final String M1024 = "stylegan2:1024:cbase=1024:cmax=2:zdim=8:map=2:seed=5";

    /**
     * The reference's Jacobian view of a 1024 px model: nearest resize to 256 (pixels (4i, 4j)) and
     * RGB summed. The engine's view rows must equal full-resolution JVP columns read at those pixels
     * and summed over RGB. float64: both are the same tangent numbers, picked and added in a
     * different order, so 1e-12 relative.
     */
    @Test
    void view1024IsTheNearestDownsampleWithRgbSummed() {
        Engine.init(0);
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Generator g = Generator.open(M1024).to(torch.ScalarType.Double);
            assertEquals(1024, g.height());
            int D = g.latentDim();
            double[] x = Torch.toDoubles(torch.randn(new long[]{D}, Torch.options(torch.ScalarType.Double)));
            View view = new View(256, View.Reduce.SUM, 3, 1024, 1024);
            List<Region> regions = List.of(Regions.parse("ffhq:eyes", 256, g));
            JacobianEngine.Options o = new JacobianEngine.Options();
            o.chunk = 4;
            List<double[]> blocks = new ArrayList<>();
            o.sink = (p0, block) -> blocks.add(Torch.toDoubles(block)); // host copies: the engine frees its blocks
            JacobianEngine.Result r = JacobianEngine.compute(g, x, LatentSpace.W, view, regions, o);
            assertEquals(65536, r.rows());
            double[] jd = new double[65536 * D];
            int off = 0;
            for (double[] b : blocks) { System.arraycopy(b, 0, jd, off, b.length); off += b.length; }
            Tensor J = Torch.of(jd, 65536, D);

            Tensor X = Torch.of(x, 1, D).expand(D, D).contiguous();
            Tensor V = torch.eye(D, Torch.options(torch.ScalarType.Double));
            Tensor empty = torch.zeros(new long[]{0}, Torch.options(torch.ScalarType.Long));
            long level = torch.enter_dual_level();
            Tensor full;
            try {
                full = g.call("gf_jvp", X, V, LatentSpace.W.code(), empty, empty, 2, level); // [D, 3 * 1024 * 1024]
            } finally {
                torch.exit_dual_level(level);
            }
            Tensor picked = full.reshape(D, 3, 1024, 1024).slice(2, new org.bytedeco.pytorch.LongOptional(0), new org.bytedeco.pytorch.LongOptional(1024), 4)
                    .slice(3, new org.bytedeco.pytorch.LongOptional(0), new org.bytedeco.pytorch.LongOptional(1024), 4).sum(new long[]{1}, false, new org.bytedeco.pytorch.ScalarTypeOptional())
                    .reshape(D, 65536).t();
            double scale = picked.abs().max().item_double();
            assertTrue(scale > 1e-6, "non-trivial Jacobian");
            double err = J.sub(picked).abs().max().item_double() / scale;
            assertTrue(err < 1e-12, "view rows vs full-resolution columns at (4i, 4j), RGB summed: " + err);
            // and J^T J = |R| A + |R'| B on this model
            Tensor jtj = J.t().mm(J);
            double[] a = r.grams().get(0).toHost().a(), b = r.grams().get(0).toHost().b();
            double[] want = Torch.toDoubles(jtj);
            double m = 0, s = 0;
            for (int i = 0; i < want.length; i++) {
                double v = r.grams().get(0).inside() * a[i] + r.grams().get(0).outside() * b[i];
                m = Math.max(m, Math.abs(v - want[i]));
                s = Math.max(s, Math.abs(want[i]));
            }
            assertTrue(m / s < 1e-12, "J^T J identity: " + m / s);
        }
    }

    @Test
    void discoverRunsOn256And1024() throws Exception {
        for (String model : new String[]{M256, M1024}) {
            Path out = tmp.resolve(model.contains("1024") ? "d1024" : "d256");
            CliRun r = CliRun.run("discover", "--model", model, "--region", "ffhq:eyes", "--region", "ffhq:mouth", "--show", "1",
                    "--strengths", "-3,0,3", "--out", out.toString(), "--quiet");
            assertEquals(0, r.code(), r.err());
            int d = model.contains("1024") ? 8 : 16;
            for (String reg : new String[]{"eyes", "mouth"}) {
                NpyArray dirs = Npy.read(out.resolve(reg + "/directions.npy"));
                assertArrayEquals(new long[]{d, d}, dirs.shape());
                assertTrue(Files.exists(out.resolve(reg + "/grid_0.png")));
                assertTrue(Files.exists(out.resolve(reg + "/locality.csv")));
            }
            String json = Files.readString(out.resolve("discover.json"));
            assertTrue(json.contains("\"grid\": 256"), json);
            // the official default view: a 256 px output keeps R, G, B as rows, a 1024 px one is summed
            assertTrue(json.contains(model.contains("1024") ? "\"reduce\": \"sum\"" : "\"reduce\": \"none\""), json);
            assertTrue(json.contains("\"chunk\": "), "the Jacobian chunk is recorded: " + json);
            assertTrue(json.contains(model.contains("1024") ? "[3, 1024, 1024]" : "[3, 256, 256]"), json);
            assertTrue(json.contains("\"num_layers\": " + (model.contains("1024") ? 18 : 14)), json);
        }
    }
}
