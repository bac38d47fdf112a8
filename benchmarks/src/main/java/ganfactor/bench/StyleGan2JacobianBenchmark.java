package ganfactor.bench;

import ganfactor.Engine;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.generator.StyleGan2;
import ganfactor.region.View;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Jacobian columns of a randomly initialised StyleGAN2 config F (z = w = 512, channel base
 * 32768, at most 512 channels) at 256 or 1024 px, W space, in the reference's Jacobian view
 * (nearest resize to 256, RGB summed): one pass of {@code columns} forward-mode JVP columns, the
 * unit of work the Jacobian engine repeats 512 / columns times per image.
 *
 * <p>{@code jvp = handwritten}: StyleGAN2's own tangent pass (primal once, tangents batched);
 * {@code jvp = dual}: PyTorch dual numbers through the whole graph (primal replicated per column).
 * FLOPs per column for the setup log: one tangent pass through every linear map of the synthesis
 * network, 2 x {@link StyleGan2#synthesisMacs} (the minimum a JVP column costs); dual numbers do
 * twice that. {@link #gemmPeak} measures this machine's practical float32 peak (2048^3 matmul) in
 * the same JVM, so the JVP's distance to it can be read off one run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgs = {"-Xmx8g"})
public class StyleGan2JacobianBenchmark {
    @Param({"256", "1024"})
    public int resolution;

    @Param({"4"})
    public int columns;

    @Param({"handwritten"})
    public String jvp;

    Generator g;
    Tensor X, V, rows, cols, m2048;
    View view;

    @Setup(Level.Trial)
    public void setup() {
        Engine.init(0);
        StyleGan2.Config c = StyleGan2.Config.configF(resolution);
        g = Generator.open("stylegan2:" + resolution);
        double[] x = Latents.fromSeed(g, LatentSpace.W, 4, 1, 1.0, g.numLayers()).row(0);
        int d = g.latentDim();
        X = Torch.of(x, 1, d).to(torch.ScalarType.Float).expand(columns, d).contiguous();
        V = torch.eye(d).narrow(0, 0, columns).contiguous();
        view = new View(256, View.Reduce.SUM, g.channels(), g.height(), g.width());
        rows = Torch.ofLong(view.rowIndex(), view.rowIndex().length);
        cols = Torch.ofLong(view.colIndex(), view.colIndex().length);
        m2048 = torch.randn(new long[]{2048, 2048});
        System.out.printf("%n[setup] StyleGAN2 config F %d px: %,d parameters, %,d synthesis MACs per forward pass, "
                        + "%.1f GFLOP per JVP column (tangent pass), dual numbers %.1f GFLOP%n",
                resolution, StyleGan2.parameterCount(c), StyleGan2.synthesisMacs(c),
                2.0 * StyleGan2.synthesisMacs(c) / 1e9, StyleGan2.jvpFlops(c, false) / 1e9);
    }

    @Benchmark
    public double jvpColumns() {
        String method = switch (jvp) {
            case "handwritten" -> "gf_jvp";
            case "dual" -> "gf_jvp_dual";
            default -> throw new IllegalArgumentException("jvp must be handwritten or dual");
        };
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            long level = torch.enter_dual_level();
            try {
                Tensor y = g.call(method, X, V, LatentSpace.W.code(), rows, cols, view.reduce().code(), level);
                return y.sum().item_double();
            } finally {
                torch.exit_dual_level(level);
            }
        }
    }

    /** Practical float32 peak: one 2048 x 2048 x 2048 matmul (17.2 GFLOP). */
    @Benchmark
    public double gemmPeak() {
        try (PointerScope scope = new PointerScope()) {
            return m2048.mm(m2048).sum().item_double();
        }
    }
}
