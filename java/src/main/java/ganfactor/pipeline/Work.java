package ganfactor.pipeline;

import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.StyleGan2;
import ganfactor.torch.Peak;

import java.util.Map;

/**
 * The floating-point work of a Jacobian stage, its rate and its fraction of this machine's float32
 * matmul rate ({@link Peak}), for the run records: "jacobian 70 GFLOP/s = 40 % of this machine's
 * float32 matmul". Counted from the layer shapes where ganfactor knows them (StyleGAN2 it built):
 * per column 2 x the synthesis multiply-accumulates (the tangent, {@link StyleGan2#synthesisMacs}),
 * per pass the same once more (the primal), the mapping's when the codes are in Z, and the Gram
 * accumulation, 2 P D^2 per region (float64). Element-wise work is not counted, so the rate is a
 * lower bound.
 */
public final class Work {
    private Work() {}

    /** The record's work entry as one line for a terminal ("" when the work was not counted). */
    public static String line(Map<String, Object> work) {
        if (!(work.get("gflops_per_second") instanceof Double rate)) return "";
        return String.format(java.util.Locale.ROOT, "Jacobian %.1f GFLOP/s = %.0f%% of this machine's float32 matmul (%.1f GFLOP/s; work counted from the layer shapes, a lower bound)",
                rate, 100 * (Double) work.get("fraction_of_matmul_rate"), (Double) work.get("machine_float32_matmul_gflops"));
    }

    /** The work of a `jacobian` run. */
    public static Map<String, Object> jacobian(Generator g, ganfactor.generator.Latents lat, ganfactor.region.View view, java.util.List<ganfactor.region.Region> rs, GramJob.Run run) {
        return jacobian(g, lat.space(), lat.dim(), view.rows(), rs.size(), run.passes(), lat.count(), run.secondsTotal());
    }

    public static Map<String, Object> jacobian(Generator g, LatentSpace space, int dim, long rows, int regions, long passes, int samples, double seconds) {
        StyleGan2.Config c = g.styleGan2Config();
        if (c == null || !(seconds > 0))
            return RunRecord.ordered("flops", null, "how", c == null ? "not counted: ganfactor knows the layer shapes of the StyleGAN2 it builds only" : "no time measured");
        double macs = StyleGan2.synthesisMacs(c) + (space == LatentSpace.Z ? StyleGan2.mappingMacs(c) : 0);
        double jvp = 2.0 * macs * ((double) dim * samples + passes);
        double gram = 2.0 * rows * (double) dim * dim * regions * samples;
        double flops = jvp + gram;
        double rate = flops / seconds / 1e9;
        Peak.Measurement peak = Peak.float32(g.device());
        return RunRecord.ordered("flops", flops, "jvp_flops", jvp, "gram_flops", gram, "gflops_per_second", rate,
                "machine_float32_matmul_gflops", peak.gflops(), "fraction_of_matmul_rate", rate / peak.gflops(),
                "how", "2 x synthesis MACs per column (tangents) and per pass (primal), plus the mapping's in Z, from StyleGAN2's layer shapes; "
                        + "Gram accumulation 2 P D^2 per region (float64); element-wise work not counted (a lower bound). Peak: " + peak.how());
    }
}
