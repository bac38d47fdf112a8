/**
 * Pictures of results, drawn with Java2D alone (it works headless; no LibTorch here).
 * {@link ganfactor.render.Images} turns generator outputs (values in [-1, 1], [B, C, H, W]) into
 * images, outlines a region on them, draws a region's mask and writes PNGs.
 * {@link ganfactor.render.Grid} lays an {@code Editor.Result} out as one edit grid: a row per
 * sample, the original with the region outlined, then a labelled column per strength.
 * {@link ganfactor.render.Chart} draws line charts, among them the locality report of a
 * {@code Locality.Measurement} (change inside and outside the region against strength, log axis
 * when the values span more than two decades).
 *
 * <p>Dependencies: {@code ganfactor.edit} (the results it draws) and {@code ganfactor.region}
 * only. It never imports {@code ganfactor.cli} or {@code ganfactor.embed}.
 */
package ganfactor.render;
