package ganfactor.bench;

import ganfactor.method.InterFaceGan;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * InterFaceGAN boundary training at the reference scale: the reference samples 500,000 codes and
 * keeps the top and bottom 2 %, i.e. 10,000 + 10,000 codes of d = 512, of which 70 % train the
 * linear C-SVC (libsvm, C = 1) and 30 % validate. Here the 20,000 chosen codes are given directly
 * ({@code ratio} 0.5 of 20,000 selects all of them, no middle samples): x = g + y m u with
 * g ~ N(0, I_d), y = +-1 and u a fixed unit vector, m = {@code margin} (separable-ish: the classes'
 * projections onto u are N(+-m, 1), about 0.1 % overlap at m = 3); the score is x . u plus noise.
 * Measured: selection, building libsvm's problem, training, the unit normal and both accuracies
 * ({@link InterFaceGan#train}). Setup (drawing the data) is outside the measurement.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgs = {"-Xmx8g"})
public class BoundaryBenchmark {
    @Param({"512"})
    public int dim;

    /** Codes per class. */
    @Param({"10000"})
    public int perClass;

    @Param({"3.0"})
    public double margin;

    double[] codes, scores;

    @Setup(Level.Trial)
    public void setup() {
        SplittableRandom r = new SplittableRandom(42);
        int n = 2 * perClass;
        double[] u = new double[dim];
        double s = 0;
        for (int j = 0; j < dim; j++) { u[j] = r.nextGaussian(); s += u[j] * u[j]; }
        for (int j = 0; j < dim; j++) u[j] /= Math.sqrt(s);
        codes = new double[n * dim];
        scores = new double[n];
        for (int i = 0; i < n; i++) {
            double y = i < perClass ? 1 : -1, p = 0;
            for (int j = 0; j < dim; j++) {
                double v = r.nextGaussian() + y * margin * u[j];
                codes[i * dim + j] = v;
                p += v * u[j];
            }
            scores[i] = p + 0.1 * r.nextGaussian();
        }
    }

    /** Selection (0.5 of 20,000: all of them), 70/30 split, libsvm linear C-SVC with C = 1, accuracies. */
    @Benchmark
    public InterFaceGan.Boundary train() {
        InterFaceGan.Options o = new InterFaceGan.Options();
        o.ratio = 0.5;
        return InterFaceGan.train(codes, dim, scores, o);
    }

    /** The conditional projection of a 512-d boundary on three conditions (for scale: microseconds). */
    @Benchmark
    public double[] project() {
        double[] n = new double[dim];
        java.util.List<double[]> cs = new java.util.ArrayList<>();
        for (int k = 0; k < 3; k++) cs.add(java.util.Arrays.copyOfRange(codes, k * dim, (k + 1) * dim));
        System.arraycopy(codes, 3 * dim, n, 0, dim);
        return InterFaceGan.project(n, cs);
    }
}
