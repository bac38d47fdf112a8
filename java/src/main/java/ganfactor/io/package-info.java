/**
 * File formats and safe output. Reading: {@link ganfactor.io.Npy} (.npy 1.0-3.0 into
 * {@link ganfactor.io.NpyArray}), {@link ganfactor.io.WeightFiles}, the one entry point for
 * generator weights, which dispatches on content to {@link ganfactor.io.Safetensors} or to
 * {@code StateDict}/{@code TorchPickle} (torch.save zip archives unpickled without running code)
 * and explains the formats it cannot read; {@link ganfactor.io.JsonReader} (strict JSON for
 * headers) and {@link ganfactor.io.InputFiles} (readable-input checks). Writing:
 * {@link ganfactor.io.OutputDir}, all-or-nothing output folders staged beside the target, renamed
 * into place, with a manifest of what ganfactor wrote (the only files {@code --force} may
 * replace); {@link ganfactor.io.AtomicFile} for single files; {@link ganfactor.io.Json} for the
 * records written beside every output; {@link ganfactor.io.BoundaryFiles} for InterFaceGAN's
 * codes [N, d] / [N, L, d] and boundaries [1, d].
 *
 * <p>Dependencies: the root's {@code InputException}, {@code ganfactor.torch.Torch} and LibTorch
 * tensors (weights are read straight into native memory); nothing else in ganfactor. It must never
 * import {@code ganfactor.cli} or {@code ganfactor.embed}.
 */
package ganfactor.io;
