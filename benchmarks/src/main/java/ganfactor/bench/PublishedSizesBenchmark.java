package ganfactor.bench;

import ganfactor.Engine;
import ganfactor.generator.Generator;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * A generator's own tangent pass at a published size (random weights of the published
 * architecture: {@code stylegan2:RES}, {@code stylegan3:RES[:cfg=r]}): one forward pass of one
 * code against one batched tangent pass of {@code columns} W-space columns
 * ({@code gf_synthesis_jvp(wp [1, L, d], wpd [k, L, d])}, the primal once, the tangents of the unit
 * vectors e_0 .. e_k-1 on every layer): the time of a column in forward passes, without the
 * Jacobian engine around it (a full 512-column Jacobian of a 256 px StyleGAN3 takes many minutes
 * on a 2-core CPU).
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 2, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class PublishedSizesBenchmark {
    @Param({"stylegan2:256", "stylegan3:256", "stylegan3:256:cfg=r"})
    public String model;

    /**
     * Tangent columns per pass: 4, what a 24 GiB machine holds for StyleGAN3-R at 256 px with room
     * (its widest map, ~360 channels on 552 x 552 after the up-sampling, is 0.44 GB a column).
     */
    @Param({"4"})
    public int columns;

    Generator g;
    Tensor wp, wpd;
    PointerScope scope;

    @Setup(Level.Trial)
    public void setup() {
        Engine.init(0);
        scope = new PointerScope();
        g = Generator.open(model);
        int l = g.numLayers(), d = g.latentDim();
        try (NoGradGuard ng = new NoGradGuard()) {
            torch.manual_seed(4);
            Tensor w = g.call("mapping", torch.randn(1, d));
            wp = w.unsqueeze(1).expand(1, l, d).contiguous();
            float[] t = new float[columns * l * d];
            for (int k = 0; k < columns; k++)
                for (int i = 0; i < l; i++) t[(k * l + i) * d + k] = 1;
            wpd = Torch.of(t, columns, l, d);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        g.close();
        scope.close();
    }

    /** One forward pass of one code. */
    @Benchmark
    public long forward() {
        try (PointerScope s = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            return g.synthesis(wp).numel();
        }
    }

    /** One batched tangent pass of {@code columns} columns (and the primal it carries). */
    @Benchmark
    public long tangents() {
        try (PointerScope s = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            return g.call("gf_synthesis_jvp", wp, wpd).numel();
        }
    }
}
