package ganfactor.cli;

import ganfactor.edit.Locality;
import ganfactor.generator.DemoGenerator;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.io.OutputDir;
import ganfactor.method.Directions;
import ganfactor.pipeline.Discovery;
import ganfactor.pipeline.RunRecord;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The main job, end to end on the built-in demo generator: ReSeFa directions for the eyes and
 * the mouth of one image (W space, seed 4, the full 256 x 256 Jacobian view), edits along the
 * top directions, grids and locality reports, and a check against the planted ground truth: how
 * much of each top direction lies in the latent block that draws that part.
 */
@Command(name = "demo", description = "Discover eye and mouth directions on the built-in demo generator: grids, locality reports, planted check.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "ganfactor-demo", description = "output folder; an earlier demo output there is replaced (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--force", description = "replace an earlier ganfactor output folder of another command; a folder holding any file ganfactor did not write is never replaced")
    boolean force;

    @Option(names = "--seed", defaultValue = "4", description = "latent seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--method", defaultValue = "resefa", description = "resefa or lowrankgan (default: ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--threads", defaultValue = "0", description = "CPU threads (0 = all cores)")
    int threads;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @picocli.CommandLine.Mixin DeviceOption device;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ganfactor.Engine.init(threads);
        ganfactor.torch.ComputeDevice dev = device.device();
        long t0 = System.nanoTime();
        Generator g = Generator.demo().to(org.bytedeco.pytorch.global.torch.ScalarType.Float).to(dev);
        Latents lat = Latents.fromSeed(g, LatentSpace.W, seed, 1, 1.0, g.numLayers());
        View view = View.defaultFor(g.channels(), g.height(), g.width());   // the official rule: 3 x 256 x 256 rows for the demo
        List<Region> rs = Regions.parseAll(List.of("eyes", "mouth"), view.grid(), g, false);
        MethodOptions mo = new MethodOptions();
        mo.method = method;
        // The demo's eyes stay inside the eyes box, so B is singular there (see the README):
        // ask for the paper's regularisation up front rather than falling back with a warning.
        mo.regularize = "paper";
        mo.eps = 1e-3;
        mo.tau = 1e-3;
        mo.path = "auto";
        mo.k = 0;
        mo.device = dev;
        Discovery.Settings s = new Discovery.Settings();
        s.solver = mo.solver();
        s.progress = TerminalProgress.auto(quiet);
        s.cancellation = Main.CANCEL;
        RunRecord rec = RunRecord.of("ganfactor demo");
        // without --force only the demo's own earlier output is replaced (the manifest says which command wrote a folder)
        try (OutputDir dir = OutputOptions.open(out, force || "ganfactor demo".equals(OutputDir.writtenBy(out)), "ganfactor demo", spec.commandLine().getErr())) {
            Discovery.Report rep = Discovery.run(g, lat, view, rs, s, dir);
            lat.save(dir.file("latents.npy"), g);
            System.out.printf(Locale.ROOT, "demo generator: d = %d, L = %d, 3x256x256; W space, seed %d; %s with the paper's regularisation (eps 1e-3)%n",
                    g.latentDim(), g.numLayers(), seed, s.solver.name());
            System.out.printf(Locale.ROOT, "Jacobian %.2f s (%,d x %d: %s, both regions from one pass), solve %.3f s, edits and pictures %.2f s%n",
                    rep.jacobianSeconds(), view.rows(), lat.dim(), view.reduce() == View.Reduce.NONE ? "R, G, B rows at 256 x 256, the official rule" : "256 x 256, RGB " + view.reduce().label(),
                    rep.solveSeconds(), rep.editSeconds());
            double[] q = DemoGenerator.plantedBasis(g);
            Map<String, Object> planted = new LinkedHashMap<>();
            for (Discovery.Outcome o : rep.outcomes()) {
                Directions d = o.directions();
                double[] share = DemoGenerator.blockShares(q, d.row(0), d.dim());
                int best = 0;
                for (int b = 1; b < share.length; b++) if (share[b] > share[best]) best = b;
                Locality.Measurement top = o.locality().isEmpty() ? null : o.locality().get(0);
                System.out.printf(Locale.ROOT, "  %-6s top direction: %.1f%% in the planted '%s' block; inside/outside MSE ratio %s (random direction: %s)%n",
                        o.region(), 100 * share[best], DemoGenerator.BLOCKS.get(best), top == null ? "-" : Locality.formatRatio(top.ratio()),
                        o.baseline() == null ? "-" : Locality.formatRatio(o.baseline().ratio()));
                Map<String, Object> m = new LinkedHashMap<>();
                for (int b = 0; b < share.length; b++) m.put(DemoGenerator.BLOCKS.get(b), share[b]);
                planted.put(o.region(), m);
            }
            DiscoverCommand.record(rec, g, lat, view, rs, s, rep).put("planted_block_share_of_top_direction", planted);
            dir.writeString("discover.json", rec.json());
            dir.commit();
            System.out.printf(Locale.ROOT, "wrote %s: eyes/ and mouth/ with grid_0..2.png (rows: sample, columns: strengths -10..10), locality_0..2.png, locality.csv, directions.npy; discover.json (%.1f s in all)%n",
                    out, (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }
}
