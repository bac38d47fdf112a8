package ganfactor.cli;

import ganfactor.edit.Editor;
import ganfactor.edit.Locality;
import ganfactor.generator.Generator;
import ganfactor.generator.Latents;
import ganfactor.io.OutputDir;
import ganfactor.jacobian.GramPair;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.method.Directions;
import ganfactor.method.ReSeFa;
import ganfactor.region.Region;
import ganfactor.region.View;
import ganfactor.render.Chart;
import ganfactor.render.Grid;
import ganfactor.render.Images;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The discovery pipeline behind {@code discover} and {@code demo}: Jacobian Grams for every
 * region and sample (one pass per sample for all regions) -> solve (per sample, or once for the
 * mean Gram) -> edit the first directions over a range of strengths -> grid PNGs, locality
 * report (CSV, chart, inside/outside ratio, with a random direction as the baseline) -> files.
 *
 * <p>Layout under the output folder, per region: {@code <region>/mask.png}, and per result
 * (the single sample, the aggregate, or {@code sample_<i>/} when several samples are solved
 * separately) {@code directions.npy} [k, d] float32, {@code eigenvalues.npy}, {@code
 * grid_<j>.png}, {@code locality_<j>.png}, {@code locality.csv}.
 */
final class Discovery {

    static final class Settings {
        MethodOptions method;
        boolean aggregate;
        int show = 3;
        double[] strengths;
        Editor.Settings edit = Editor.Settings.defaults();
        int cell = 128;
        boolean baseline = true;
        /** Also write the official compute_direction.py files: image_XX_region_R_name_METHOD.npy [d, d] and _mask.png per sample. */
        boolean officialFiles;
        long baselineSeed = 0x5EED;
        JacobianEngine.Options jacobian = new JacobianEngine.Options();
    }

    /** What one solve produced, for printing and the JSON record. */
    record Outcome(String region, String label, Directions directions, List<Locality.Measurement> locality, Locality.Measurement baseline) {}

    record Report(List<Outcome> outcomes, double jacobianSeconds, double solveSeconds, double editSeconds, List<Map<String, Object>> record, int jacobianChunk, ganfactor.jacobian.JacobianEngine.Budget budget) {}

    private Discovery() {}

