package ganfactor.bench;

import ganfactor.Engine;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.jacobian.JacobianEngine;
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
 * Columns per forward-mode pass (issue 29: the chunk default from the memory budget): the whole
 * W-space Jacobian of one code in the default view with a box region, for {@code chunk} columns
 * per pass (0: the automatic choice of the build under test). Models: the demo (d = 64, 3 x 256 x
 * 256 rows) and a random StyleGAN2 at 64 px (d = 512, 3 x 64 x 64 rows, config F channels).
 * Larger models are not here on purpose: at 256 px and above the memory budget, not the cap, sets
 * the chunk (4 columns at 256 px, 1 at 1024 px on this machine's budget).
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 4)
@Fork(value = 1, jvmArgs = {"-Xmx6g"})
public class JacobianChunkBenchmark {
    @Param({"demo", "stylegan2:64"})
    public String model;

    @Param({"0", "32", "64", "128", "512"})
    public int chunk;

    Generator g;
    double[] x;
    View view;
    List<Region> regions;
    JacobianEngine.Options options;

    @Setup(Level.Trial)
    public void setup() {
        Engine.init(0);
        g = Generator.open(model).to(org.bytedeco.pytorch.global.torch.ScalarType.Float);
        x = Latents.fromSeed(g, LatentSpace.W, 4, 1, 1.0, g.numLayers()).row(0);
        view = View.defaultFor(g.channels(), g.height(), g.width());
        regions = List.of(Regions.parse("box=[" + g.width() / 4 + ", " + g.height() / 3 + ", " + g.width() / 2 + ", " + g.height() / 6 + "]", view.grid(), g));
        options = new JacobianEngine.Options();
        options.chunk = chunk;
        int d = g.latentDim();
        if (chunk > d) throw new IllegalStateException("skipped: chunk " + chunk + " > d = " + d);
        System.out.printf("%n[setup] %s: d = %d, %,d rows, chunk %s%n", model, d, view.rows(),
                chunk == 0 ? "auto (" + JacobianEngine.autoChunk(g, view, d, ganfactor.jacobian.Mode.FORWARD, JacobianEngine.budget(g, JacobianEngine.AUTO_BUDGET).bytes()) + ")" : chunk);
    }

    @Benchmark
    public JacobianEngine.Result jacobian() {
        return JacobianEngine.compute(g, x, LatentSpace.W, view, regions, options);
    }
}
