package ganfactor.pipeline;

import ganfactor.InputException;
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
import java.util.function.IntFunction;

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
     * Edits along {@code rows[i]} for each i in {@code indices}, writing {@code originals.npy},
     * {@code mask_<region>.png} and, per direction, {@code grid_<i>.png}, {@code edited_<i>.npy}
     * and the locality files into {@code dir} (not committed). {@code title} gives each grid's title.
     */
    public static List<Outcome> run(Generator g, Latents lat, double[][] rows, int[] indices, double[] strengths, Editor.Settings settings,
                                    Region region, int cell, IntFunction<String> title, Cancellation cancellation, OutputDir dir) {
        Editor editor = new Editor(g, lat, settings);
        Npy.writeFloat64(dir.file("originals.npy"), editor.originalCodes(), lat.count(), g.numLayers(), g.latentDim());
        if (region != null) Images.write(Images.mask(region), dir.file("mask_" + region.name() + ".png"));
        List<Outcome> out = new ArrayList<>();
        for (int i : indices) {
            Editor.Result r = editor.edit(rows[i], strengths);
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("index", i);
            rec.put("kind", rows[i].length == g.latentDim() ? "w" : "wp");
            rec.put("norm", Directions.norm(rows[i]));
            rec.put("grid", "grid_" + i + ".png");
            rec.put("edited_codes", "edited_" + i + ".npy");
            String t = title.apply(i);
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

    /**
     * The rows of a directions file: [d] or [L d] (one direction), [k, d] or [k, L d], or
     * [k, L, d] (W+ rows). Float dtypes only.
     */
    public static double[][] readDirections(Path file, int d, int L) {
        NpyArray a = Npy.read(file);
        if (a.dtype().length() < 2 || a.dtype().charAt(1) != 'f')
            throw new InputException(file + ": directions must be a float array, got dtype '" + a.dtype() + "'");
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
