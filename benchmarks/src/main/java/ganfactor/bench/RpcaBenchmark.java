package ganfactor.bench;

import ganfactor.Engine;
import ganfactor.method.Rpca;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * RPCA (principal component pursuit) of a 512 x 512 Gram with the reference's parameters
 * (lambda = 1/60, tol 1e-7): M = J^T J with J = U diag(exp(-i/8)) V^T, U [2048, 512] and V
 * [512, 512] random orthonormal, scaled to max |M| = 1 (a Jacobian-like decaying spectrum).
 * {@code admm} is the reference's fixed-mu ADMM (about 525 iterations here), {@code ialm} the
 * inexact ALM with the warm-started subspace SVT, {@code exact} the KKT-stopped solver (see Rpca).
 * RpcaSideBySide runs the same matrix against the NumPy reference (benchmarks/rpca_reference.py).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class RpcaBenchmark {
    @Param({"ialm", "admm", "exact"})
    public String solver;

    @Param({"512"})
    public int dim;

    /** auto: the default (certified partial SVT for admm and exact), full: a full eigendecomposition every sweep, certified. */
    @Param({"auto"})
    public String svt;

    /**
     * Where the matrix lives and which certified backend runs: cpu (OpenBLAS on host buffers, the
     * CPU default), cpu-tensors (the LibTorch tensor backend on CPU tensors), cuda (the matrix on
     * the GPU, the tensor backend through cuSOLVER at every dim, to place
     * Rpca.Options.CERTIFIED_DEVICE_MIN_DIM; needs a GPU build and a GPU).
     */
    @Param({"cpu"})
    public String device;

    Tensor m;
    PointerScope scope;
    ganfactor.torch.ComputeDevice cuda;

    @Setup(Level.Trial)
    public void setup() {
        Engine.init(0);
        scope = new PointerScope();
        m = gram(dim);
        if (device.equals("cuda")) {
            cuda = ganfactor.torch.Devices.select("cuda");
            m = m.to(cuda.torch(), org.bytedeco.pytorch.global.torch.ScalarType.Double);
        } else if (!device.equals("cpu") && !device.equals("cpu-tensors")) {
            throw new IllegalArgumentException("device: cpu, cpu-tensors or cuda");
        }
    }

    /**
     * The benchmark matrix: M = J^T J / max|J^T J| with J = U diag(exp(-i/8)) V^T, U [4 dim, dim] and
     * V [dim, dim] random orthonormal (seed 3). Lives in the caller's scope.
     */
    public static Tensor gram(int dim) {
        return gram(dim, 3);
    }

    /** The same recipe from another seed (LowRankGanBenchmark's background Gram). */
    public static Tensor gram(int dim, long seed) {
        int d = dim, p = 4 * dim;
        SplittableRandom r = new SplittableRandom(seed);
        double[] a = new double[p * d], b = new double[d * d];
        for (int i = 0; i < a.length; i++) a[i] = SolveBenchmark.gauss(r);
        for (int i = 0; i < b.length; i++) b[i] = SolveBenchmark.gauss(r);
        Tensor u = new Tensor(org.bytedeco.pytorch.global.torch.linalg_qr(Torch.of(a, p, d)).get0());
        Tensor v = new Tensor(org.bytedeco.pytorch.global.torch.linalg_qr(Torch.of(b, d, d)).get0());
        double[] s = new double[d];
        for (int i = 0; i < d; i++) s[i] = Math.exp(-i / 8.0);
        Tensor j = u.mul(Torch.of(s, 1, d)).mm(v.t());
        Tensor g = j.t().mm(j);
        return g.div(g.abs().max());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scope.close();
    }

    @Benchmark
    public Rpca.Result rpca() {
        Rpca.Options o = new Rpca.Options();
        o.solver = Rpca.Solver.valueOf(solver.toUpperCase(java.util.Locale.ROOT));
        o.certifiedSvt = switch (svt) {
            case "auto" -> null;
            case "full" -> false;
            case "certified" -> true;
            default -> throw new IllegalArgumentException("svt: auto, full or certified");
        };
        if (device.equals("cpu-tensors")) o.tuning.certifiedTensors = true;
        if (cuda != null) { // the device backend at every dim (by default only from 512), to find where it pays
            o.linalg = ganfactor.linalg.Linalg.forDevice(cuda, o.linalg);
            o.tuning.certifiedTensors = true;
        }
        Rpca.Result res = Rpca.solve(m, o);
        if (!res.converged()) throw new IllegalStateException("RPCA did not converge: " + res.describe());
        return res;
    }
}
