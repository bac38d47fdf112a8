package ganfactor.score;

import org.bytedeco.pytorch.Tensor;

/**
 * Scores a batch of generated samples for one attribute. The sampler calls {@link #score} once per
 * batch, in order, inside a {@code PointerScope} and under {@code NoGradGuard}; tensors passed in
 * belong to that scope.
 */
public interface Scorer {
    /**
     * One batch: samples {@code first .. first + count - 1}; {@code wp} their W+ codes [B, L, d]
     * (as rendered, after truncation) in the generator's dtype; {@code images} [B, C, H, W] in
     * [-1, 1] and {@code pixels} the same values as a row-major Java array, both null unless some
     * scorer {@link #needsImages() needs images}.
     */
    record Batch(int first, int count, Tensor wp, Tensor images, float[] pixels, int channels, int height, int width) {}

    /** The attribute's name (file names: scores_NAME.npy). */
    String name();

    /** How the score is made, for the JSON record. */
    String definition();

    /** Whether {@link #score} reads the images (else synthesis can be skipped). */
    boolean needsImages();

    /** The scores of the batch's samples, [count]. */
    double[] score(Batch batch);
}
