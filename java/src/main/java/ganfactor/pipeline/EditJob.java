package ganfactor.pipeline;

import ganfactor.InputException;
import ganfactor.IntRanges;
import ganfactor.generator.LatentSpace;
import ganfactor.io.BoundaryFiles;
import ganfactor.edit.Editor;
import ganfactor.edit.Locality;
import ganfactor.generator.Generator;
import ganfactor.generator.Latents;
import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import ganfactor.io.OutputDir;
import ganfactor.method.Directions;
import ganfactor.region.Region;
import ganfactor.render.Chart;
import ganfactor.render.Grid;
import ganfactor.render.Images;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static ganfactor.InputException.ref;

/**
 * Editing along given directions ({@code ganfactor edit}): the codes moved along each chosen
 * direction over a range of strengths, rendered as a grid (rows: samples; columns: the original,
 * then one per strength), the edited codes written, and, with a region, the locality of each
 * edit (mean squared change inside and outside it, with its chart and CSV).
 */
public final class EditJob {
    private EditJob() {}

    /** One direction's result: its JSON entry and a line for the terminal. */
    public record Outcome(int index, Map<String, Object> record, String line) {}

    /**
     * An edit run: codes, the direction rows (unit boundary or directions file rows) and which
     * of them to use, the strengths (and how they were given), the editor's settings, an optional
     * region to outline and measure, the grid cell size, the file the rows came from (null: none),
     * and the grids' title (null: model, file and row, layers, mode, truncation and region).
     */
    public record Plan(Generator generator, Latents latents, double[][] rows, int[] indices, double[] strengths, String strengthsSpec,
                       Editor.Settings settings, Region region, int cell, Path source, boolean boundary, String title) {}

    /**
     * Edits along {@code rows[i]} for each chosen i, writing {@code originals.npy},
     * {@code mask_<region>.png} and, per direction, {@code grid_<i>.png}, {@code edited_<i>.npy}
     * and the locality files into {@code dir} (not committed).
     */
    public static List<Outcome> run(Plan p, RunContext context, OutputDir dir) {
        Cancellation cancellation = context.cancellation();
        Generator g = p.generator();
        Latents lat = p.latents();
        double[][] rows = p.rows();
        double[] strengths = p.strengths();
        Region region = p.region();
        int cell = p.cell();
        Editor editor = new Editor(g, lat, p.settings());
        Npy.writeFloat64(dir.file("originals.npy"), editor.originalCodes(), lat.count(), g.numLayers(), g.latentDim());
        if (region != null) Images.write(Images.mask(region), dir.file("mask_" + region.name() + ".png"));
        List<Outcome> out = new ArrayList<>();
        for (int i : p.indices()) {
            Editor.Result r = editor.edit(rows[i], strengths);
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("index", i);
            rec.put("kind", rows[i].length == g.latentDim() ? "w" : "wp");
            rec.put("norm", Directions.norm(rows[i]));
            rec.put("grid", "grid_" + i + ".png");
            rec.put("edited_codes", "edited_" + i + ".npy");
            String t = title(p, i);
            String line = String.format(Locale.ROOT, "  direction %d: grid_%d.png", i, i);
            if (region != null) {
                Locality.Measurement lm = Locality.measure(r, region, i);
                dir.writeString("locality_" + i + ".csv", Locality.csv(List.of(lm)));
                Images.write(Chart.locality(lm, null), dir.file("locality_" + i + ".png"));
                rec.put("locality", lm.summary());
                rec.put("locality_files", List.of("locality_" + i + ".csv", "locality_" + i + ".png"));
                t += ", inside/outside ratio " + Locality.formatRatio(lm.ratio());
                line += String.format(Locale.ROOT, ", %s inside/outside MSE ratio %s", region.name(), Locality.formatRatio(lm.ratio()));
            }
            Images.write(Grid.render(r, region, t, cell), dir.file("grid_" + i + ".png"));
            Npy.writeFloat64(dir.file("edited_" + i + ".npy"), r.editedCodes(), r.codeShape());
            out.add(new Outcome(i, rec, line));
            cancellation.check();
        }
        return out;
    }

    /** A grid's title: model, directions file and row, layers, mode, truncation and region. */
    static String title(Plan p, int i) {
        if (p.title() != null) return p.title();
        if (p.source() == null) return "direction " + i;
        Generator g = p.generator();
        Editor.Settings s = p.settings();
        StringBuilder t = new StringBuilder(Path.of(g.source()).getFileName() + " · " + p.source().getFileName() + " [" + i + "] · layers "
                + Editor.layersLabel(s.layers(), g.numLayers()) + " · " + s.mode().label());
        if (s.psi() != 1.0) t.append(" · psi ").append(s.psi());
        if (p.region() != null) t.append(" · region ").append(p.region().name());
        return t.toString();
    }

