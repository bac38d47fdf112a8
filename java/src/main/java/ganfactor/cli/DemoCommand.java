package ganfactor.cli;

import ganfactor.generator.DemoGenerator;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.io.Json;
import ganfactor.io.OutputDir;
import ganfactor.jacobian.GramPair;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.region.Region;
import ganfactor.region.View;
import ganfactor.render.Images;
import ganfactor.torch.Torch;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * End to end on the built-in demo generator. For now (the discovery stage is not built yet) it
 * runs the Jacobian stage on the eye and mouth regions and checks the Grams against the planted
 * ground truth: the Rayleigh quotient n^T A n / n^T B n of the planted part directions against
 * that of random directions.
 */
@Command(name = "demo", description = "Run the main job on the built-in demo generator and report (Jacobian stage).")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "ganfactor-demo", description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--seed", defaultValue = "4", description = "latent seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", defaultValue = "0", description = "CPU threads (0 = all cores)")
    int threads;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Override
    public Integer call() {
        ganfactor.Engine.init(threads);
        long t0 = System.nanoTime();
        Generator g = Generator.demo().to(org.bytedeco.pytorch.global.torch.ScalarType.Float);
        Latents lat = Latents.fromSeed(g, LatentSpace.W, seed, 1, 1.0, g.numLayers());
        View view = new View(256, View.Reduce.SUM, g.channels(), g.height(), g.width());
        List<Region> rs = JacobianCommand.parseRegions(List.of("eyes", "mouth"), view.grid(), g);
        JacobianEngine.Options o = new JacobianEngine.Options();
        o.progress = TerminalProgress.auto(quiet);
        o.cancelled = Main.CANCELLED::get;
        try (OutputDir dir = new OutputDir(out, true)) {
            JacobianCommand.Run run = JacobianCommand.run(g, lat, view, rs, o, dir, false);
            BufferedImage img;
            try (NoGradGuard ng = new NoGradGuard()) {
                Tensor x = Torch.of(lat.row(0), 1, lat.dim()).to(g.dtype());
                img = Images.toImage(Torch.toFloats(g.synthesis(g.toWp(x, LatentSpace.W))), 0, g.channels(), g.height(), g.width());
            }
            Color[] colors = {Color.CYAN, Color.MAGENTA};
            for (int i = 0; i < rs.size(); i++) {
                Images.drawRegion(img, rs.get(i), colors[i % colors.length]);
                Images.write(Images.mask(rs.get(i)), dir.file("mask_" + rs.get(i).name() + ".png"));
            }
            Images.write(img, dir.file("sample.png"));
            double[] q = Torch.toDoubles(g.tensorAttr("planted_basis"));
            Map<String, Object> report = new LinkedHashMap<>();
            System.out.printf("demo generator: d = %d, L = %d, 3x256x256; W space, seed %d; Jacobian %.2f s (%d JVP columns per pass)%n",
                    g.latentDim(), g.numLayers(), seed, run.secondsTotal(), run.chunk());
            System.out.println("planted check: mean Rayleigh quotient n'An / n'Bn of each latent block's directions");
            for (int r = 0; r < rs.size(); r++) {
                GramPair gp = run.grams().get(0).get(r);
                Map<String, Object> row = new LinkedHashMap<>();
                StringBuilder line = new StringBuilder(String.format("  %-6s", gp.region()));
                for (int blk = 0; blk < DemoGenerator.BLOCKS.size(); blk++) {
                    double num = 0, den = 0;
                    for (int k = 0; k < DemoGenerator.BLOCK; k++) {
                        int rowi = blk * DemoGenerator.BLOCK + k;
                        num += quad(gp.a(), q, rowi, gp.dim());
                        den += quad(gp.b(), q, rowi, gp.dim());
                    }
                    double ratio = num / Math.max(den, 1e-300);
                    row.put(DemoGenerator.BLOCKS.get(blk), ratio);
                    line.append(String.format("  %s %.3g", DemoGenerator.BLOCKS.get(blk), ratio));
                }
                report.put(gp.region(), row);
                System.out.println(line);
            }
            Map<String, Object> rec = JacobianCommand.record(g, lat, view, rs, o, run);
            rec.put("planted_rayleigh_quotients", report);
            dir.writeString("jacobian.json", Json.write(rec));
            dir.commit();
            System.out.printf("wrote %s (sample.png with the regions, masks, Grams, jacobian.json) in %.1f s%n", dir.target(), (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }

    private static double quad(double[] m, double[] q, int row, int d) {
        double s = 0;
        for (int i = 0; i < d; i++) {
            double qi = q[row * d + i];
            if (qi == 0) continue;
            for (int j = 0; j < d; j++) s += qi * m[i * d + j] * q[row * d + j];
        }
        return s;
    }
}
