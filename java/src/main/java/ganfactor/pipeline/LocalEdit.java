package ganfactor.pipeline;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.jacobian.GramPair;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.method.LowRankGan;
import ganfactor.method.ReSeFa;
import ganfactor.method.Directions;
import ganfactor.io.Npy;
import ganfactor.io.OutputDir;
import ganfactor.region.Region;
import ganfactor.region.View;
import org.bytedeco.javacpp.PointerScope;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static ganfactor.InputException.ref;

/**
 * LowRankGAN's mask-free local edit: B of a region from the exact Jacobian at the codes (in W
 * for a d-length direction, W+ for an L x d one; the mean over the codes), its RPCA null space
 * N, and each chosen direction n replaced by N N^T n / ||N N^T n||, so that it moves the region
 * and leaves the background (to first order) alone.
 */
public final class LocalEdit {
    private LocalEdit() {}

    /** What the projection did, for the record and the message. */
    public record Result(int nullSpaceDimension, int dim, Map<String, Object> record) {}

    /**
     * Projects {@code rows[i]} for each i in {@code indices} in place. {@code grid}: the Jacobian
     * view's grid (the official rule at the model's default grid, summed RGB otherwise).
     */
    public static Result project(Generator g, Latents lat, Region region, int grid, double[][] rows, int[] indices, LowRankGan.Options o,
                                 RunContext context) {
        int L = g.numLayers(), d = g.latentDim();
        boolean wp = rows[indices[0]].length == L * d;
        LatentSpace space = wp ? LatentSpace.WP : lat.space() == LatentSpace.Z ? LatentSpace.Z : LatentSpace.W;
        View view = grid == View.defaultGrid(g.height(), g.width()) ? View.defaultFor(g.channels(), g.height(), g.width())
                : new View(grid, View.Reduce.SUM, g.channels(), g.height(), g.width());
        int D = space.dim(d, L);
        LowRankGan.NullSpace ns;
        try (PointerScope sc = new PointerScope()) {
            ns = LowRankGan.nullSpace(ganfactor.torch.Torch.of(backgroundGram(g, lat, space, view, region, context), D, D), LowRankGanSolver.withCancellation(o, context));
        }
        if (ns.size() == 0) throw new InputException(ref("local") + " " + region.name() + ": the background's null space is empty; nothing can be edited without touching the background");
        List<Object> kept = new ArrayList<>();
        for (int i : indices) {
            double[] c = ns.component(rows[i]);
            kept.add(Map.of("index", i, "kept_norm_fraction", Directions.norm(c) / Directions.norm(rows[i])));
            rows[i] = ns.project(rows[i]);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("region", region.name());
        m.put("region_origin", region.origin());
        m.put("view", view.describe());
        m.put("jacobian_space", space.label());
        m.put("codes", lat.count());
        m.put("null_space_dimension", ns.size());
        m.put("background_rank", ns.rankB());
        m.put("options", o.describe());
        m.put("directions", kept);
        return new Result(ns.size(), D, m);
    }

    /**
     * The mean background Gram B of {@code region} over the codes, each from the exact Jacobian in
     * {@code space} (the codes converted as {@link #codeIn} says).
     */
    public static double[] backgroundGram(Generator g, Latents lat, LatentSpace space, View view, Region region, RunContext context) {
        JacobianEngine.Options jo = context.engine(new JacobianEngine.Options());
        List<GramPair> gs = new ArrayList<>();
        for (int i = 0; i < lat.count(); i++)
            gs.add(JacobianEngine.compute(g, codeIn(lat, i, space, g.numLayers(), g.latentDim()), space, view, List.of(region), jo).grams().get(0));
        return ReSeFa.aggregate(gs).toHost().b();
    }

    /** A background Gram B [d, d] for {@code localize}: the matrix, its name in messages, whether it came from a file, and its JSON entry. */
    public record Background(double[] b, String label, boolean fromFile, Map<String, Object> record) {
        /** Sample {@code sample}'s B from a Gram file ([d, d] or [N, d, d]). */
        public static Background fromFile(Path file, int d, int sample) {
            return new Background(GramFiles.readBackground(file, d, sample), file + (sample > 0 ? " (sample " + sample + ")" : ""), true,
                    Map.of("file", file.toString(), "sample", sample));
        }

        /** B of {@code region} computed from the generator at the codes (their mean for several). */
        public static Background compute(Generator g, Latents lat, View view, Region region, RunContext context) {
            double[] b = backgroundGram(g, lat, lat.space(), view, region, context);
            return new Background(b, "the background Gram of region " + region.name(), false, Map.of("model", g.source(), "region", region.name(),
                    "region_origin", region.origin(), "space", lat.space().label(), "latents", lat.origin(), "samples", lat.count(), "view", view.describe(),
                    "gram", lat.count() > 1 ? "mean of the samples' B" : "B of the sample"));
        }
    }

    /** {@code ganfactor localize}'s result: the null space, the projected directions kept, one record and one line per input direction. */
    public record Localized(LowRankGan.NullSpace nullSpace, List<double[]> kept, List<Object> perDirection, List<String> lines) {
        /**
         * Writes {@code directions.npy} [kept, d] float32 (the projected unit rows),
         * {@code null_space.npy} [d - rank, d] float64 and {@code localize.json} ({@code rec}
         * completed with the null space, the options and the results) into {@code dir} (not committed).
         */
        public void write(OutputDir dir, LowRankGan.Options o, RunRecord rec) {
            int d = nullSpace.dim();
            double[] flat = new double[kept.size() * d];
            for (int i = 0; i < kept.size(); i++) System.arraycopy(kept.get(i), 0, flat, i * d, d);
            Npy.writeFloat32(dir.file("directions.npy"), flat, kept.size(), d);
            Npy.writeFloat64(dir.file("null_space.npy"), nullSpace.basis(), nullSpace.size(), d);
            rec.put("null_space", Map.of("dimension", nullSpace.size(), "rank_of_background", nullSpace.rankB(), "num_relax", nullSpace.numRelax(),
                    "start_index", nullSpace.start()));
            rec.put("options", o.describe()).put("results", perDirection).put("seconds_total", rec.seconds());
            dir.writeString("localize.json", rec.json());
        }
    }

    /**
     * Projects the chosen rows of {@code dirs} ([k, d], row-major) into the null space of the
     * background Gram {@code b} [d, d]; a direction with no component there is dropped and said so.
     * {@code bLabel} names B in messages; {@code fromFile} tells which advice to give for a zero B.
     */
    public static Localized localize(double[] b, int d, double[] dirs, int[] rows, LowRankGan.Options options, String bLabel, boolean fromFile, RunContext context) {
        LowRankGan.Options o = LowRankGanSolver.withCancellation(options, context);
        double maxAbs = 0;
        for (double v : b) {
            if (!Double.isFinite(v)) throw new InputException(bLabel + ": contains NaN or infinity");
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        if (maxAbs == 0)
            throw new InputException(bLabel + ": is all zeros, so every direction would count as local; "
                    + (fromFile ? "give the B Gram of a region's background" : "the codes change nothing outside the region"));
        LowRankGan.NullSpace ns;
        try (PointerScope s = new PointerScope()) {
            ns = LowRankGan.nullSpace(ganfactor.torch.Torch.of(b, d, d), o);
        }
        if (ns.size() == 0) throw new InputException("the background's null space is empty (rank " + ns.rankB() + " of " + d + "): nothing can be edited without touching the background");
        List<double[]> kept = new ArrayList<>();
        List<Object> per = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (int r : rows) {
            double[] n = Arrays.copyOfRange(dirs, r * d, (r + 1) * d);
            double nn = Directions.norm(n);
            double keep = Directions.norm(ns.component(n)) / nn;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", r);
            m.put("kept_norm_fraction", keep);
            String tail;
            try {
                double[] p = ns.project(n);
                double cos = ganfactor.method.Directions.dot(p, n) / nn;
                m.put("cos_with_original", cos);
                m.put("output_row", kept.size());
                kept.add(p);
                tail = String.format(java.util.Locale.ROOT, ", |cos| with the original %.3f", Math.abs(cos));
            } catch (InputException e) {
                m.put("dropped", Generator.oneLine(e));
                tail = " (dropped: no local component)";
            }
            per.add(m);
            lines.add(String.format(java.util.Locale.ROOT, "  direction %d: %.1f%% of its norm lies in the background's null space%s", r, 100 * keep, tail));
        }
        if (kept.isEmpty()) throw new InputException("no direction has a local component in this region: all lie in the background's row space");
        return new Localized(ns, kept, per, lines);
    }

    /** Code i of {@code lat} in {@code space} (W+ codes give their first layer's w for W; W codes are broadcast for W+). */
    static double[] codeIn(Latents lat, int i, LatentSpace space, int L, int d) {
        double[] x = lat.row(i);
        if (lat.space() == space) return x;
        if (space == LatentSpace.W && lat.space() == LatentSpace.WP) return Arrays.copyOf(x, d);
        if (space == LatentSpace.WP && lat.space() == LatentSpace.W) {
            double[] out = new double[L * d];
            for (int l = 0; l < L; l++) System.arraycopy(x, 0, out, l * d, d);
            return out;
        }
        throw new InputException(ref("local") + ": cannot compute a " + space.label() + " Jacobian from " + lat.space().label() + " codes");
    }

}
