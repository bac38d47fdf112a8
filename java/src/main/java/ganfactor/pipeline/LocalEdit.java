package ganfactor.pipeline;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.jacobian.GramPair;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.jacobian.Progress;
import ganfactor.method.LowRankGan;
import ganfactor.method.ReSeFa;
import ganfactor.region.Region;
import ganfactor.region.View;
import org.bytedeco.javacpp.PointerScope;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
                                 Progress progress, Cancellation cancellation) {
        int L = g.numLayers(), d = g.latentDim();
        boolean wp = rows[indices[0]].length == L * d;
        LatentSpace space = wp ? LatentSpace.WP : lat.space() == LatentSpace.Z ? LatentSpace.Z : LatentSpace.W;
        View view = grid == View.defaultGrid(g.height(), g.width()) ? View.defaultFor(g.channels(), g.height(), g.width())
                : new View(grid, View.Reduce.SUM, g.channels(), g.height(), g.width());
        JacobianEngine.Options jo = new JacobianEngine.Options();
        jo.progress = progress;
        jo.cancelled = cancellation;
        List<GramPair> gs = new ArrayList<>();
        for (int i = 0; i < lat.count(); i++)
            gs.add(JacobianEngine.compute(g, codeIn(lat, i, space, L, d), space, view, List.of(region), jo).grams().get(0));
        GramPair gp = ReSeFa.aggregate(gs);
        LowRankGan.NullSpace ns;
        try (PointerScope sc = new PointerScope()) {
            ns = LowRankGan.nullSpace(gp.bTensor(), o);
        }
        if (ns.size() == 0) throw new InputException("--local " + region.name() + ": the background's null space is empty; nothing can be edited without touching the background");
        List<Object> kept = new ArrayList<>();
        for (int i : indices) {
            double[] c = ns.component(rows[i]);
            kept.add(Map.of("index", i, "kept_norm_fraction", norm(c) / norm(rows[i])));
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
        return new Result(ns.size(), gp.dim(), m);
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
        throw new InputException("--local: cannot compute a " + space.label() + " Jacobian from " + lat.space().label() + " codes");
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) s += x * x;
        return Math.sqrt(s);
    }
}
