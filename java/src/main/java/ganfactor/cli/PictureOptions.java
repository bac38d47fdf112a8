package ganfactor.cli;

import ganfactor.pipeline.BaselineGrids;
import picocli.CommandLine.Option;

/** The edit grids of the global baselines (SeFa, GANSpace): which directions, codes, strengths and layers. */
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

    BaselineGrids.Spec spec() {
        return new BaselineGrids.Spec(show, editSeed, editNum, strengths, editLayers, psi, psiLayers, cell);
    }
}