    /** edit.json: the codes, the file and rows, the strengths, layers, mode and truncation, the region, the files and each direction's entry. */
    public static RunRecord record(RunRecord rec, Plan p, List<Outcome> outcomes) {
        Generator g = p.generator();
        Editor.Settings s = p.settings();
        Editor.Mode m = s.mode();
        rec.generator(g);
        rec.put("space", p.latents().space().label());
        rec.put("latents", p.latents().origin());
        rec.put("samples", p.latents().count());
        if (p.source() != null) rec.put(p.boundary() ? "boundary_file" : "direction_file", p.source().toString());
        rec.put("indices", p.indices());
        rec.put("strengths", p.strengths());
        rec.put("strengths_spec", p.strengthsSpec());
        rec.put("layers", s.layers());
        rec.put("mode", m.label());
        rec.put("mode_definition", m == Editor.Mode.RELATIVE ? "x + a n on the chosen layers"
                : "x + (a - x.n^) n^ with n^ = n/|n|: per chosen layer for a d-direction, on the masked W+ code for a W+ direction");
        rec.put("truncation", RunRecord.ordered("psi", s.psi(), "layers", Math.min(g.numLayers(), s.truncationLayers()), "order", "truncation before the edit"));
        Region reg = p.region();
        if (reg != null) {
            Map<String, Object> r = RunRecord.ordered("name", reg.name(), "origin", reg.origin(), "grid", reg.grid());
            if (reg.box() != null) r.put("box", reg.box());
            r.put("mask", "mask_" + reg.name() + ".png");
            r.put("image_mapping", "nearest neighbour from the view grid to image pixels");
            rec.put("region", r);
        }
        rec.put("files", RunRecord.ordered("originals", "originals.npy [N, L, d] float64 (W+ codes after truncation)", "edited", "edited_<i>.npy [N, S, L, d] float64"));
        rec.put("directions", outcomes.stream().map(Outcome::record).toList());
        rec.put("cell", p.cell());
        rec.put("batch", s.batch());
        return rec;
    }

    /** The rows an edit moves along, which of them to use, and the file they came from. */
    public record Rows(double[][] rows, int[] indices, Path source, boolean boundary) {}

    /**
     * The rows to edit: an InterFaceGAN {@code boundary} [1, d] scaled to unit length (row 0), or
     * the rows of a {@code direction} file chosen by {@code index} ("0", "0,2", "0-3"); each checked
     * finite and nonzero, and W+ rows refused for Z codes.
     */
    public static Rows rows(Generator g, LatentSpace space, Path direction, Path boundary, String index) {
        if ((direction == null) == (boundary == null)) throw new InputException("give either " + ref("direction") + " or " + ref("boundary"));
        int L = g.numLayers(), d = g.latentDim();
        Path source = boundary != null ? boundary : direction;
        double[][] rows = boundary != null ? new double[][]{boundaryForEdit(BoundaryFiles.readBoundary(boundary), d, L)} : readDirections(direction, d, L);
        int[] indices = boundary != null ? new int[]{0} : IntRanges.parse(index, rows.length, ref("index") + " (" + direction + " holds " + rows.length + " direction(s))");
        for (int i : indices) checkRow(rows[i], i, source);
        if (rows[0].length == L * d && L > 1 && space == LatentSpace.Z)
            throw new InputException(source + ": W+ directions (" + L + " x " + d + " values) cannot edit Z codes: use " + ref("space") + " w or wp");
        return new Rows(rows, indices, source, boundary != null);
    }

    /**
     * The reference's edit for a boundary: codes with one vector each (Z, W) are placed at signed
     * distance a from the boundary's hyperplane (absolute); W+ codes are offset by a n on every
     * layer (relative). Directions are always relative.
     */
    public static Editor.Mode defaultMode(boolean boundary, LatentSpace space) {
        return boundary && space != LatentSpace.WP ? Editor.Mode.ABSOLUTE : Editor.Mode.RELATIVE;
    }

    /**
     * The rows of a directions file: [d] or [L d] (one direction), [k, d] or [k, L d], or
     * [k, L, d] (W+ rows). Float dtypes, or integer dtypes whose values a double holds exactly.
     */
    public static double[][] readDirections(Path file, int d, int L) {
        NpyArray a = Npy.read(file).requireExactReal(file, "directions");
        long[] s = a.shape();
        int k, len;
        if (s.length == 1) { k = 1; len = (int) s[0]; }
        else if (s.length == 2) { k = (int) s[0]; len = (int) s[1]; }
        else if (s.length == 3 && s[1] == L && s[2] == d) { k = (int) s[0]; len = L * d; }
        else k = len = -1;
        if (k < 0 || (len != d && len != L * d))
            throw new InputException(file + ": expected directions of shape [k, " + d + "] (W/Z) or [k, " + L * d + "] / [k, " + L + ", " + d
                    + "] (W+) for this generator, got " + a.shapeString());
        if (k == 0) throw new InputException(file + ": holds no directions");
        double[][] rows = new double[k][];
        for (int i = 0; i < k; i++) rows[i] = Arrays.copyOfRange(a.data(), i * len, (i + 1) * len);
        return rows;
    }

    /** A direction must be finite and nonzero. */
    public static void checkRow(double[] row, int i, Path file) {
        for (double v : row) if (!Double.isFinite(v)) throw new InputException(file + ": direction " + i + " contains NaN or infinity");
        if (Directions.norm(row) == 0) throw new InputException(file + ": direction " + i + " is the zero vector");
    }

    /**
     * The vector an InterFaceGAN boundary edits along: the boundary [1, d] (or [1, L d] for a W+
     * boundary) scaled to unit length, so that strengths are distances in both modes.
     */
    public static double[] boundaryForEdit(double[] n, int d, int L) {
        if (n.length != d && n.length != L * d)
            throw new InputException("the boundary has " + n.length + " values; this generator's codes have " + d + " (z, w) or " + L * d + " (wp)");
        double s = Directions.norm(n);
        double[] u = new double[n.length];
        for (int i = 0; i < n.length; i++) u[i] = n[i] / s;
        return u;
    }

}
