/**
 * The Jacobian engine: the expensive step of every region method. {@link ganfactor.jacobian.JacobianEngine}
 * computes the exact P x D Jacobian of a generator's {@code View} at one latent code in pixel
 * blocks sized to a memory budget (auto: from the memory the machine has), accumulates every
 * region's Gram pair from each block in float64 and drops the block, so the whole J never has to
 * exist; a {@code Sink} may still receive J's rows (the region rows ReSeFa's fast path needs).
 * {@link ganfactor.jacobian.GramPair} is one region's pair A = J_R^T J_R / |R| and
 * B = J_R'^T J_R' / |R'|, on the host or on the device. {@link ganfactor.jacobian.Mode} picks
 * forward mode (batched JVPs, the default), double-backward or reverse mode (the reference's),
 * all equal to rounding; {@link ganfactor.jacobian.Progress} receives progress of long work.
 *
 * <p>Dependencies: the root's {@code InputException}, {@code ganfactor.generator},
 * {@code ganfactor.region} and {@code ganfactor.torch}. It never imports {@code ganfactor.cli} or
 * {@code ganfactor.embed}.
 */
package ganfactor.jacobian;
