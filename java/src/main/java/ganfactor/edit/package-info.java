/**
 * Editing with a latent direction and measuring the edit. {@link ganfactor.edit.Editor} turns
 * latent codes of any space into W+ codes (mapping, broadcast, truncation), moves them along a
 * direction by a range of strengths on a chosen set of layers, and renders the originals and the
 * edits; it also parses the strength and layer specifications the commands accept.
 * {@link ganfactor.edit.Locality} is the ReSeFa paper's Fig. 5 measurement: the mean squared
 * change inside a region and outside it, per sample and strength, with the inside/outside ratio
 * as a one-number summary. Rendering the results as pictures lives in {@code ganfactor.render}.
 */
package ganfactor.edit;
