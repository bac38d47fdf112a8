/**
 * The root package: the few process-wide pieces every other package shares.
 * {@link ganfactor.Engine} loads the LibTorch natives once, sets LibTorch's intra-op thread count
 * ({@code --threads}, all cores by default) and reports what the runtime says about itself
 * (versions, cores, threads; {@code ganfactor.torch.Devices.info()} adds the CUDA probe). {@link ganfactor.InputException}
 * is the one "bad input" error (a file, flag, shape or region the user gave): the CLI prints it on
 * one line and exits with code 2, the C API returns it as a status. {@link ganfactor.IntRanges}
 * parses the index lists users type ({@code all}, {@code 3}, {@code 0,2,4}, {@code 4-7}).
 *
 * <p>Dependencies: LibTorch through JavaCPP only; the root imports no ganfactor package (no cycle
 * runs through it). Every package may use these classes.
 */
package ganfactor;
