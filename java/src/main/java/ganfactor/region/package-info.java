/**
 * Where in the picture: regions and the Jacobian view they are drawn on.
 * {@link ganfactor.region.View} is the view of a generator output [C, H, W] the Jacobian is taken
 * of (nearest-neighbour resize to a square grid, channels kept or summed; the default is the
 * official ReSeFa rule) and the row indexing of the Jacobian. {@link ganfactor.region.Region} is a
 * set of view pixels R (its complement R') with the reference box it came from, if any.
 * {@link ganfactor.region.Regions} parses the region specifications commands accept: reference
 * boxes {@code cr,cc,h,w}, the generator's own or the FFHQ presets, the generator's ground-truth
 * part masks and PNG/.npy mask files, scaled to the view grid.
 *
 * <p>Dependencies: the root's {@code InputException}, {@code ganfactor.generator} (presets and
 * masks a generator exposes), {@code ganfactor.io} (mask files) and {@code ganfactor.torch}. It
 * never imports {@code ganfactor.cli} or {@code ganfactor.embed}.
 */
package ganfactor.region;
