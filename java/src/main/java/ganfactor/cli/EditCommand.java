package ganfactor.cli;

import ganfactor.io.BoundaryFiles;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "edit", description = {
        "Edit latent codes along a direction and render a grid: rows = samples, columns = the original then one per strength.",
        "Writes grid_<i>.png, edited_<i>.npy [N, S, L, d], originals.npy [N, L, d] and edit.json into --out; with --region also",
        "mask_<region>.png, locality_<i>.csv and locality_<i>.png (mean squared change inside and outside the region, ReSeFa Fig. 5).",
        "--boundary edits along an InterFaceGAN boundary [1, d] as the reference does: Z and W codes by absolute signed distance",
        "x + (a - x.n) n, W+ codes by a relative offset wp + a n on every layer, strengths linspace(-3, 3, 10) unless given."})
final class EditCommand implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Option(names = "--direction", description = "directions .npy: [k, d] or [d] (W/Z), [k, L*d] or [k, L, d] (W+), any float dtype")
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

    @Option(names = "--region", description = "region to outline and measure: cr,cc,h,w | preset | ffhq:preset | mask:part | mask.png | mask.npy, optionally NAME=...")
    String region;

    @Option(names = "--local", description = "first project the direction(s) into this region's background null space (LowRankGAN): "
            + "B from the exact Jacobian at the codes (mean over them), RPCA, n' = N N^T n / ||N N^T n||; also the default --region")
    String local;

    @picocli.CommandLine.Mixin LowRank lowRank;

    @Option(names = "--grid", defaultValue = "256", description = "view grid the region is given on (default: ${DEFAULT-VALUE})")
    int grid;

    @Option(names = "--cell", defaultValue = "128", description = "cell width in the grid image, pixels; 0 = the image size (default: ${DEFAULT-VALUE})")
    int cell;

    @Option(names = "--batch", defaultValue = "8", description = "codes per synthesis call (default: ${DEFAULT-VALUE})")
    int batch;

    @picocli.CommandLine.Mixin OutputOptions output;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        if ((direction == null) == (boundary == null)) throw new InputException("give either --direction or --boundary");
        if (strengths == null) strengths = boundary != null ? "-3:3:10" : "-3:3:7";
        double[] alphas = Editor.parseStrengths(strengths);
        Editor.Mode m = mode != null ? Editor.Mode.parse(mode) : boundaryMode();
        if (cell < 0 || cell > 4096) throw new InputException("--cell must be between 0 and 4096, got " + cell);
        if (batch < 1) throw new InputException("--batch must be positive, got " + batch);
        Generator g = common.openGenerator();
        int L = g.numLayers(), d = g.latentDim();
        int[] ls = Editor.parseLayers(layers, L);
        Path source = source();
        double[][] rows = boundary != null ? new double[][]{EditJob.boundaryForEdit(BoundaryFiles.readBoundary(boundary), d, L)} : EditJob.readDirections(direction, d, L);
        int[] indices = boundary != null ? new int[]{0} : parseIndices(index, rows.length, direction);
        for (int i : indices) EditJob.checkRow(rows[i], i, source);
        if (rows[0].length == L * d && L > 1 && common.latentSpace() == ganfactor.generator.LatentSpace.Z)
            throw new InputException(source + ": W+ directions (" + L + " x " + d + " values) cannot edit Z codes: use --space w or wp");
        // truncation is the editor's (before the edit), so the codes are taken untruncated here
        Latents lat = common.latents != null ? Latents.fromFile(g, common.latentSpace(), common.latents)
                : Latents.fromSeed(g, common.latentSpace(), common.seed, common.num, 1.0, L);
        Region reg = region == null ? null : Regions.parseAll(List.of(region), grid, g, false).get(0);
        Map<String, Object> localRec = null;
        if (local != null) {
            Region lr = Regions.parseAll(List.of(local), grid, g, false).get(0);
            if (reg == null) reg = lr;
            LocalEdit.Result le = LocalEdit.project(g, lat, lr, grid, rows, indices, lowRank.options(0), TerminalProgress.auto(common.quiet), Main.CANCEL);
            System.out.printf("local edit in %s: background null space of %d of %d dimensions%n", lr.name(), le.nullSpaceDimension(), le.dim());
            localRec = le.record();
        }
        Editor.Settings settings = Editor.Settings.defaults().withLayers(ls).withMode(m).withTruncation(common.psi, common.truncationLayers(g)).withBatch(batch);

        try (OutputDir dir = output.open("ganfactor edit")) {
            final Region shown = reg;
            List<EditJob.Outcome> outs = EditJob.run(g, lat, rows, indices, alphas, settings, reg, cell, i -> title(g, i, ls, m, shown), Main.CANCEL, dir);
            List<Map<String, Object>> perDirection = outs.stream().map(EditJob.Outcome::record).toList();
            List<String> lines = outs.stream().map(EditJob.Outcome::line).toList();
            double secs = (System.nanoTime() - t0) / 1e9;
            RunRecord editRecord = record(g, lat, reg, ls, m, alphas, settings, indices, perDirection, secs);
            if (localRec != null) editRecord.put("local", localRec);
            dir.writeString("edit.json", editRecord.json());
            dir.commit();
            System.out.printf("%d sample(s) x %d strength(s), %s codes, layers %s, %s mode%s: %.2f s%n", lat.count(), alphas.length,
                    lat.space().label(), Editor.layersLabel(ls, L), m.label(),
                    common.psi != 1.0 ? String.format(", psi %s on %d layers", common.psi, Math.min(L, common.truncLayers)) : "", secs);
            lines.forEach(System.out::println);
            for (int i : indices)
                if (m == Editor.Mode.RELATIVE && Math.abs(Directions.norm(rows[i]) - 1) > 1e-3)
                    System.out.printf("  note: direction %d has norm %.4g; relative strengths are multiples of it%n", i, Directions.norm(rows[i]));
            System.out.println("wrote " + dir.target());
        }
        return 0;
    }

    private RunRecord record(Generator g, Latents lat, Region reg, int[] ls, Editor.Mode m, double[] alphas, Editor.Settings s,
                                       int[] indices, List<Map<String, Object>> perDirection, double secs) {
        RunRecord rec = RunRecord.of("ganfactor edit");
        rec.generator(g);
        rec.put("space", lat.space().label());
        rec.put("latents", lat.origin());
        rec.put("samples", lat.count());
        rec.put(boundary != null ? "boundary_file" : "direction_file", source().toString());
        rec.put("indices", indices);
        rec.put("strengths", alphas);
        rec.put("strengths_spec", strengths);
        rec.put("layers", ls);
        rec.put("mode", m.label());
        rec.put("mode_definition", m == Editor.Mode.RELATIVE ? "x + a n on the chosen layers"
                : "x + (a - x.n^) n^ with n^ = n/|n|: per chosen layer for a d-direction, on the masked W+ code for a W+ direction");
        Map<String, Object> tr = new LinkedHashMap<>();
        tr.put("psi", s.psi());
        tr.put("layers", Math.min(g.numLayers(), s.truncationLayers()));
        tr.put("order", "truncation before the edit");
        rec.put("truncation", tr);
        if (reg != null) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", reg.name());
            r.put("origin", reg.origin());
            r.put("grid", reg.grid());
            if (reg.box() != null) r.put("box", reg.box());
            r.put("mask", "mask_" + reg.name() + ".png");
            r.put("image_mapping", "nearest neighbour from the view grid to image pixels");
            rec.put("region", r);
        }
        Map<String, Object> files = new LinkedHashMap<>();
        files.put("originals", "originals.npy [N, L, d] float64 (W+ codes after truncation)");
        files.put("edited", "edited_<i>.npy [N, S, L, d] float64");
        rec.put("files", files);
        rec.put("directions", perDirection);
        rec.put("cell", cell);
        rec.put("batch", s.batch());
        rec.put("seconds_total", secs);
        return rec;
    }

    private String title(Generator g, int i, int[] ls, Editor.Mode m, Region reg) {
        String src = Path.of(g.source()).getFileName().toString();
        String dirName = source().getFileName().toString();
        StringBuilder t = new StringBuilder(src + " · " + dirName + " [" + i + "] · layers " + Editor.layersLabel(ls, g.numLayers()) + " · " + m.label());
        if (common.psi != 1.0) t.append(" · psi ").append(common.psi);
        if (reg != null) t.append(" · region ").append(reg.name());
        return t.toString();
    }

    private Path source() {
        return boundary != null ? boundary : direction;
    }

    /**
     * The reference's edit for a boundary: codes with one vector each (Z, W) are placed at signed
     * distance a from the boundary's hyperplane (absolute); W+ codes are offset by a n on every
     * layer (relative).
     */
    private Editor.Mode boundaryMode() {
        if (boundary == null) return Editor.Mode.RELATIVE;
        return common.latentSpace() == ganfactor.generator.LatentSpace.WP ? Editor.Mode.RELATIVE : Editor.Mode.ABSOLUTE;
    }

    /** "0", "0,1,2", "0-3" or a mix, checked against k rows; ascending, no repeats. */
    static int[] parseIndices(String spec, int k, Path file) {
        return ganfactor.IntRanges.parse(spec, k, "--index (" + file + " holds " + k + " direction(s))");
    }

}
