package ganfactor.pipeline;

import ganfactor.edit.Locality;
import ganfactor.generator.DemoGenerator;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.io.OutputDir;
import ganfactor.method.Directions;
import ganfactor.method.ReSeFa;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import ganfactor.torch.ComputeDevice;
import org.bytedeco.pytorch.global.torch.ScalarType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The main job on the built-in demo generator ({@code ganfactor demo}): the eyes' and the mouth's
 * directions of one image (W space, the official 3 x 256 x 256 Jacobian view), their edits and
 * locality reports, and a check against the planted ground truth: how much of each top direction
 * lies in the latent block that draws that part.
 */
public final class DemoJob {
    private DemoJob() {}

    /**
     * The demo's request for {@code method} (resefa or lowrankgan): the registry's defaults, except
     * that ReSeFa asks for the paper's regularisation (the demo's eyes stay inside the eyes box, so
     * B is singular there: asked for up front rather than a fallback with a warning). The record
     * lists it among the settings given.
     */
    public static MethodRequest request(String method) {
        MethodRequest r = MethodRequest.of(Methods.regional(method));
        return r.method() == Methods.RESEFA ? r.with(Methods.REGULARIZE, ReSeFa.Regularization.PAPER) : r;
    }

    /** Runs the demo for {@code seed} into {@code dir} (not committed) and returns the lines to print. */
    public static List<String> run(long seed, MethodRequest request, ComputeDevice device, RunContext context, OutputDir dir) {
        Solver solver;
        try (ganfactor.trace.Span sp = context.trace().span("method", "method", request.method().name())) {
            solver = request.solver(device);
        }
        Generator g;
        try (ganfactor.trace.Span sp = context.trace().span("load model", "model", "demo")) {
            g = Generator.demo().to(ScalarType.Float).to(device);
        }
        Latents lat = Latents.fromSeed(g, LatentSpace.W, seed, 1, 1.0, g.numLayers());
        View view = View.defaultFor(g.channels(), g.height(), g.width());   // the official rule: 3 x 256 x 256 rows for the demo
        List<Region> rs = Regions.parseAll(List.of("eyes", "mouth"), view.grid(), g, false);
        Discovery.Settings s = new Discovery.Settings();
        s.solver = solver;
        s.request = request;
        s.context = context;
        RunRecord rec = RunRecord.of("ganfactor demo");
        Discovery.Found found = Discovery.discover(g, lat, view, rs, s);
        List<String> lines = new ArrayList<>();
        try (ganfactor.trace.Span report = context.trace().span("write report")) {
            Discovery.Report rep = Discovery.write(g, lat, rs, s, found, dir);
            lines.add(String.format(Locale.ROOT, "demo generator: d = %d, L = %d, 3x256x256; W space, seed %d; %s%s",
                    g.latentDim(), g.numLayers(), seed, solver.name(), given(request)));
            lines.add(String.format(Locale.ROOT, "Jacobian %.2f s (%,d x %d: %s, both regions from one pass), solve %.3f s, edits and pictures %.2f s",
                    rep.jacobianSeconds(), view.rows(), lat.dim(), view.reduce() == View.Reduce.NONE ? "R, G, B rows at 256 x 256, the official rule" : "256 x 256, RGB " + view.reduce().label(),
                    rep.solveSeconds(), rep.editSeconds()));
            Map<String, Object> planted = planted(g, rep, lines);
            Discovery.writeRecord(rec, g, lat, view, rs, s, rep, Map.of("planted_block_share_of_top_direction", planted), dir);
        }
        return lines;
    }

    /** The settings the demo gives rather than the registry's defaults, as words for its first line. */
    private static String given(MethodRequest r) {
        Map<String, String> t = r.givenTexts();
        if (t.isEmpty()) return " with the registry's default settings";
        List<String> parts = new ArrayList<>();
        t.forEach((k, v) -> parts.add(k + " " + v));
        return " with " + String.join(", ", parts) + " (the demo's choice; the default elsewhere: "
                + String.join(", ", t.keySet().stream().map(k -> k + " " + r.method().setting(k).defaultLabel()).toList()) + ")";
    }

    /** Each region's top direction split over the planted latent blocks, with a line per region. */
    private static Map<String, Object> planted(Generator g, Discovery.Report rep, List<String> lines) {
        double[] q = DemoGenerator.plantedBasis(g);
        Map<String, Object> planted = new LinkedHashMap<>();
        for (Discovery.Outcome o : rep.outcomes()) {
            Directions d = o.directions();
            double[] share = DemoGenerator.blockShares(q, d.row(0), d.dim());
            int best = 0;
            for (int b = 1; b < share.length; b++) if (share[b] > share[best]) best = b;
            Locality.Measurement top = o.locality().isEmpty() ? null : o.locality().get(0);
            lines.add(String.format(Locale.ROOT, "  %-6s top direction: %.1f%% in the planted '%s' block; inside/outside MSE ratio %s (random direction: %s)",
                    o.region(), 100 * share[best], DemoGenerator.BLOCKS.get(best), top == null ? "-" : Locality.formatRatio(top.ratio()),
                    o.baseline() == null ? "-" : Locality.formatRatio(o.baseline().ratio())));
            Map<String, Object> m = new LinkedHashMap<>();
            for (int b = 0; b < share.length; b++) m.put(DemoGenerator.BLOCKS.get(b), share[b]);
            planted.put(o.region(), m);
        }
        return planted;
    }
}