    static Report run(Generator g, Latents lat, View view, List<Region> regions, Settings s, OutputDir dir) {
        int D = lat.dim(), N = lat.count(), C = view.viewChannels();
        long tJ = 0, tS = 0, tE = 0;
        int chunk = 0;
        ganfactor.jacobian.JacobianEngine.Budget budget = null;
        // Jacobian stage: Grams (and, for the fast path, the region rows) of every sample and region.
        List<List<GramPair>> grams = new ArrayList<>();
        List<List<Tensor>> rows = new ArrayList<>();
        boolean[] keepRows = new boolean[regions.size()];
        boolean anyRows = false;
        for (int r = 0; r < regions.size(); r++) {
            keepRows[r] = s.method.wantsRegionRows(D, (long) regions.get(r).count() * C);
            anyRows |= keepRows[r];
        }
        // the Grams stay on the generator's device until the solver has read them
        s.jacobian.deviceGrams = true;
        try (PointerScope outer = new PointerScope()) {
            for (int i = 0; i < N; i++) {
                long t0 = System.nanoTime();
                List<List<Tensor>> collected = new ArrayList<>();
                for (int r = 0; r < regions.size(); r++) collected.add(new ArrayList<>());
                if (anyRows) {
                    List<long[]> inside = new ArrayList<>();
                    for (Region reg : regions) inside.add(reg.inside(C));
                    s.jacobian.sink = (p0, block) -> {
                        long p1 = p0 + block.size(0);
                        for (int r = 0; r < regions.size(); r++) {
                            if (!keepRows[r]) continue;
                            long[] idx = Arrays.stream(inside.get(r)).filter(p -> p >= p0 && p < p1).map(p -> p - p0).toArray();
                            if (idx.length == 0) continue;
                            Tensor t = block.index_select(0, Torch.ofLong(idx, idx.length).to(block.device(), org.bytedeco.pytorch.global.torch.ScalarType.Long)).clone();   // stays on the block's device
                            t.retainReference();
                            collected.get(r).add(t);
                        }
                    };
                }
                JacobianEngine.Result res = JacobianEngine.compute(g, lat.row(i), lat.space(), view, regions, s.jacobian);
                grams.add(res.grams());
                chunk = res.chunk();
                budget = res.budget();
                List<Tensor> perRegion = new ArrayList<>();
                for (int r = 0; r < regions.size(); r++) {
                    List<Tensor> parts = collected.get(r);
                    perRegion.add(parts.isEmpty() ? null
                            : torch.cat(new TensorVector(parts.toArray(new Tensor[0])), 0).div(new Scalar(Math.sqrt(regions.get(r).count() * (double) C))));
                    for (Tensor t : parts) t.releaseReference();   // retained by the sink past the engine's scope
                }
                rows.add(perRegion);
                tJ += System.nanoTime() - t0;
            }
            s.jacobian.sink = null;

            List<Outcome> outcomes = new ArrayList<>();
            List<Map<String, Object>> rec = new ArrayList<>();
            // one editor (and one rendering of the originals) per set of samples, shared by the regions
            Map<String, Editor> editors = new java.util.HashMap<>();
            for (int r = 0; r < regions.size(); r++) {
                Region region = regions.get(r);
                Images.write(Images.mask(region), dir.file(region.name() + "/mask.png"));
                List<GramPair> gs = new ArrayList<>();
                List<Tensor> rs = new ArrayList<>();
                for (int i = 0; i < N; i++) { gs.add(grams.get(i).get(r)); rs.add(rows.get(i).get(r)); }
                List<int[]> groups = new ArrayList<>();        // which samples each solve covers
                List<GramPair> todo = new ArrayList<>();
                List<Tensor> todoRows = new ArrayList<>();
                if (s.aggregate && N > 1) {
                    int[] all = new int[N];
                    for (int i = 0; i < N; i++) all[i] = i;
                    groups.add(all);
                    todo.add(ReSeFa.aggregate(gs));
                    todoRows.add(rs.get(0) == null ? null : torch.cat(new TensorVector(rs.stream().map(t -> t.div(new Scalar(Math.sqrt(N)))).toArray(Tensor[]::new)), 0));
                } else {
                    for (int i = 0; i < N; i++) { groups.add(new int[]{i}); todo.add(gs.get(i)); todoRows.add(rs.get(i)); }
                }
                for (int t = 0; t < todo.size(); t++) {
                    String label = todo.size() == 1 ? (s.aggregate && N > 1 ? "aggregate" : "sample 0") : "sample " + t;
                    String prefix = region.name() + "/" + (todo.size() == 1 ? "" : "sample_" + t + "/");
                    long t0 = System.nanoTime();
                    Directions dirs = s.method.solve(todo.get(t), todoRows.get(t));
                    tS += System.nanoTime() - t0;
                    dirs.write(dir, prefix, false);
                    if (s.officialFiles) {
                        // the official script's names: per sample index of the input, all d directions as rows
                        String official = String.format(Locale.ROOT, "image_%02d_region_%s_name_%s", groups.get(t)[0], region.name(), s.method.methodName());
                        ganfactor.io.Npy.writeFloat32(dir.file(official + ".npy"), dirs.vectors(), dirs.count(), dirs.dim());
                        Images.write(Images.mask(region), dir.file(official + "_mask.png"));
                    }
                    t0 = System.nanoTime();
                    int[] group = groups.get(t);
                    Editor editor = editors.computeIfAbsent(Arrays.toString(group), key -> new Editor(g, subset(lat, group), s.edit));
                    List<Locality.Measurement> ms = new ArrayList<>();
                    int show = Math.min(s.show, dirs.count());
                    for (int j = 0; j < show; j++) {
                        try (PointerScope inner = new PointerScope()) {
                            Editor.Result er = editor.edit(dirs.row(j), s.strengths);
                            Locality.Measurement m = Locality.measure(er, region, j);
                            ms.add(m);
                            String title = String.format(Locale.ROOT, "%s %s, direction %d (eigenvalue %.3g), %s: inside/outside MSE ratio %s",
                                    s.method.methodName(), region.name(), j, dirs.values()[j], label, Locality.formatRatio(m.ratio()));
                            Images.write(Grid.render(er, region, title, s.cell), dir.file(prefix + "grid_" + j + ".png"));
                            Images.write(Chart.locality(m, null), dir.file(prefix + "locality_" + j + ".png"));
                        }
                    }
                    Locality.Measurement base = null;
                    if (s.baseline) {
                        try (PointerScope inner = new PointerScope()) {
                            base = Locality.measure(editor.edit(randomUnit(dirs.dim(), s.baselineSeed), s.strengths), region, -1);
                        }
                    }
                    List<Locality.Measurement> all = new ArrayList<>(ms);
                    if (base != null) all.add(base);
                    Locality.writeCsv(dir.file(prefix + "locality.csv"), all);
                    tE += System.nanoTime() - t0;
                    outcomes.add(new Outcome(region.name(), label, dirs, ms, base));
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("region", region.name());
                    m.put("result", label);
                    m.put("samples", groups.get(t));
                    m.put("folder", prefix.isEmpty() ? "." : prefix);
                    m.put("solve", dirs.info());
                    m.put("top_eigenvalues", Arrays.copyOf(dirs.values(), Math.min(8, dirs.count())));
                    m.put("locality", Locality.summaries(ms));
                    if (base != null) {
                        Map<String, Object> b = base.summary();
                        b.put("direction", "random unit direction, seed " + s.baselineSeed);
                        m.put("locality_random_baseline", b);
                    }
                    rec.add(m);
                }
            }
            return new Report(outcomes, tJ / 1e9, tS / 1e9, tE / 1e9, rec, chunk, budget);
        }
    }

