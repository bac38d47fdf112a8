package ganfactor.cli;

import ganfactor.method.LowRankGan;
import ganfactor.pipeline.Methods;
import picocli.CommandLine.Model.CommandSpec;

/** LowRankGAN's null-space settings (RPCA and ranks) of {@code edit --local} and {@code localize}, from the registry. */
final class LowRank {
    private LowRank() {}

    /** The options typed on {@code spec}'s command line (an auto lambda is chosen from the Gram's d by the library). */
    static LowRankGan.Options options(CommandSpec spec) {
        return Methods.lowRankGan(RegistryOptions.request(spec, Methods.LOWRANKGAN, Methods.nullSpaceSettings()));
    }
}
