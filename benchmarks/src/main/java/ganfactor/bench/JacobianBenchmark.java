package ganfactor.bench;

import ganfactor.Engine;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.jacobian.Mode;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
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

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Region Gram pair (eyes) of the demo generator in W space (d = 64), one latent code (seed 4),
 * per Jacobian mode and view grid. {@code grid = 64} compares the three modes on the same work
 * (4,096 rows: the row-by-row reverse mode needs 4,096 backward passes); {@code grid = 256} is
 * the full reference view (65,536 rows), run for the batched modes.
 * <p>{@code -p device=cuda} runs it on the GPU ({@code mvn -Pgpu}); without a usable CUDA device
 * the setup fails with the reason. No GPU figure has been recorded yet.
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgs = {"-Xmx6g"})
public class JacobianBenchmark {
    @Param({"forward", "double-backward", "reverse"})
    public String mode;

    @Param({"64", "256"})
    public int grid;

    @Param({"0"})
    public int chunk;

    /** cpu, or cuda (the generator and the Gram accumulation on the GPU; fails the setup when CUDA is not usable). */
    @Param({"cpu"})
    public String device;

    Generator g;
    double[] x;
    View view;
    List<Region> regions;
    JacobianEngine.Options options;

    @Setup(Level.Trial)
    public void setup() {
        Engine.init(0);
        g = Generator.demo().to(org.bytedeco.pytorch.global.torch.ScalarType.Float).to(ganfactor.torch.Devices.select(device));
        x = Latents.fromSeed(g, LatentSpace.W, 4, 1, 1.0, g.numLayers()).row(0);
        view = new View(grid, View.Reduce.SUM, g.channels(), g.height(), g.width());
        regions = List.of(Regions.parse("eyes", grid, g));
        options = new JacobianEngine.Options();
        options.mode = Mode.parse(mode);
        options.chunk = chunk;
        // the measured result includes the Grams' copy to the host, which also waits for the GPU
    }

    @Benchmark
    public JacobianEngine.Result grams() {
        if (options.mode == Mode.REVERSE && grid > 64) throw new IllegalStateException("skipped: row-by-row reverse mode on 65,536 rows is measured at grid 64 only");
        return JacobianEngine.compute(g, x, LatentSpace.W, view, regions, options);
    }
}
