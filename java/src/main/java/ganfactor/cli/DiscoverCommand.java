package ganfactor.cli;

import ganfactor.InputException;
import ganfactor.edit.Editor;
import ganfactor.generator.Generator;
import ganfactor.generator.Latents;
import ganfactor.io.OutputDir;
import ganfactor.pipeline.Discovery;
import ganfactor.pipeline.RunRecord;
import ganfactor.pipeline.Solver;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "discover", header = "Find region directions end to end: Jacobian Grams, ReSeFa or LowRankGAN, edit grids, locality reports.", description = {
        "Region directions end to end: Jacobian Grams -> ReSeFa or LowRankGAN -> edits -> grids and locality report.",
        "Writes per region: mask.png, directions.npy [k, d] float32, eigenvalues.npy, grid_<j>.png, locality_<j>.png, locality.csv; and discover.json."})
final class DiscoverCommand implements Callable<Integer>, RegistryOptions.Offers {
    @Override
    public List<ganfactor.pipeline.Setting<?>> registrySettings() {
        return MethodOptions.SETTINGS;
    }

    @Mixin CommonOptions common;
    @Mixin ViewOptions viewOptions;
    @Mixin MethodOptions methodOptions;
    @Option(names = "--region", required = true, description = "region: " + ganfactor.region.Regions.SPECS + "; repeat for several")
    List<String> regions;
    @Option(names = "--aggregate", description = "one solve for the mean of all samples' Grams (directions that hold across images) instead of one per sample")
    boolean aggregate;
    @Option(names = "--show", defaultValue = "3", description = "directions rendered and measured per result (default: ${DEFAULT-VALUE})")
    int show;
    @Option(names = "--strengths", description = "edit strengths: a:b:n (linspace) or a list; default -10:10:7 for resefa, -4:4:7 for lowrankgan (the references')")
    String strengths;
    @Option(names = "--edit-layers", defaultValue = "all", description = "layers the edit moves: all, 4-7, 0,2,4 (default: ${DEFAULT-VALUE})")
    String editLayers;
    @Option(names = "--edit-truncation", defaultValue = "1.0", description = "truncation psi applied before editing (the ReSeFa reference: 0.7)")
    double editPsi;
    @Option(names = "--edit-truncation-layers", defaultValue = "8", description = "layers truncated before editing (default: ${DEFAULT-VALUE})")
    int editPsiLayers;
    @Option(names = "--cell", defaultValue = "128", description = "grid cell size in pixels (default: ${DEFAULT-VALUE})")
    int cell;
    @Option(names = "--no-baseline", description = "skip the random-direction locality baseline")
    boolean noBaseline;
    @Option(names = "--official-files", description = "also write the official compute_direction.py files per sample: image_XX_region_R_name_METHOD.npy (all d directions, [d, d] float32) and image_XX_region_R_name_METHOD_mask.png")
    boolean officialFiles;
    @Mixin JacobianOptions jacobianOptions;
    @picocli.CommandLine.Mixin OutputOptions output;
    @Mixin TraceOptions traceOptions;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ganfactor.pipeline.MethodRequest request = methodOptions.request();   // checked before the generator opens
        ganfactor.trace.Trace trace = traceOptions.start(CommandInputs.of(spec, "--trace"));
        Generator g;
        try (ganfactor.trace.Span sp = trace.span("load model", "model", common.model)) {
            g = common.openGenerator();
        }
        Solver solver;
        try (ganfactor.trace.Span sp = trace.span("method", "method", request.method().name())) {
            solver = request.solver(g.device());
        }
        Latents lat;
        try (ganfactor.trace.Span sp = trace.span("latent codes", "space", common.space)) {
            lat = common.latents(g);
        }
        View view;
        List<Region> rs;
        try (ganfactor.trace.Span sp = trace.span("view and regions")) {
            view = viewOptions.view(g);
            rs = Regions.parseAll(regions, view.grid(), g, viewOptions.unscaledPresets);
        }
        if (officialFiles && aggregate) throw new InputException("--official-files writes one file per sample, as the official script; it cannot be combined with --aggregate");
        if (officialFiles && request.get(ganfactor.pipeline.Methods.K) != 0) throw new InputException("--official-files writes all d directions, as the official script; leave --k at 0");
        if (show < 0) throw new InputException("--show must be >= 0");
        ganfactor.render.Grid.checkCell(cell, false);
        Discovery.Settings s = new Discovery.Settings();
        s.solver = solver;
        s.request = request;
        s.aggregate = aggregate;
        s.officialFiles = officialFiles;
        s.show = show;
        if (strengths != null) s.strengths = Editor.parseStrengths(strengths);
        s.edit = Editor.Settings.defaults().withLayers(Editor.parseLayers(editLayers, g.numLayers())).withTruncation(editPsi, editPsiLayers);
        s.cell = cell;
        s.baseline = !noBaseline;
        s.jacobian = jacobianOptions.engineOptions();
        s.context = Main.context(common.quiet, trace);
        RunRecord rec = RunRecord.of("ganfactor discover");
        OutputDir opened;
        try (ganfactor.trace.Span sp = trace.span("open output")) {
            opened = output.open("ganfactor discover");
        }
        try (OutputDir dir = opened) {
            Discovery.Found found = Discovery.discover(g, lat, view, rs, s);
            Discovery.Report rep;
            try (ganfactor.trace.Span sp = trace.span("write report", "folder", dir.target().toString())) {
                rep = Discovery.write(g, lat, rs, s, found, dir);
                Discovery.writeRecord(rec, g, lat, view, rs, s, rep, null, dir);
                dir.commit();
            }
            System.out.printf("%s on %d region(s), %d sample(s), %s space (d = %d): Jacobian %.2f s, solve %.3f s, edits and pictures %.2f s%n",
                    solver.name(), rs.size(), lat.count(), lat.space().label(), lat.dim(), rep.jacobianSeconds(), rep.solveSeconds(), rep.editSeconds());
            Printing.report(rep, System.out);
            String work = ganfactor.pipeline.Work.line(ganfactor.pipeline.Work.jacobian(g, lat.space(), lat.dim(), view.rows(), rs.size(), rep.jacobianPasses(), lat.count(), rep.jacobianSeconds()));
            if (!work.isEmpty()) System.out.println(work);
            System.out.println("wrote " + dir.target());
        }
        String t = traceOptions.finish();
        if (t != null) System.out.println(t);
        return 0;
    }
}
