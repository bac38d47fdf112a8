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
 * Setup (building the Grams) is outside the measurement.
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

    double[] a, b;
    Tensor fa, bt;
    PointerScope scope;

    @Setup(Level.Trial)
    public void setup() {
        Engine.init(0);
        scope = new PointerScope();
        Tensor jr = rows(regionRows, dim, 1);
        Tensor jb = rows(backgroundRows, dim, 2);
        fa = jr.div(new Scalar(Math.sqrt(regionRows)));
        bt = jb.t().mm(jb).div(new Scalar(backgroundRows));
        if (dim <= 2048) {
            a = Torch.toDoubles(fa.t().mm(fa));
            b = Torch.toDoubles(bt.add(bt.t()).mul(new Scalar(0.5)));
        }
    }

    /**
     * n Jacobian-like rows: Z diag(s) R with Z [n, p] and R [p, d] Gaussian (R scaled by
     * 1/sqrt(d)), p = min(n, d), and a power-law spectrum s_i = 1 / (1 + i / 8), as the singular
     * values of generator Jacobians decay.
     */
    static Tensor rows(int n, int d, long seed) {
        int p = Math.min(n, d);
        SplittableRandom r = new SplittableRandom(seed);
        double[] z = new double[n * p], q = new double[p * d];
        for (int i = 0; i < z.length; i++) z[i] = gauss(r);
        for (int i = 0; i < q.length; i++) q[i] = gauss(r) / Math.sqrt(d);
        double[] s = new double[p];
        for (int i = 0; i < p; i++) s[i] = 1.0 / (1 + i / 8.0);
        return Torch.of(z, n, p).mul(Torch.of(s, 1, p)).mm(Torch.of(q, p, d));
    }

    static double gauss(SplittableRandom r) {
        double u = r.nextDouble(), w = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * w);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scope.close();
    }

    /** d = 512: all directions by the standard path. */
    @Benchmark
    public Directions standard() {
        if (a == null) throw new IllegalStateException("skipped: the standard path is benchmarked at d <= 2048");
        return ReSeFa.solve(a, b, dim, new ReSeFa.Options());
    }

    /** d = 512: the top 32 directions by the standard path. */
    @Benchmark
    public Directions standardTop32() {
        if (a == null) throw new IllegalStateException("skipped: the standard path is benchmarked at d <= 2048");
        ReSeFa.Options o = new ReSeFa.Options();
        o.k = 32;
        return ReSeFa.solve(a, b, dim, o);
    }

    /** Top 32 directions by the fast path (background rank {@code fastRank}). */
    @Benchmark
    public Directions fast() {
        ReSeFa.Options o = new ReSeFa.Options();
        o.path = ReSeFa.SolvePath.FAST;
        o.k = 32;
        o.fastRank = fastRank;
        return ReSeFa.solveFast(fa, bt, o);
    }
}
