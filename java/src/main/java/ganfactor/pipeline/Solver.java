package ganfactor.pipeline;

import ganfactor.generator.Generator;
import ganfactor.jacobian.GramPair;
import ganfactor.method.Directions;
import org.bytedeco.pytorch.Tensor;

/**
 * The contract every direction-finding method implements, so that the pipeline, the command line,
 * the C API and any other front end call them alike: ReSeFa and LowRankGAN solve a region's Gram
 * pair ({@link #regional()} true); SeFa (the generator's weights) and GANSpace (sampled codes) are
 * global baselines that ignore the region. A solver is immutable: its options are fixed at
 * construction, and a call that needs them changed (the problem's cancellation token tied in) works
 * on its own copy, so one solver serves several threads at once (SolverSharingTest).
 */
public interface Solver {
    /** The method's name as files and records give it: resefa, lowrankgan, sefa, ganspace. */
    String name();

    /** Whether it solves a region's Grams (else it needs only the generator). */
    boolean regional();

    /**
     * Whether the region's Jacobian rows should be kept for a problem with {@code regionRows} rows
     * of dimension {@code d} (ReSeFa's fast path), decided before the Jacobian runs.
     */
    default boolean wantsRegionRows(int d, long regionRows) {
        return false;
    }

    /** Edit strengths the method's reference renders with. */
    double[] defaultStrengths();

    /** The directions for one problem. */
    Directions solve(Problem p);

    /**
     * One problem: the region's Gram pair (null for global methods), its scaled Jacobian rows
     * (J_R / sqrt|R|, so that A = rows^T rows; null when not kept), the generator, and the run's
     * context (the token that stops long solves, their progress and spans).
     */
    record Problem(GramPair grams, Tensor regionRows, Generator generator, RunContext context) {
        public static Problem of(GramPair grams) {
            return new Problem(grams, null, null, RunContext.QUIET);
        }

        public static Problem global(Generator g, RunContext context) {
            return new Problem(null, null, g, context);
        }

        public Cancellation cancellation() {
            return context.cancellation();
        }

        GramPair requireGrams(String method) {
            if (grams == null) throw new IllegalArgumentException(method + " solves a region's Gram pair; none was given");
            return grams;
        }
    }
}
