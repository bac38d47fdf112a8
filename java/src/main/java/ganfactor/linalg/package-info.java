/**
 * The dense linear algebra behind every method, behind one interface: {@link ganfactor.linalg.Linalg}
 * (Cholesky, eigh and top-k eigh, the generalized symmetric-definite problem and its top k, row
 * Gram, thin SVD; values descending, vectors as rows, results on the input's device and dtype).
 * Implementations: {@link ganfactor.linalg.TorchLinalg} (LibTorch's own LAPACK, or its CUDA
 * linear algebra), {@link ganfactor.linalg.LapackLinalg} (direct LAPACK calls on CPU float64 for
 * partial eigensolves) and {@link ganfactor.linalg.CusolverLinalg} (cuSOLVER/cuBLAS on CUDA
 * tensors); {@code Linalg.forDevice} picks one for a {@code ComputeDevice}. Also here:
 * {@link ganfactor.linalg.RandomizedEigh} (randomized top-k and Nystrom eigensolves built on any
 * {@code Linalg}), {@link ganfactor.linalg.BlasThreads} (OpenBLAS thread count around small
 * solves) and {@link ganfactor.linalg.NotPositiveDefiniteException}.
 *
 * <p>Dependencies: {@code ganfactor.torch} and the pytorch, openblas and CUDA presets only; it knows
 * no generator, region or method. A new backend is a new {@code Linalg} implementation here. It must
 * never import {@code ganfactor.cli} or {@code ganfactor.embed}.
 */
package ganfactor.linalg;
