/**
 * Attribute scores for InterFaceGAN: one number per generated sample saying how much of an
 * attribute it shows. {@link ganfactor.score.Scorer} is the abstraction; its implementations read
 * the generator's own ground-truth attributes ({@code attributes(wp)}, which the demo generator
 * exposes), run a TorchScript attribute model on the images, measure a statistic of the image
 * inside a region, or take the scores from a file. {@link ganfactor.score.ScoreFiles} reads and
 * checks score files ([N, 1] .npy as the reference writes them, or CSV). The boundary itself is
 * trained in {@code ganfactor.method.InterFaceGan}.
 */
package ganfactor.score;
