package ganfactor.method;

import ganfactor.Engine;
import ganfactor.jacobian.GramPair;
import ganfactor.linalg.Linalg;
import ganfactor.linalg.TorchLinalg;
import ganfactor.torch.ComputeDevice;
import ganfactor.torch.Devices;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * CPU vs GPU parity of the certified RPCA: a Gram on the GPU on the tensor backend
 * ({@link TensorCertifiedOps}: cuBLAS products, the eigendecomposition and the certificates'
 * Cholesky factorisations through {@link Linalg}, both LibTorch's and cuSOLVER's directly), the
 * same Gram on the CPU the OpenBLAS backend. Same iterations and rank, L within 1e-8 relative (two
 * certified sequences, each within a few 1e-9 of the literal sweep on these Grams; RpcaTest
 * measures the two backends ~1e-14 apart on CPU tensors), and most steps certified on the GPU too.
 * Skipped, with the reason, on a machine without a usable CUDA device.
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
        GramPair gp = RpcaTest.demoEyes();
        record Case(String what, double[] m, int d, double lambda) {}
        ComputeDevice gpu = Devices.select("cuda");
        for (Case c : new Case[]{new Case("decaying Gram d=96", RpcaTest.decayingGram(96, 5), 96, 0.38 / Math.sqrt(96)),
                new Case("demo eyes B", gp.b(), gp.dim(), 0.047),
                new Case("decaying Gram d=512 (lambda 1/60)", RpcaTest.decayingGram(512, 5), 512, 0.38 / Math.sqrt(512))}) {
            for (Linalg la : new Linalg[]{TorchLinalg.INSTANCE, Linalg.forDevice(gpu, TorchLinalg.INSTANCE)}) {
                Rpca.Options cpu = new Rpca.Options(), dev = new Rpca.Options();
                cpu.lambda = dev.lambda = c.lambda();
                dev.linalg = la;
                dev.certifiedTensors = true; // (by default only from d = 512 on the GPU)
                Rpca.Result a = RpcaTest.solve(c.m(), c.d(), cpu);
                Rpca.Result b;
                try (PointerScope s = new PointerScope()) {
                    Tensor m = Torch.of(c.m(), c.d(), c.d()).to(gpu.torch(), torch.ScalarType.Double);
                    b = Rpca.solve(m, dev);
                }
                double dL = RpcaTest.relF(b.low(), a.low());
                System.out.printf("%s, %s: CPU %d iterations, %d certified, %.3fs; GPU %d, %d, %.3fs; |L_gpu - L_cpu|/|L_cpu| = %.2e%n",
                        c.what(), la.name(), a.iterations(), a.subspaceSteps(), a.seconds(), b.iterations(), b.subspaceSteps(), b.seconds(), dL);
                assertEquals(a.iterations(), b.iterations(), c.what());
                assertEquals(a.rank(), b.rank(), c.what());
                assertTrue(dL <= 1e-8, c.what() + ": GPU and CPU differ by " + dL);
                assertTrue(b.subspaceSteps() > 0.9 * b.iterations(), c.what() + ": " + b.subspaceSteps() + " certified of " + b.iterations());
            }
        }
    }
}
