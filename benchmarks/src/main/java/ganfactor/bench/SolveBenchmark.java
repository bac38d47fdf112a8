package ganfactor.bench;

import ganfactor.Engine;
import ganfactor.method.Directions;
import ganfactor.method.ReSeFa;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
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
 * ReSeFa solves on synthetic Jacobians of the reference's sizes: m = 2,300 region rows (the FFHQ
 * eyes box, 20 x 115 view pixels, RGB summed) and a background Gram from 2,048 rows, both with a
 * power-law singular spectrum (see {@link #rows}), float64.
 * <ul>
 * <li>{@code standard}: d = 512 (W), Grams given, Cholesky reduction + eigh of all 512 directions;</li>
 * <li>{@code fast}: d = 9216 (W+ of an 18-layer StyleGAN2), region rows and the background Gram
 * given, background truncated at rank 512, top 32 directions.</li>
 * </ul>
 * Setup (building the Grams) is outside the measurement. On {@code -p device=cuda} the Grams and
 * rows are placed on the GPU in the setup and the solves run there through cuSOLVER; each
 * measured call ends with the directions' copy to the host, which waits for the GPU.
 * <p>{@code -p device=cuda} runs it on the GPU ({@code mvn -Pgpu}); without a usable CUDA device
 * the setup fails with the reason. No GPU figure has been recorded yet.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgs = {"-Xmx8g"})
public class SolveBenchmark {
    @Param({"512"})
    public int dim;

    @Param({"2300"})
    public int regionRows;

    @Param({"2048"})
    public int backgroundRows;

    /** Rank of the background truncation on the fast path. */
    @Param({"512"})
    public int fastRank;

    /** cpu, or cuda (fails the setup with the reason when CUDA is not usable). */
    @Param({"cpu"})
    public String device;

    ganfactor.torch.ComputeDevice dev;
    Tensor ag, bg;

    double[] a, b;
    Tensor fa, bt;
    PointerScope scope;

    @Setup(Level.Trial)
    public void setup() {
        Engine.init(0);
        dev = ganfactor.torch.Devices.select(device);
        scope = new PointerScope();
        Tensor jr = rows(regionRows, dim, 1);
        Tensor jb = rows(backgroundRows, dim, 2);
        fa = jr.div(new Scalar(Math.sqrt(regionRows)));
        bt = jb.t().mm(jb).div(new Scalar(backgroundRows));
        if (dim <= 2048) {
            a = Torch.toDoubles(fa.t().mm(fa));
            b = Torch.toDoubles(bt.add(bt.t()).mul(new Scalar(0.5)));
        }
        if (dev.cuda()) {
            fa = fa.to(dev.torch(), org.bytedeco.pytorch.global.torch.ScalarType.Double);
            bt = bt.to(dev.torch(), org.bytedeco.pytorch.global.torch.ScalarType.Double);
            if (a != null) {
                ag = Torch.of(a, dim, dim).to(dev.torch(), org.bytedeco.pytorch.global.torch.ScalarType.Double);
                bg = Torch.of(b, dim, dim).to(dev.torch(), org.bytedeco.pytorch.global.torch.ScalarType.Double);
            }
        }
    }

    /** n Jacobian-like rows ({@link ganfactor.check.Matrices#jacobianLikeRows}, the recipe gpu-check times too). */
    static Tensor rows(int n, int d, long seed) {
        return ganfactor.check.Matrices.jacobianLikeRows(n, d, seed);
    }

    static double gauss(SplittableRandom r) {
        return ganfactor.check.Matrices.gauss(r);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scope.close();
    }

    /** d = 512: all directions by the standard path. */
    @Benchmark
    public Directions standard() {
        if (a == null) throw new IllegalStateException("skipped: the standard path is benchmarked at d <= 2048");
        return solve(options());
    }

    ReSeFa.Options options() {
        ReSeFa.Options o = new ReSeFa.Options();
        if (dev.cuda()) {
            o.device = dev;
            o.linalg = ganfactor.linalg.Linalg.forDevice(dev, o.linalg);
        }
        return o;
    }

    Directions solve(ReSeFa.Options o) {
        if (!dev.cuda()) return ReSeFa.solve(a, b, dim, o);
        try (PointerScope s = new PointerScope()) {
            return ReSeFa.solve(ag, bg, o);
        }
    }

    /** d = 512: the top 32 directions by the standard path. */
    @Benchmark
    public Directions standardTop32() {
        if (a == null) throw new IllegalStateException("skipped: the standard path is benchmarked at d <= 2048");
        ReSeFa.Options o = options();
        o.k = 32;
        return solve(o);
    }

    /** Top 32 directions by the fast path (background rank {@code fastRank}). */
    @Benchmark
    public Directions fast() {
        ReSeFa.Options o = options();
        o.path = ReSeFa.SolvePath.FAST;
        o.k = 32;
        o.fastRank = fastRank;
        return ReSeFa.solveFast(fa, bt, o);
    }
}
