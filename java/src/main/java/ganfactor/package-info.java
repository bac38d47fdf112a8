/**
 * The root package: the few process-wide pieces every other package shares.
 * {@link ganfactor.Engine} loads the LibTorch natives once, sets LibTorch's intra-op thread count
 * ({@code --threads}, all cores by default) and reports what the runtime says about itself
 * (versions, cores, the CUDA probe and the device {@code auto} picks). {@link ganfactor.InputException}
 * is the one "bad input" error (a file, flag, shape or region the user gave): the CLI prints it on
 * one line and exits with code 2, the C API returns it as a status. {@link ganfactor.IntRanges}
 * parses the index lists users type ({@code all}, {@code 3}, {@code 0,2,4}, {@code 4-7}).
 *
 * <p>Dependencies: LibTorch through JavaCPP, and {@code ganfactor.torch} ({@code Engine.info()}
 * asks {@code Devices} for the probe). Every package may use these classes. Like the rest of the
 * core, the root never imports {@code ganfactor.cli} or {@code ganfactor.embed}.
 */
package ganfactor;
