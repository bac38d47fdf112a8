package ganfactor.cli;

import ganfactor.InputException;
import ganfactor.edit.Editor;
import ganfactor.generator.Generator;
import ganfactor.generator.Latents;
import ganfactor.io.OutputDir;
import ganfactor.pipeline.EditJob;
import ganfactor.pipeline.LocalEdit;
import ganfactor.method.Directions;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.pipeline.RunRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "edit", header = "Edit latent codes along a direction or an InterFaceGAN boundary and render the grids.", description = {
        "Edit latent codes along a direction and render a grid: rows = samples, columns = the original then one per strength.",
        "Writes grid_<i>.png, edited_<i>.npy [N, S, L, d], originals.npy [N, L, d] and edit.json into --out; with --region also",
        "mask_<region>.png, locality_<i>.csv and locality_<i>.png (mean squared change inside and outside the region, ReSeFa Fig. 5).",
        "--boundary edits along an InterFaceGAN boundary [1, d] as the reference does: Z and W codes by absolute signed distance",
        "x + (a - x.n) n, W+ codes by a relative offset wp + a n on every layer, strengths linspace(-3, 3, 10) unless given."})
final class EditCommand implements Callable<Integer>, RegistryOptions.Offers {
    @Override
    public List<ganfactor.pipeline.Setting<?>> registrySettings() {
        return ganfactor.pipeline.Methods.nullSpaceSettings();
    }

    @Mixin CommonOptions common;
    @Option(names = "--direction", description = "directions .npy: [k, d] or [d] (W/Z), [k, L*d] or [k, L, d] (W+), any float dtype or integers")
    Path direction;
    @Option(names = "--boundary", description = "an InterFaceGAN boundary .npy [1, d] (train-boundary, project-boundary, or the reference's); instead of --direction")
    Path boundary;
    @Option(names = "--index", defaultValue = "0", description = "row(s) of --direction: 0, a list 0,1,2 or a range 0-3; one grid each (default: ${DEFAULT-VALUE})")
    String index;
    @Option(names = "--strengths", description = "START:STOP:COUNT (linspace, inclusive) or a list -2,0,2 (default: -3:3:7; -3:3:10 with --boundary)")
    String strengths;
    @Option(names = "--layers", defaultValue = "all", description = "layers to edit: all, a range 4-7 or a list 0,2,4 (default: ${DEFAULT-VALUE})")
    String layers;
    @Option(names = {"--edit-mode", "--mode"}, description = "relative: x + a n (ReSeFa, LowRankGAN, SeFa); absolute: x + (a - x.n) n (InterFaceGAN) "
            + "(default: relative; with --boundary absolute for z and w codes, relative for wp codes)")
    String mode;
    @Option(names = "--region", description = "region to outline and measure: " + ganfactor.region.Regions.SPECS)
    String region;
    @Option(names = "--local", description = "first project the direction(s) into this region's background null space (LowRankGAN): "
            + "B from the exact Jacobian at the codes (mean over them), RPCA, n' = N N^T n / ||N N^T n||; also the default --region")
    String local;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = "--grid", defaultValue = "256", description = "view grid the region is given on (default: ${DEFAULT-VALUE})")
    int grid;
    @Option(names = "--cell", defaultValue = "128", description = "cell width in the grid image, pixels; 0 = the image size (default: ${DEFAULT-VALUE})")
    int cell;
    @Option(names = "--batch", defaultValue = "8", description = "codes per synthesis call (default: ${DEFAULT-VALUE})")
    int batch;
    @picocli.CommandLine.Mixin OutputOptions output;
    @picocli.CommandLine.Mixin TraceOptions traceOptions;

    @Override
    public Integer call() {
        if ((direction == null) == (boundary == null)) throw new InputException("give either --direction or --boundary");
        if (strengths == null) strengths = boundary != null ? "-3:3:10" : "-3:3:7";
        double[] alphas = Editor.parseStrengths(strengths);
        Editor.Mode m = mode != null ? Editor.Mode.parse(mode) : EditJob.defaultMode(boundary != null, common.latentSpace());
        ganfactor.render.Grid.checkCell(cell, true);
        if (batch < 1) throw new InputException("--batch must be positive, got " + batch);
        ganfactor.trace.Trace trace = traceOptions.start(CommandInputs.of(spec, "--trace"));
        RunRecord rec = RunRecord.of("ganfactor edit");
        Generator g;
        try (ganfactor.trace.Span sp = trace.span("load model", "model", common.model)) {
            g = common.openGenerator();
        }
        int L = g.numLayers();
        int[] ls = Editor.parseLayers(layers, L);
        EditJob.Rows rows = EditJob.rows(g, common.latentSpace(), direction, boundary, index);
        // truncation is the editor's (before the edit), so the codes are taken untruncated here
        Latents lat;
        try (ganfactor.trace.Span sp = trace.span("latent codes", "space", common.space)) {
            lat = common.latents != null ? Latents.fromFile(g, common.latentSpace(), common.latents)
                    : Latents.fromSeed(g, common.latentSpace(), common.seed, common.num, 1.0, L);
        }
        Region reg = region == null ? null : Regions.parseAll(List.of(region), grid, g, false).get(0);
        Map<String, Object> localRec = null;
        if (local != null) {
            Region lr = Regions.parseAll(List.of(local), grid, g, false).get(0);
            if (reg == null) reg = lr;
            LocalEdit.Result le = LocalEdit.project(g, lat, lr, grid, rows.rows(), rows.indices(), LowRank.options(spec), Main.context(common.quiet, trace));
            System.out.printf("local edit in %s: background null space of %d of %d dimensions%n", lr.name(), le.nullSpaceDimension(), le.dim());
            localRec = le.record();
        }
        Editor.Settings settings = Editor.Settings.defaults().withLayers(ls).withMode(m).withTruncation(common.psi, common.truncationLayers(g)).withBatch(batch);
        EditJob.Plan plan = new EditJob.Plan(g, lat, rows.rows(), rows.indices(), alphas, strengths, settings, reg, cell, rows.source(), rows.boundary(), null);
        try (OutputDir dir = output.open("ganfactor edit")) {
            List<EditJob.Outcome> outs;
            try (ganfactor.trace.Span sp = trace.span("edits and pictures", "codes", lat.count(), "strengths", alphas.length, "directions", rows.indices().length)) {
                outs = EditJob.run(plan, Main.context(common.quiet, trace), dir);
            }
            EditJob.record(rec, plan, outs).put("seconds_total", rec.seconds());
            if (localRec != null) rec.put("local", localRec);
            dir.writeString("edit.json", rec.json());
            dir.commit();
            System.out.printf("%d sample(s) x %d strength(s), %s codes, layers %s, %s mode%s: %.2f s%n", lat.count(), alphas.length,
                    lat.space().label(), Editor.layersLabel(ls, L), m.label(),
                    common.psi != 1.0 ? String.format(", psi %s on %d layers", common.psi, Math.min(L, common.truncLayers)) : "", rec.seconds());
            outs.forEach(o -> System.out.println(o.line()));
            for (int i : rows.indices())
                if (m == Editor.Mode.RELATIVE && Math.abs(Directions.norm(rows.rows()[i]) - 1) > 1e-3)
                    System.out.printf("  note: direction %d has norm %.4g; relative strengths are multiples of it%n", i, Directions.norm(rows.rows()[i]));
            System.out.println("wrote " + dir.target());
        }
        String t = traceOptions.finish();
        if (t != null) System.out.println(t);
        return 0;
    }
}
