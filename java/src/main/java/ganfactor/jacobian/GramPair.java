package ganfactor.jacobian;

/**
 * The Gram pair of one region for one latent code: A = J_R^T J_R / |R| and
 * B = J_R'^T J_R' / |R'|, d x d, row-major, float64. {@code inside} and {@code outside} are the
 * Jacobian row counts |R| and |R'| (view pixels times view channels), so that
 * J^T J = inside * A + outside * B.
 */
public record GramPair(String region, int dim, long inside, long outside, double[] a, double[] b) {
}
