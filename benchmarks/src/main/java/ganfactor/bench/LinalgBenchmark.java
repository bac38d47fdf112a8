package ganfactor.bench;

import ganfactor.Engine;
import ganfactor.linalg.LapackLinalg;
import ganfactor.linalg.Linalg;
import ganfactor.linalg.TorchLinalg;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
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

import java.util.concurrent.TimeUnit;

/**
 * The dense kernels under the solvers, float64, on random SPD matrices of size d: the
 * generalized symmetric eigensolve (all directions, and the top 32) through LAPACK directly and
 * through LibTorch, and the symmetric eigensolve the RPCA iterations use. Run it with and
 * without {@code OPENBLAS_NUM_THREADS=1} in the environment (the forked JVM inherits it) to see
 * what OpenBLAS's threads bring to LAPACK's memory-bound panel steps on 2 cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class LinalgBenchmark {
    @Param({"512"})
    public int dim;

    Tensor a, b;
    PointerScope scope;

    @Setup(Level.Trial)
    public void setup() {
        Engine.init(0);
        scope = new PointerScope();
        TensorOptions o = new TensorOptions(torch.ScalarType.Double);
        torch.manual_seed(1);
        Tensor x = torch.randn(new long[]{dim / 2, dim}, o), y = torch.randn(new long[]{4L * dim, dim}, o);
        a = x.t().mm(x);
        b = y.t().mm(y);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scope.close();
    }

    @Benchmark
    public Linalg.Eigen lapackGeneralizedAll() {
        return LapackLinalg.INSTANCE.generalizedEighTop(a, b, dim);
    }

    @Benchmark
    public Linalg.Eigen lapackGeneralizedTop32() {
        return LapackLinalg.INSTANCE.generalizedEighTop(a, b, 32);
    }

    @Benchmark
    public Linalg.Eigen torchGeneralizedAll() {
        return TorchLinalg.INSTANCE.generalizedEigh(a, b);
    }

    @Benchmark
    public Linalg.Eigen torchEigh() {
        return TorchLinalg.INSTANCE.eigh(b);
    }
}
