package ganfactor.cli;

import ganfactor.InputException;
import ganfactor.jacobian.GramPair;
import ganfactor.method.Directions;

/** LowRankGAN glue for the CLI (filled in when the method lands). */
final class LowRank {
    private LowRank() {}

    static Directions solve(GramPair gp, MethodOptions mo) {
        throw new InputException("--method lowrankgan is not available in this build");
    }
}
