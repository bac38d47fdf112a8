package ganfactor.cli;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.generator.Latents;
import ganfactor.io.Json;
import ganfactor.io.Npy;
import ganfactor.io.OutputDir;
import ganfactor.jacobian.GramPair;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.jacobian.Mode;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import ganfactor.torch.Torch;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "jacobian", description = {
        "Exact region Gram matrices A = J_R^T J_R / |R| and B = J_R'^T J_R' / |R'| of the Jacobian view, per region and sample.",
        "Writes <region>_A.npy and <region>_B.npy [N, D, D] float64, latents.npy and jacobian.json into --out."})
final class JacobianCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin ViewOptions viewOptions;

    @Option(names = "--region", required = true, description = "region: cr,cc,h,w | preset | ffhq:preset | mask:part | mask.png | mask.npy, optionally NAME=...; repeat for several")
    List<String> regions;

    @Mixin JacobianOptions jacobianOptions;

    @Option(names = "--save-jacobian", description = "also write jacobian.npy in the official layout: [N, C, G, G, 1, D] float32 with the channels as rows (--reduce none), [N, G, G, 1, D] when reduced")
    boolean saveJacobian;

    @picocli.CommandLine.Mixin OutputOptions output;

    @Override
    public Integer call() {
        Generator g = common.openGenerator();
        Latents lat = common.latents(g);
        View view = viewOptions.view(g);
        List<Region> rs = Regions.parseAll(regions, view.grid(), g, viewOptions.unscaledPresets);
        JacobianEngine.Options o = jacobianOptions.engineOptions();
        o.progress = TerminalProgress.auto(common.quiet);
        o.cancelled = Main.CANCEL;
        try (OutputDir dir = output.open("ganfactor jacobian")) {
            Run run = run(g, lat, view, rs, o, dir, saveJacobian);
            Map<String, Object> rec = record(g, lat, view, rs, o, run);
            dir.writeString("jacobian.json", Json.write(rec));
            dir.commit();
            System.out.printf("%d sample(s) x %d region(s), %s space, D = %d, view %dx%d (%s), %s mode: %.2f s%n",
                    lat.count(), rs.size(), lat.space().label(), lat.dim(), view.grid(), view.grid(), view.reduce().label(), o.mode.label(), run.secondsTotal());
            for (Region r : rs)
                System.out.printf("  %-12s |R| = %-6d |R'| = %-6d  %s%n", r.name(), r.count() * view.viewChannels(), (view.pixels() - r.count()) * view.viewChannels(), r.origin());
            System.out.println("wrote " + dir.target());
        }
        return 0;
    }

    record Run(List<List<GramPair>> grams, List<Double> secondsPerSample, int chunk, int blocks, JacobianEngine.Budget budget) {
        double secondsTotal() { return secondsPerSample.stream().mapToDouble(Double::doubleValue).sum(); }
    }

    /** Computes every sample's Gram pairs and writes the .npy files into {@code dir}. */
    static Run run(Generator g, Latents lat, View view, List<Region> rs, JacobianEngine.Options o, OutputDir dir, boolean saveJacobian) {
        int D = lat.dim();
        List<List<GramPair>> all = new ArrayList<>();
        List<Double> secs = new ArrayList<>();
        int chunkUsed = 0, blocks = 0;
        JacobianEngine.Budget budget = null;
        Npy.Writer jw = null;
        boolean complete = false;
        try {
            if (saveJacobian) {
                // the official compute_jacobian.py layout: torch.autograd.functional.jacobian of an
                // image [1, C, H, W] (or the summed [1, 256, 256]) by a code [1, D], samples concatenated;
                // the engine's rows are (c, row, col) in that order, so the bytes need no reordering
                long[] shape = view.viewChannels() == 1
                        ? new long[]{lat.count(), view.grid(), view.grid(), 1, D}
                        : new long[]{lat.count(), view.viewChannels(), view.grid(), view.grid(), 1, D};
                jw = new Npy.Writer(dir.file("jacobian.npy"), "<f4", shape);
                final Npy.Writer w = jw;
                o.sink = (p0, block) -> {
                    float[] f = Torch.toFloats(block);
                    w.write(f, 0, f.length);
                };
            }
            for (int i = 0; i < lat.count(); i++) {
                JacobianEngine.Result res = JacobianEngine.compute(g, lat.row(i), lat.space(), view, rs, o);
                all.add(res.grams());
                secs.add(res.seconds());
                chunkUsed = res.chunk();
                budget = res.budget();
                blocks = res.pixelBlocks();
            }
            complete = true;
        } finally {
            // a cancelled or failed run must surface its own error, not the writer's count check
            if (jw != null) {
                if (complete) jw.close(); else jw.abandon();
            }
        }
        for (int r = 0; r < rs.size(); r++) {
            double[] a = new double[lat.count() * D * D], b = new double[lat.count() * D * D];
            for (int i = 0; i < lat.count(); i++) {
                GramPair gp = all.get(i).get(r);
                System.arraycopy(gp.a(), 0, a, i * D * D, D * D);
                System.arraycopy(gp.b(), 0, b, i * D * D, D * D);
                for (int q = i * D * D; q < (i + 1) * D * D; q++)
                    if (!Double.isFinite(a[q]) || !Double.isFinite(b[q]))
                        throw new InputException("the Jacobian of sample " + i + " (" + lat.origin() + ") is not finite: the generator overflows at this code");
            }
            Npy.writeFloat64(dir.file(rs.get(r).name() + "_A.npy"), a, lat.count(), D, D);
            Npy.writeFloat64(dir.file(rs.get(r).name() + "_B.npy"), b, lat.count(), D, D);
        }
        lat.save(dir.file("latents.npy"), g);
        return new Run(all, secs, chunkUsed, blocks, budget);
    }

    static Map<String, Object> record(Generator g, Latents lat, View view, List<Region> rs, JacobianEngine.Options o, Run run) {
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("tool", "ganfactor jacobian");
        rec.put("created", Instant.now().toString());
        rec.put("model", g.source());
        rec.put("generator", Map.of("latent_dim", g.latentDim(), "num_layers", g.numLayers(), "output", List.of(g.channels(), g.height(), g.width()),
                "precision", g.dtype().toString().toLowerCase()));
        rec.put("space", lat.space().label());
        rec.put("dim", lat.dim());
        rec.put("latents", lat.origin());
        rec.put("samples", lat.count());
        rec.put("view", view.describe());
        rec.put("conv_clamp", g.convClampRecord());
        List<Object> regs = new ArrayList<>();
        for (Region r : rs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            m.put("origin", r.origin());
            if (r.box() != null) m.put("box", r.box());
            m.put("inside_rows", (long) r.count() * view.viewChannels());
            m.put("outside_rows", (long) (view.pixels() - r.count()) * view.viewChannels());
            m.put("files", List.of(r.name() + "_A.npy", r.name() + "_B.npy"));
            regs.add(m);
        }
        rec.put("regions", regs);
        rec.put("normalisation", "A = J_R^T J_R / |R|, B = J_R'^T J_R' / |R'|, float64; J^T J = |R| A + |R'| B");
        Map<String, Object> eng = new LinkedHashMap<>();
        eng.put("mode", o.mode.label());
        eng.put("chunk", run.chunk());
        eng.put("pixel_blocks", run.blocks());
        eng.put("memory_budget_bytes", run.budget() == null ? o.memoryBudget : run.budget().bytes());
        if (run.budget() != null) eng.put("memory_budget", run.budget().source());
        eng.put("threads", org.bytedeco.pytorch.global.torch.get_num_threads());
        rec.put("engine", eng);
        rec.put("seconds_per_sample", run.secondsPerSample());
        rec.put("seconds_total", run.secondsTotal());
        rec.put("versions", ganfactor.Engine.info());
        return rec;
    }
}
