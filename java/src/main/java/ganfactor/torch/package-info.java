/**
 * The seam to LibTorch and the choice of device. {@link ganfactor.torch.Torch} turns Java arrays
 * into tensors that own their storage and reads tensors back through one contiguous CPU copy
 * (counted: {@code hostCopies()}), plus shape and dtype helpers. {@link ganfactor.torch.Devices}
 * runs the JVM's single CUDA probe (LibTorch first, the CUDA presets only if LibTorch sees a
 * device, never again after a failure; see {@code docs/JAVACPP.md}) and resolves
 * {@code --device auto|cpu|cuda} into a {@link ganfactor.torch.ComputeDevice}: the CPU or the first
 * CUDA device, and whether cuSOLVER/cuBLAS are usable; it also reports free device memory.
 *
 * <p>Dependencies: the JavaCPP pytorch (and, guarded, CUDA) presets and the root's
 * {@code InputException}; nothing else in ganfactor. Every other package may depend on it; adding
 * a device means extending {@code ComputeDevice} and {@code Devices} here. It must never import
 * {@code ganfactor.cli} or {@code ganfactor.embed}.
 */
package ganfactor.torch;
