package ganfactor.pipeline;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.generator.Latents;
import ganfactor.io.Npy;
import ganfactor.io.OutputDir;
import ganfactor.jacobian.GramPair;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.region.Region;
import ganfactor.region.View;
import ganfactor.torch.Torch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The Jacobian stage on its own ({@code ganfactor jacobian}): Gram pairs of every sample and region, written as files. */
public final class GramJob {
    private GramJob() {}

    public record Run(List<List<GramPair>> grams, List<Double> secondsPerSample, int chunk, int blocks, JacobianEngine.Budget budget, long passes) {
        public double secondsTotal() { return secondsPerSample.stream().mapToDouble(Double::doubleValue).sum(); }
    }

    /**
     * Computes every sample's Gram pairs and writes {@code <region>_A.npy} and {@code _B.npy}
     * [N, D, D] float64, {@code latents.npy}, and with {@code saveJacobian} the Jacobian itself in
     * the official compute_jacobian.py layout ({@code jacobian.npy}, float32, streamed block by
     * block) into {@code dir} (not committed). A non-finite Gram is refused (the generator
     * overflowed at that code).
     */
    public static Run run(Generator g, Latents lat, View view, List<Region> rs, JacobianEngine.Options options, OutputDir dir, boolean saveJacobian) {
        JacobianEngine.Options o = options.copy();
        int D = lat.dim();
        List<List<GramPair>> all = new ArrayList<>();
        List<Double> secs = new ArrayList<>();
        long passes = 0;
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
                passes += res.passes();
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
                GramPair.Host gp = all.get(i).get(r).toHost();   // host Grams (not asked for on the device): no copy
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
        return new Run(all, secs, chunkUsed, blocks, budget, passes);
    }

    /** jacobian.json: the regions with their row counts and files, the normalisation, the engine's settings and the times. */
    public static RunRecord record(Generator g, Latents lat, View view, List<Region> rs, JacobianEngine.Options o, GramJob.Run run) {
        RunRecord rec = RunRecord.of("ganfactor jacobian").generator(g).latents(lat).put("view", view.describe());
        rec.put("regions", rs.stream().map(r -> {
            Map<String, Object> m = RunRecord.ordered("name", r.name(), "origin", r.origin());
            if (r.box() != null) m.put("box", r.box());
            m.put("inside_rows", (long) r.count() * view.viewChannels());
            m.put("outside_rows", (long) (view.pixels() - r.count()) * view.viewChannels());
            m.put("files", List.of(r.name() + "_A.npy", r.name() + "_B.npy"));
            return m;
        }).toList());
        rec.put("normalisation", "A = J_R^T J_R / |R|, B = J_R'^T J_R' / |R'|, float64; J^T J = |R| A + |R'| B");
        Map<String, Object> eng = RunRecord.ordered("mode", o.mode.label(), "chunk", run.chunk(), "pixel_blocks", run.blocks(),
                "memory_budget_bytes", run.budget() == null ? o.memoryBudget : run.budget().bytes());
        if (run.budget() != null) eng.put("memory_budget", run.budget().source());
        eng.put("threads", org.bytedeco.pytorch.global.torch.get_num_threads());
        eng.put("work", Work.jacobian(g, lat.space(), lat.dim(), view.rows(), rs.size(), run.passes(), lat.count(), run.secondsTotal()));
        rec.put("engine", eng);
        rec.put("seconds_per_sample", run.secondsPerSample());
        rec.put("seconds_total", run.secondsTotal());
        return rec;
    }
}
