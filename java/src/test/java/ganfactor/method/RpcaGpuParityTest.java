package ganfactor.method;

import ganfactor.Engine;
import ganfactor.torch.Devices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * CPU vs GPU parity of the certified RPCA: a Gram on the GPU on the tensor backend
 * ({@link TensorCertifiedOps}: cuBLAS products, the eigendecomposition and the certificates'
 * Cholesky factorisations through {@link Linalg}, both LibTorch's and cuSOLVER's directly), the
 * same Gram on the CPU the OpenBLAS backend. Same iterations and rank, L within 1e-8 relative (two
 * certified sequences, each within a few 1e-9 of the literal sweep on these Grams; RpcaTest
 * measures the two backends ~1e-14 apart on CPU tensors), and most steps certified on the GPU too.
 * Skipped, with the reason, on a machine without a usable CUDA device. The assertions live in
 * {@link ganfactor.check.GpuParity#certifiedRpcaFollowsTheCpu}, which {@code gpu-check} runs too.
 */
class RpcaGpuParityTest {

    @BeforeAll
    static void init() {
        Engine.init(0);
    }

    /** Per test, so that each is reported as skipped with the reason. */
    @BeforeEach
    void needsGpu() {
        Devices.Probe p = Devices.probe();
        assumeTrue(p.cuda(), "skipped: no usable CUDA GPU on this machine (" + p.note() + ")");
    }

    @Test
    void certifiedRpcaOnTheGpuFollowsTheCpu() {
        System.out.println(ganfactor.check.GpuParity.certifiedRpcaFollowsTheCpu(ganfactor.TestSupport.demo32(), Devices.select("cuda")));
    }
}
