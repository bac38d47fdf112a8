package ganfactor.cli;

import ganfactor.InputException;
import ganfactor.edit.Editor;
import ganfactor.generator.Generator;
import ganfactor.io.OutputDir;
import ganfactor.pipeline.BaselineGrids;
import ganfactor.method.Directions;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Edit grids for the global baselines (SeFa, GANSpace): the first {@code --show} directions,
 * each applied to a few seeded W codes over a range of strengths, one PNG per direction.
 */
final class PictureOptions {
    @Option(names = "--show", defaultValue = "5", description = "directions rendered as edit grids (0 = none; default: ${DEFAULT-VALUE})")
    int show;

    @Option(names = "--edit-seed", defaultValue = "0", description = "seed of the codes shown in the grids (default: ${DEFAULT-VALUE})")
    long editSeed;

    @Option(names = "--edit-num", defaultValue = "3", description = "codes (grid rows) per grid (default: ${DEFAULT-VALUE})")
    int editNum;

    @Option(names = "--strengths", description = "edit strengths: a:b:n or a list (default: the method's reference range)")
    String strengths;

    @Option(names = "--edit-layers", description = "layers the edit moves (default: the method's)")
    String editLayers;

    @Option(names = "--edit-truncation", defaultValue = "0.7", description = "truncation psi before editing (default: ${DEFAULT-VALUE}, as the references)")
    double psi;

    @Option(names = "--edit-truncation-layers", defaultValue = "8", description = "layers truncated (default: ${DEFAULT-VALUE})")
    int psiLayers;

    @Option(names = "--cell", defaultValue = "128", description = "grid cell size in pixels (default: ${DEFAULT-VALUE})")
    int cell;

    /**
     * Writes {@code grid_<j>.png} for the first directions. Direction j is edited by
     * {@code strengths * scale[j]} (scale null = 1) on {@code defaultLayers} unless --edit-layers
     * is given. Returns a JSON-ready record.
     */
    Map<String, Object> render(Generator g, Directions dirs, OutputDir dir, String method, double[] defaultStrengths, int[] defaultLayers, double[] scale) {
        int n = Math.min(show, dirs.count());
        if (show < 0) throw new InputException("--show must be >= 0");
        if (n == 0) return new LinkedHashMap<>();
        if (editNum < 1) throw new InputException("--edit-num must be positive");
        if (cell < 16) throw new InputException("--cell must be at least 16 pixels");
        double[] base = strengths != null ? Editor.parseStrengths(strengths) : defaultStrengths;
        int[] layers = editLayers != null ? Editor.parseLayers(editLayers, g.numLayers()) : defaultLayers;
        return BaselineGrids.render(g, dirs, n, dir, method, base, layers, scale, editSeed, editNum, psi, psiLayers, cell);
    }
}
