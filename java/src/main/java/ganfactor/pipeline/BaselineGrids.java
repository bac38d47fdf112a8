package ganfactor.pipeline;

import ganfactor.InputException;
import ganfactor.edit.Editor;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.io.OutputDir;
import ganfactor.method.Directions;
import ganfactor.render.Grid;
import ganfactor.render.Images;
import org.bytedeco.javacpp.PointerScope;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static ganfactor.InputException.ref;

/**
 * Edit grids for the global baselines (SeFa, GANSpace): the first directions, each applied to a
 * few seeded W codes over a range of strengths, one PNG per direction.
 */
public final class BaselineGrids {
    private BaselineGrids() {}

    /**
     * What to draw: the first {@code show} directions (0 = none) on {@code num} W codes from
     * {@code seed}; {@code strengths} and {@code layers} (null: the method's reference range and
     * layers) after truncation by {@code psi} on {@code psiLayers}; cells of {@code cell} pixels.
     */
    public record Spec(int show, long seed, int num, String strengths, String layers, double psi, int psiLayers, int cell) {
        public Spec {
            if (show < 0) throw new InputException(ref("show") + " must be >= 0");
            if (num < 1) throw new InputException(ref("edit-num") + " must be positive");
            ganfactor.render.Grid.checkCell(cell, false);
        }

        /** Grids for the first directions of {@code dirs}; {@code scale} as in {@link BaselineGrids#render}. Returns a JSON-ready record. */
        public Map<String, Object> render(Generator g, Directions dirs, OutputDir dir, String method, double[] defaultStrengths, int[] defaultLayers, double[] scale) {
            int n = Math.min(show, dirs.count());
            if (n == 0) return new LinkedHashMap<>();
            double[] base = strengths != null ? Editor.parseStrengths(strengths) : defaultStrengths;
            int[] ls = layers != null ? Editor.parseLayers(layers, g.numLayers()) : defaultLayers;
            return BaselineGrids.render(g, dirs, n, dir, method, base, ls, scale, seed, num, psi, psiLayers, cell);
        }
    }

    /**
     * Writes {@code grid_<j>.png} for the first {@code n} directions. Direction j is edited by
     * {@code strengths * scale[j]} (scale null = 1) on {@code layers}, the codes truncated by
     * {@code psi} on {@code psiLayers} first when the generator has w_avg. Returns a JSON-ready record.
     */
    public static Map<String, Object> render(Generator g, Directions dirs, int n, OutputDir dir, String method, double[] strengths, int[] layers,
                                             double[] scale, long seed, int num, double psi, int psiLayers, int cell) {
        boolean truncate = psi != 1.0 && g.wAvg() != null;
        Editor.Settings es = Editor.Settings.defaults().withLayers(layers).withTruncation(truncate ? psi : 1.0, psiLayers);
        Editor ed = new Editor(g, Latents.fromSeed(g, LatentSpace.W, seed, num, 1.0, g.numLayers()), es);
        List<String> files = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            double s = scale == null ? 1 : scale[j];
            double[] st = new double[strengths.length];
            for (int i = 0; i < st.length; i++) st[i] = strengths[i] * s;
            try (PointerScope scope = new PointerScope()) {
                Editor.Result r = ed.edit(dirs.row(j), st);
                String title = String.format(Locale.ROOT, "%s direction %d (value %.4g)%s", method, j, dirs.values()[j],
                        scale == null ? "" : String.format(Locale.ROOT, ", strengths x std %.3g", s));
                Images.write(Grid.render(r, null, title, cell), dir.file("grid_" + j + ".png"));
                files.add("grid_" + j + ".png");
            }
        }
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("grids", files);
        rec.put("codes", "W from seed " + seed + ", " + num + " codes");
        rec.put("strengths", strengths);
        if (scale != null) rec.put("strengths_scaled_by", "each component's std");
        rec.put("layers", Editor.layersLabel(es.layers(), g.numLayers()));
        rec.put("truncation_psi", truncate ? psi : 1.0);
        rec.put("truncation_layers", psiLayers);
        return rec;
    }
}
