package ganfactor.pipeline;

import ganfactor.edit.Editor;
import ganfactor.edit.Locality;
import ganfactor.generator.Generator;
import ganfactor.generator.Latents;
import ganfactor.io.OutputDir;
import ganfactor.jacobian.GramPair;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.jacobian.Progress;
import ganfactor.method.Directions;
import ganfactor.method.ReSeFa;
import ganfactor.region.Region;
import ganfactor.region.View;
import ganfactor.render.Chart;
import ganfactor.render.Grid;
import ganfactor.render.Images;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The discovery pipeline: latent codes -> Jacobian Grams of every region (one pass per sample for
 * all regions; the engine hands out the region rows a fast solve needs) -> {@link Solver} (per
 * sample, or once for the mean Gram) -> edits of the first directions over a range of strengths ->
 * grid PNGs and locality reports (with a random direction as the baseline) -> files -> a {@link
 * Report}. The command line ({@code discover}, {@code demo}), the benchmarks and any other front end
 * call {@link #run} alike; cancellation, progress, notes and spans come in as the {@link Settings}'
 * {@link RunContext}.
 *
 * <p>Layout under the output folder, per region: {@code <region>/mask.png}, and per result
 * (the single sample, the aggregate, or {@code sample_<i>/} when several samples are solved
 * separately) {@code directions.npy} [k, d] float32, {@code eigenvalues.npy}, {@code
 * grid_<j>.png}, {@code locality_<j>.png}, {@code locality.csv}.
 */
public final class Discovery {

    /** What to run; every field has a usable default except {@link #solver}. */
    public static final class Settings {
        public Solver solver;
        /** The registry request the solver was built from (for the record; null: not from the registry). */
        public MethodRequest request;
        /** One solve for the mean of all samples' Grams instead of one per sample. */
        public boolean aggregate;
        /** Directions rendered and measured per result. */
        public int show = 3;
        /** Edit strengths; null = the solver's {@link Solver#defaultStrengths()}. */
        public double[] strengths;
        public Editor.Settings edit = Editor.Settings.defaults();
        public int cell = 128;
        public boolean baseline = true;
        /** Also write the official compute_direction.py files: image_XX_region_R_name_METHOD.npy [d, d] and _mask.png per sample. */
        public boolean officialFiles;
        public long baselineSeed = 0x5EED;
        public JacobianEngine.Options jacobian = new JacobianEngine.Options();
        /** Cancellation, progress, notes and the run's spans (Jacobian passes, solves, edits, writing). */
        public RunContext context = RunContext.QUIET;

        public double[] strengths() {
            return strengths != null ? strengths : solver.defaultStrengths();
        }
    }

    /** What one solve produced, for printing and the JSON record. */
    public record Outcome(String region, String label, Directions directions, List<Locality.Measurement> locality, Locality.Measurement baseline) {}

    public record Report(List<Outcome> outcomes, double jacobianSeconds, double solveSeconds, double editSeconds, List<Map<String, Object>> record,
                         int jacobianChunk, JacobianEngine.Budget budget, long jacobianPasses) {}

    private Discovery() {}

    /** Grams and kept region rows of every sample (outer list) and region (inner list). */
    private record Stage(List<List<GramPair>> grams, List<List<Tensor>> rows, int chunk, JacobianEngine.Budget budget, long nanos, long passes) {}

    /** One solve to do: the samples it covers, its Grams and rows, its label and folder. */
    private record Job(int[] samples, GramPair grams, Tensor rows, String label, String prefix) {}

    /** One solve of a discovery: its region, the samples it covers, its label and folder, its directions and seconds. */
    public record Solve(Region region, int[] samples, String label, String folder, Directions directions, double seconds) {}

    /**
     * What a discovery computed, before anything is rendered or written: every solve in order
     * (region by region, then sample by sample or the aggregate), and the Jacobian stage's
     * figures. Host data only: the Grams and rows it came from are freed.
     */
    public record Found(List<Solve> solves, double jacobianSeconds, int jacobianChunk, JacobianEngine.Budget budget, long jacobianPasses) {
        public double solveSeconds() {
            return solves.stream().mapToDouble(Solve::seconds).sum();
        }
    }

    /** {@link #discover}, then {@link #write}: directions, pictures and latents in {@code dir} (not committed; no record). */
    public static Report run(Generator g, Latents lat, View view, List<Region> regions, Settings s, OutputDir dir) {
        return write(g, lat, regions, s, discover(g, lat, view, regions, s), dir);
    }

    /**
     * The discovery core: the Jacobian stage of every code (one set of passes for all regions)
     * and the solver's directions for each region, per sample or for the mean Grams. Writes
     * nothing; the front ends that render nothing (the studio, Spark) use the same stage through
     * {@link #stageOptions} and {@link #solveRegions}.
     */
    public static Found discover(Generator g, Latents lat, View view, List<Region> regions, Settings s) {
        if (s.solver == null || !s.solver.regional()) throw new IllegalArgumentException("discovery needs a regional solver (resefa or lowrankgan)");
        try (PointerScope outer = new PointerScope();
             ganfactor.trace.Span whole = s.context.trace().span("discovery", "method", s.solver.name(), "samples", lat.count(), "regions", regions.size(),
                     "space", lat.space().label())) {
            Stage st = jacobians(g, lat, view, regions, s);
            List<Solve> solves = new ArrayList<>();
            int perRegion = s.aggregate && lat.count() > 1 ? 1 : lat.count();
            s.context.progress().begin(s.solver.name() + " solves", (long) regions.size() * perRegion);
            for (int r = 0; r < regions.size(); r++) {
                Region region = regions.get(r);
                for (Job job : jobs(st, r, region, lat.count(), s.aggregate)) {
                    s.context.cancellation().check();
                    long t0 = System.nanoTime();
                    Directions dirs;
                    try (ganfactor.trace.Span sp = s.context.trace().span("solve", "method", s.solver.name(), "region", region.name(), "result", job.label(),
                            "dim", job.grams().dim(), "fast_path_rows", job.rows() != null)) {
                        dirs = s.solver.solve(new Solver.Problem(job.grams(), job.rows(), g, s.context));
                    }
                    solves.add(new Solve(region, job.samples(), job.label(), job.prefix(), dirs, (System.nanoTime() - t0) / 1e9));
                    s.context.progress().advance(1);
                }
            }
            s.context.progress().end();
            return new Found(List.copyOf(solves), st.nanos() / 1e9, st.chunk(), st.budget(), st.passes());
        }
    }

    /**
     * The discovery's report, the one writer of its folder: per region {@code mask.png}, per solve
     * its directions (and the official script's files when asked), the edits of its first
     * directions as grids and locality charts and {@code locality.csv} (with a random direction
     * as the baseline), and {@code latents.npy}. {@link #writeRecord} adds {@code discover.json};
     * the caller that opened {@code dir} commits it.
     */
    public static Report write(Generator g, Latents lat, List<Region> regions, Settings s, Found found, OutputDir dir) {
        List<Outcome> outcomes = new ArrayList<>();
        List<Map<String, Object>> rec = new ArrayList<>();
        Map<String, Editor> editors = new HashMap<>();   // one editor (one rendering of the originals) per set of samples
        long editNanos = 0;
        s.context.progress().begin("edit grids", found.solves().size());
        for (Region region : regions) {
            Images.write(Images.mask(region), dir.file(region.name() + "/mask.png"));
            for (Solve solve : found.solves()) {
                if (solve.region() != region) continue;
                s.context.cancellation().check();
                long t0 = System.nanoTime();
                Outcome o = render(g, lat, solve, s, dir, editors);
                editNanos += System.nanoTime() - t0;
                outcomes.add(o);
                rec.add(record(o, solve, s));
                s.context.progress().advance(1);
            }
        }
        s.context.progress().end();
        lat.save(dir.file("latents.npy"), g);
        return new Report(outcomes, found.jacobianSeconds(), found.solveSeconds(), editNanos / 1e9, rec, found.jacobianChunk(), found.budget(), found.jacobianPasses());
    }

    /** Completes {@code rec} as {@link #record} does, adds {@code extra} (null: nothing), and writes it as {@code discover.json}. */
    public static RunRecord writeRecord(RunRecord rec, Generator g, Latents lat, View view, List<Region> rs, Settings s, Report rep, Map<String, Object> extra, OutputDir dir) {
        record(rec, g, lat, view, rs, s, rep);
        if (extra != null) extra.forEach(rec::put);
        dir.writeString("discover.json", rec.json());
        return rec;
    }

    /**
     * The Jacobian engine's options for solving {@code regions} with {@code solver} (a copy of
     * {@code base}): Grams stay on the generator's device until the solver has read them, and each
     * region's rows are kept where the solver wants them (ReSeFa's fast path), decided from the
     * latent dimension {@code D} and the region's rows in {@code view}. The one place that decides
     * it for every front end (discover, demo, the studio, Spark).
     */
    public static JacobianEngine.Options stageOptions(JacobianEngine.Options base, Solver solver, int D, View view, List<Region> regions,
                                                      RunContext context) {
        JacobianEngine.Options jo = context.engine(base);   // a copy: the caller's options stay as they were
        jo.deviceGrams = true;
        boolean[] keep = new boolean[regions.size()];
        boolean any = false;
        for (int r = 0; r < regions.size(); r++) any |= keep[r] = solver.wantsRegionRows(D, (long) regions.get(r).count() * view.viewChannels());
        jo.regionRows = any ? keep : null;
        return jo;
    }

    /** One code's directions per region, with the seconds of its solves; writes nothing. */
    public record Solved(List<Directions> directions, double[] solveSeconds) {}

    /**
     * The solves of one code's Jacobian pass {@code res} (computed with {@link #stageOptions}): one
     * per region, each from the region's Grams and kept rows. Writes nothing.
     */
    public static Solved solveRegions(JacobianEngine.Result res, Solver solver, Generator g, RunContext context) {
        Cancellation cancellation = context.cancellation();
        List<Directions> ds = new ArrayList<>();
        double[] secs = new double[res.grams().size()];
        for (int r = 0; r < res.grams().size(); r++) {
            cancellation.check();
            long t0 = System.nanoTime();
            Tensor rows = res.regionRows() == null ? null : res.regionRows().get(r);
            ds.add(solver.solve(new Solver.Problem(res.grams().get(r), rows, g, context)));
            secs[r] = (System.nanoTime() - t0) / 1e9;
        }
        return new Solved(ds, secs);
    }

    /** The Jacobian stage: Grams on the generator's device (until the solver has read them), and region rows where the solver wants them. */
    private static Stage jacobians(Generator g, Latents lat, View view, List<Region> regions, Settings s) {
        JacobianEngine.Options jo = stageOptions(s.jacobian, s.solver, lat.dim(), view, regions, s.context);
        List<List<GramPair>> grams = new ArrayList<>();
        List<List<Tensor>> rows = new ArrayList<>();
        long passes = 0;
        int chunk = 0;
        JacobianEngine.Budget budget = null;
        long t0 = System.nanoTime();
        Progress whole = jo.progress;
        for (int i = 0; i < lat.count(); i++) {
            if (lat.count() > 1) {
                // which sample, and (from the second on) the time the rest will take at the pace so far
                double perSample = i == 0 ? Double.NaN : (System.nanoTime() - t0) / 1e9 / i;
                jo.progress = whole.prefixed(String.format(Locale.ROOT, "sample %d/%d%s: ", i + 1, lat.count(),
                        i == 0 ? "" : ", about " + Progress.duration(perSample * (lat.count() - i)) + " left for the Jacobians"));
            }
            JacobianEngine.Result res = JacobianEngine.compute(g, lat.row(i), lat.space(), view, regions, jo);
            grams.add(res.grams());
            rows.add(res.regionRows());
            chunk = res.chunk();
            passes += res.passes();
            budget = res.budget();
        }
        return new Stage(grams, rows, chunk, budget, System.nanoTime() - t0, passes);
    }

    /** The solves of region {@code r}: one per sample, or one for the mean of all samples' Grams. */
    private static List<Job> jobs(Stage st, int r, Region region, int n, boolean aggregate) {
        List<Job> jobs = new ArrayList<>();
        if (aggregate && n > 1) {
            List<GramPair> gs = new ArrayList<>();
            List<Tensor> rs = new ArrayList<>();
            for (int i = 0; i < n; i++) { gs.add(st.grams().get(i).get(r)); rs.add(st.rows().get(i).get(r)); }
            // stacked rows of N samples, each divided by sqrt(N): their Gram is the mean of the A's
            Tensor rows = rs.get(0) == null ? null
                    : torch.cat(new TensorVector(rs.stream().map(t -> t.div(new Scalar(Math.sqrt(n)))).toArray(Tensor[]::new)), 0);
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            jobs.add(new Job(all, ReSeFa.aggregate(gs), rows, "aggregate", region.name() + "/"));
            return jobs;
        }
        for (int i = 0; i < n; i++)
            jobs.add(new Job(new int[]{i}, st.grams().get(i).get(r), st.rows().get(i).get(r), "sample " + i,
                    region.name() + "/" + (n == 1 ? "" : "sample_" + i + "/")));
        return jobs;
    }

    /** Writes one solve's directions, renders and measures its first directions. */
    private static Outcome render(Generator g, Latents lat, Solve solve, Settings s, OutputDir dir, Map<String, Editor> editors) {
        Region region = solve.region();
        Directions dirs = solve.directions();
        try (ganfactor.trace.Span sp = s.context.trace().span("write directions", "folder", solve.folder())) {
            dirs.write(dir, solve.folder(), false);
        }
        if (s.officialFiles) {
            // the official script's names: per sample index of the input, all d directions as rows
            String official = String.format(Locale.ROOT, "image_%02d_region_%s_name_%s", solve.samples()[0], region.name(), s.solver.name());
            ganfactor.io.Npy.writeFloat32(dir.file(official + ".npy"), dirs.vectors(), dirs.count(), dirs.dim());
            Images.write(Images.mask(region), dir.file(official + "_mask.png"));
        }
        ganfactor.trace.Span editSpan = s.context.trace().span("edits and pictures", "region", region.name(), "result", solve.label(), "directions", Math.min(s.show, dirs.count()),
                "strengths", s.strengths().length);
        Editor editor = editors.computeIfAbsent(Arrays.toString(solve.samples()), key -> new Editor(g, lat.subset(solve.samples()), s.edit));
        List<Locality.Measurement> ms = new ArrayList<>();
        double[] strengths = s.strengths();
        for (int j = 0; j < Math.min(s.show, dirs.count()); j++) {
            s.context.cancellation().check();
            try (PointerScope inner = new PointerScope()) {
                Editor.Result er = editor.edit(dirs.row(j), strengths);
                Locality.Measurement m = Locality.measure(er, region, j);
                ms.add(m);
                String title = String.format(Locale.ROOT, "%s %s, direction %d (eigenvalue %.3g), %s: inside/outside MSE ratio %s",
                        s.solver.name(), region.name(), j, dirs.values()[j], solve.label(), Locality.formatRatio(m.ratio()));
                Images.write(Grid.render(er, region, title, s.cell), dir.file(solve.folder() + "grid_" + j + ".png"));
                Images.write(Chart.locality(m, null), dir.file(solve.folder() + "locality_" + j + ".png"));
            }
        }
        Locality.Measurement base = null;
        if (s.baseline) {
            try (PointerScope inner = new PointerScope()) {
                base = Locality.measure(editor.edit(Directions.randomUnit(dirs.dim(), s.baselineSeed), strengths), region, -1);
            }
        }
        List<Locality.Measurement> all = new ArrayList<>(ms);
        if (base != null) all.add(base);
        Locality.writeCsv(dir.file(solve.folder() + "locality.csv"), all);
        editSpan.close();
        return new Outcome(region.name(), solve.label(), dirs, ms, base);
    }

    /** The JSON record of one result. */
    private static Map<String, Object> record(Outcome o, Solve solve, Settings s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("region", o.region());
        m.put("result", o.label());
        m.put("samples", solve.samples());
        m.put("folder", solve.folder());
        m.put("solve", o.directions().info());
        m.put("top_eigenvalues", Arrays.copyOf(o.directions().values(), Math.min(8, o.directions().count())));
        m.put("locality", Locality.summaries(o.locality()));
        if (o.baseline() != null) {
            Map<String, Object> b = o.baseline().summary();
            b.put("direction", "random unit direction, seed " + s.baselineSeed);
            m.put("locality_random_baseline", b);
        }
        return m;
    }

    /** discover.json (and the demo's): the run's settings, each result, and the time of each stage. */
    public static RunRecord record(RunRecord rec, Generator g, Latents lat, View view, List<Region> rs, Discovery.Settings s, Discovery.Report rep) {
        rec.generator(g).latents(lat).put("view", view.describe()).regions(rs);
        rec.put("method", s.solver.name());
        if (s.request != null) rec.put("method_settings", s.request.describe());
        rec.put("aggregate", s.aggregate);
        if (s.officialFiles) rec.put("official_files", "image_XX_region_R_name_" + s.solver.name() + ".npy [d, d] float32 and _mask.png per sample (compute_direction.py names)");
        rec.put("edit", RunRecord.ordered("strengths", s.strengths(), "layers", Editor.layersLabel(s.edit.layers(), g.numLayers()),
                "mode", s.edit.mode().label(), "truncation_psi", s.edit.psi(), "truncation_layers", s.edit.truncationLayers(), "directions_rendered", s.show));
        Map<String, Object> jac = RunRecord.ordered("mode", s.jacobian.mode.label(), "chunk", rep.jacobianChunk(),
                "memory_budget_bytes", rep.budget() == null ? s.jacobian.memoryBudget : rep.budget().bytes());
        if (rep.budget() != null) jac.put("memory_budget", rep.budget().source());
        jac.put("work", Work.jacobian(g, lat.space(), lat.dim(), view.rows(), rs.size(), rep.jacobianPasses(), lat.count(), rep.jacobianSeconds()));
        rec.put("jacobian", jac);
        rec.put("results", rep.record());
        rec.put("seconds", Map.of("jacobian", rep.jacobianSeconds(), "solve", rep.solveSeconds(), "edit_and_pictures", rep.editSeconds(), "total", rec.seconds()));
        return rec;
    }
}
