/**
 * Generators and their latent codes. {@link ganfactor.generator.Generator} is the ganfactor
 * contract: a TorchScript module with {@code synthesis(wp)}, optional {@code mapping(z)},
 * {@code num_layers}, {@code latent_dim} and optional {@code w_avg}, opened from {@code demo}, a
 * TorchScript file or a StyleGAN2 weight file, to which ganfactor adds its own scripted
 * {@code gf_wp}, {@code gf_view} and {@code gf_jvp} methods. Builders of such modules from Java:
 * {@link ganfactor.generator.DemoGenerator} (the synthetic face-like generator with planted local
 * directions and part masks), {@link ganfactor.generator.StyleGan2} (config F) and
 * {@link ganfactor.generator.StyleGan2Weights} (NVlabs or rosinality state dicts, architecture
 * inferred from shapes). {@link ganfactor.generator.LatentSpace} names Z, W and W+;
 * {@link ganfactor.generator.Latents} holds [N, D] codes made from a seed or read from .npy, using
 * {@link ganfactor.generator.NumpyRandom} so seeds match NumPy's {@code RandomState}.
 *
 * <p>Dependencies: the root's {@code InputException}, {@code ganfactor.io} (weights, .npy) and
 * {@code ganfactor.torch}. It never imports {@code ganfactor.cli} or {@code ganfactor.embed}.
 */
package ganfactor.generator;
