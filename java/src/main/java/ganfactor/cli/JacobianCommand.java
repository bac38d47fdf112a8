package ganfactor.cli;

import ganfactor.generator.Generator;
import ganfactor.generator.Latents;
import ganfactor.io.OutputDir;
import ganfactor.pipeline.GramJob;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "jacobian", header = "Compute the region Gram matrices A and B of the exact Jacobian, per region and sample.", description = {
        "Exact region Gram matrices A = J_R^T J_R / |R| and B = J_R'^T J_R' / |R'| of the Jacobian view, per region and sample.",
        "Writes <region>_A.npy and <region>_B.npy [N, D, D] float64, latents.npy and jacobian.json into --out."})
final class JacobianCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin ViewOptions viewOptions;
    @Option(names = "--region", required = true, description = "region: " + ganfactor.region.Regions.SPECS + "; repeat for several")
    List<String> regions;
    @Mixin JacobianOptions jacobianOptions;
    @Option(names = "--save-jacobian", description = "also write jacobian.npy in the official layout: [N, C, G, G, 1, D] float32 with the channels as rows (--reduce none), [N, G, G, 1, D] when reduced")
    boolean saveJacobian;
    @picocli.CommandLine.Mixin OutputOptions output;
    @picocli.CommandLine.Mixin TraceOptions traceOptions;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ganfactor.trace.Trace trace = traceOptions.start(CommandInputs.of(spec, "--trace"));
        Generator g;
        try (ganfactor.trace.Span sp = trace.span("load model", "model", common.model)) {
            g = common.openGenerator();
        }
        Latents lat;
        try (ganfactor.trace.Span sp = trace.span("latent codes", "space", common.space)) {
            lat = common.latents(g);
        }
        View view = viewOptions.view(g);
        List<Region> rs = Regions.parseAll(regions, view.grid(), g, viewOptions.unscaledPresets);
        JacobianEngine.Options o = Main.context(common.quiet, trace).engine(jacobianOptions.engineOptions());
        try (OutputDir dir = output.open("ganfactor jacobian")) {
            GramJob.Run run = GramJob.run(g, lat, view, rs, o, dir, saveJacobian);
            dir.writeString("jacobian.json", GramJob.record(g, lat, view, rs, o, run).json());
            dir.commit();
            System.out.printf("%d sample(s) x %d region(s), %s space, D = %d, view %dx%d (%s), %s mode: %.2f s%n",
                    lat.count(), rs.size(), lat.space().label(), lat.dim(), view.grid(), view.grid(), view.reduce().label(), o.mode.label(), run.secondsTotal());
            String work = ganfactor.pipeline.Work.line(ganfactor.pipeline.Work.jacobian(g, lat, view, rs, run));
            if (!work.isEmpty()) System.out.println(work);
            for (Region r : rs)
                System.out.printf("  %-12s |R| = %-6d |R'| = %-6d  %s%n", r.name(), r.count() * view.viewChannels(), (view.pixels() - r.count()) * view.viewChannels(), r.origin());
            System.out.println("wrote " + dir.target());
        }
        String t = traceOptions.finish();
        if (t != null) System.out.println(t);
        return 0;
    }
}
