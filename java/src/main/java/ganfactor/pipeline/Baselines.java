package ganfactor.pipeline;

import ganfactor.edit.Editor;
import ganfactor.generator.Generator;
import ganfactor.io.OutputDir;
import ganfactor.linalg.Linalg;
import ganfactor.method.Directions;
import ganfactor.method.GanSpace;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The global baselines as whole runs ({@code ganfactor sefa}, {@code ganfactor ganspace}): the
 * directions, their files, the edit grids and the JSON record written into an output folder (not
 * committed), and a one-line summary.
 */
public final class Baselines {
    private Baselines() {}

    /** A finished baseline run: its directions and the summary line. */
    public record Outcome(Directions directions, String line) {}

    /** SeFa on the style affines of {@code layers} ("all", a list or ranges), {@code k} directions (0 = all). */
    public static Outcome sefa(Generator g, MethodRequest request, ganfactor.torch.ComputeDevice device, BaselineGrids.Spec pictures, RunContext context, OutputDir dir) {
        RunRecord rec = RunRecord.of("ganfactor sefa");
        String layers = request.get(Methods.LAYERS);
        Directions dirs;
        try (ganfactor.trace.Span sp = context.trace().span("solve", "method", "sefa", "layers", layers)) {
            dirs = request.solver(device).solve(Solver.Problem.global(g, context));
        }
        dirs.write(dir, "", false);
        int[] factorised = (int[]) dirs.info().get("layers");
        // SeFa reference: linspace(-3, 3, 11) on the factorised layers, psi 0.7 on 8 layers
        rec.generator(g).put("parameters", RunRecord.ordered("layers", layers, "k", dirs.count())).put("method_settings", request.describe()).put("result", dirs.info())
                .put("pictures", picturesTraced(context, () -> pictures.render(g, dirs, dir, "sefa", Editor.linspace(-3, 3, 11), factorised, null)))
                .put("files", RunRecord.ordered("directions.npy", "[" + dirs.count() + ", " + dirs.dim() + "] float32, unit rows, descending eigenvalue",
                        "eigenvalues.npy", "[" + dirs.count() + "] float64"));
        finish(rec, dir, "sefa.json");
        return new Outcome(dirs, String.format("sefa: %d directions of d = %d from %s layer(s) %s (sum C = %s); top eigenvalues %s",
                dirs.count(), dirs.dim(), factorised.length, layers, dirs.info().get("sum_channels"), top(dirs.values(), 5)));
    }

    /** GANSpace: PCA of w over {@code o.samples} seeded codes (checked before anything is computed). */
    public static Outcome ganspace(Generator g, GanSpace.Options o, MethodRequest request, Linalg linalg, BaselineGrids.Spec pictures, RunContext context, OutputDir dir) {
        RunRecord rec = RunRecord.of("ganfactor ganspace");
        GanSpaceSolver solver = new GanSpaceSolver(o, linalg);
        GanSpace.Result res;
        try (ganfactor.trace.Span sp = context.trace().span("solve", "method", "ganspace", "samples", o.samples)) {
            res = solver.compute(Solver.Problem.global(g, context));
        }
        res.write(dir, "", false);
        Directions dirs = res.directions();
        // GANSpace reference: w +/- sigma * std_i * v_i with sigma up to 2, here over all layers
        rec.generator(g).put("parameters", RunRecord.ordered("samples", o.samples, "batch", o.batch, "seed", o.seed, "k", dirs.count())).put("method_settings", request.describe())
                .put("result", dirs.info())
                .put("pictures", picturesTraced(context, () -> pictures.render(g, dirs, dir, "ganspace", Editor.linspace(-2, 2, 5), null, res.stds())))
                .put("files", RunRecord.ordered("directions.npy", "[" + dirs.count() + ", " + dirs.dim() + "] float32, unit rows, descending variance",
                        "eigenvalues.npy", "[" + dirs.count() + "] float64, variances",
                        "stds.npy", "[" + dirs.count() + "] float64, sqrt of the variances",
                        "mean.npy", "[" + dirs.dim() + "] float64, mean w"));
        finish(rec, dir, "ganspace.json");
        return new Outcome(dirs, String.format("ganspace: %d components of d = %d from %d samples; top variances %s, %.1f%% of the total",
                dirs.count(), dirs.dim(), o.samples, top(dirs.values(), 5), 100 * (double) dirs.info().get("explained_variance_ratio")));
    }

    private static void finish(RunRecord rec, OutputDir dir, String file) {
        rec.put("sign", "each row's entry of largest magnitude is positive");
        rec.put("seconds_total", rec.seconds());
        dir.writeString(file, rec.json());
    }

    /** The first {@code n} values, 4 significant digits, "..." when there are more. */
    static String top(double[] v, int n) {
        String head = Arrays.stream(v, 0, Math.min(n, v.length)).mapToObj(x -> String.format("%.4g", x)).collect(Collectors.joining(", "));
        return "[" + head + (v.length > n ? ", ...]" : "]");
    }

    /** The edit grids as one span of the run's trace. */
    private static Map<String, Object> picturesTraced(RunContext context, java.util.function.Supplier<Map<String, Object>> render) {
        try (ganfactor.trace.Span sp = context.trace().span("edits and pictures")) {
            return render.get();
        }
    }
}
