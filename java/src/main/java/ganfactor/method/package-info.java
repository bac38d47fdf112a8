/**
 * The discovery methods, as plain algorithms over Grams, weights and samples.
 * {@link ganfactor.method.ReSeFa} solves a region's Gram pair as the generalized eigenproblem
 * A n = lambda B n (standard path, or the paper's fast Woodbury path from the region's rows);
 * {@link ganfactor.method.LowRankGan} takes the low-rank parts of A and B by
 * {@link ganfactor.method.Rpca} (ADMM or IALM) and projects A's principal vectors onto B's null
 * space; {@link ganfactor.method.SeFa} factorises the style affines; {@link ganfactor.method.GanSpace}
 * is PCA of sampled W codes (streamed by {@link ganfactor.method.Moments});
 * {@link ganfactor.method.InterFaceGan} trains a linear SVM boundary and projects out conditions.
 * The others return {@link ganfactor.method.Directions}: unit rows, descending values, canonical
 * signs, an info record with warnings. The mathematics: {@code docs/ALGORITHMS.md}.
 *
 * <p>Dependencies: the root, {@code generator}, {@code io}, {@code jacobian} ({@code GramPair},
 * {@code Progress}), {@code linalg} (every dense factorisation) and {@code torch}. The pipeline's
 * {@code Solver}s wrap these classes, so this package never imports {@code ganfactor.pipeline},
 * {@code ganfactor.cli} or {@code ganfactor.embed}.
 */
package ganfactor.method;
