package ganfactor.bench;

import ganfactor.Engine;
import ganfactor.method.Directions;
import ganfactor.method.LowRankGan;
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

import java.util.concurrent.TimeUnit;

/**
 * LowRankGAN's solve (both RPCAs, the null space, the projection) on a 512-d Gram pair of
 * RpcaBenchmark's recipe (A: seed 3, B: seed 5; lambda 1/60), with the two RPCAs side by side
 * ({@code parallel=true}, the default) or one after the other, on LibTorch's default threads and
 * OpenBLAS as it comes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class LowRankGanBenchmark {
    @Param({"true", "false"})
    public boolean parallel;

    @Param({"512"})
    public int dim;

    Tensor a, b;
    PointerScope scope;

    @Setup(Level.Trial)
    public void setup() {
        Engine.init(0);
        scope = new PointerScope();
        a = RpcaBenchmark.gram(dim, 3);
        b = RpcaBenchmark.gram(dim, 5);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scope.close();
    }

    @Benchmark
    public Directions solve() {
        LowRankGan.Options o = new LowRankGan.Options();
        o.parallelRpca = parallel;
        try (PointerScope s = new PointerScope()) {
            Directions d = LowRankGan.solve(a, b, o);
            if (!Boolean.valueOf(parallel).equals(d.info().get("rpca_parallel")))
                throw new IllegalStateException("rpca_parallel is " + d.info().get("rpca_parallel") + ", asked " + parallel);
            return d;
        }
    }
}