    static Latents subset(Latents lat, int[] which) {
        if (which.length == lat.count()) return lat;
        double[] codes = new double[which.length * lat.dim()];
        for (int i = 0; i < which.length; i++) System.arraycopy(lat.row(which[i]), 0, codes, i * lat.dim(), lat.dim());
        return new Latents(codes, which.length, lat.dim(), lat.space(), lat.origin() + ", sample(s) " + Arrays.toString(which));
    }

    static double[] randomUnit(int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[d];
        double n = 0;
        for (int i = 0; i < d; i++) {
            double u = r.nextDouble(), w = r.nextDouble();
            v[i] = Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * w);
            n += v[i] * v[i];
        }
        n = Math.sqrt(n);
        for (int i = 0; i < d; i++) v[i] /= n;
        return v;
    }

    /** Each of a result's warnings on a line of its own (stderr), as solve and discover both print them. */
    static void printWarnings(String what, java.util.List<String> warnings) {
        for (String w : warnings) System.err.println("ganfactor: warning: " + what.trim() + ": " + w);
    }

    /** One line per result: the top directions' eigenvalues and locality ratios against the random baseline. */
    static void print(Report rep) {
        for (Outcome o : rep.outcomes()) {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-10s %-10s", o.region(), o.label()));
            for (Locality.Measurement m : o.locality())
                sb.append(String.format(Locale.ROOT, "  dir %d: eig %.3g, ratio %s", m.direction(), o.directions().values()[m.direction()], Locality.formatRatio(m.ratio())));
            if (o.directions().count() == 0) sb.append("  no directions");
            if (o.baseline() != null) sb.append("  | random direction: ratio ").append(Locality.formatRatio(o.baseline().ratio()));
            System.out.println(sb);
            printWarnings(o.region() + " " + o.label(), o.directions().warnings());
        }
    }
}
