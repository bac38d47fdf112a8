package ganfactor.bench;

import ganfactor.Engine;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The generators read from the official formats (issues 27 and 28) on their golden fixtures (64 px,
 * reduced channels, random weights; java/src/test/resources/official): one forward pass of one
 * code (its synthesis, at the default view: 3 x 64 x 64 rows) against the whole Jacobian of that
 * view in the model's own latent space (d = 128: PGGAN in Z, StyleGAN and StyleGAN2 in W), with a
 * box region. The Jacobian's time over d columns against the forward pass is the "cost of a column
 * in forward passes". Run from {@code benchmarks/} (the fixtures are found at ../java/...).
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class OfficialGeneratorsBenchmark {
    /** Fixture model files, relative to the official fixtures folder. */
    @Param({"pggan/pggan_interfacegan_64.pth", "stylegan/stylegan_interfacegan_64.pth", "hammer-stylegan2/G_hammer_64.pth", "hammer-stylegan3/t/G.pth", "hammer-stylegan3/r/G.pth"})
    public String model;

    Generator g;
    double[] x;
    LatentSpace space;
    View view;
    List<Region> regions;
    Tensor wp;

    @Setup(Level.Trial)
    public void setup() {
        Engine.init(0);
        Path base = Path.of("../java/src/test/resources/official");
        if (!Files.isDirectory(base)) base = Path.of("java/src/test/resources/official");
        g = Generator.open(base.resolve(model).toString());
        space = model.startsWith("pggan") ? LatentSpace.Z : LatentSpace.W;
        x = Latents.fromSeed(g, space, 4, 1, 1.0, g.numLayers()).row(0);
        view = View.defaultFor(g.channels(), g.height(), g.width());
        regions = List.of(Regions.parse("box=[29, 32, 10, 24]", view.grid(), g));
        wp = g.toWp(ganfactor.torch.Torch.of(x, 1, x.length).to(g.dtype()), space);
    }

    /** One forward pass of one code (synthesis from its W+ code). */
    @Benchmark
    public Tensor forward() {
        try (NoGradGuard ng = new NoGradGuard()) {
            return g.synthesis(wp);
        }
    }

    /** The Jacobian of the default view (d columns, forward mode, the automatic chunk) and the box's Gram pair. */
    @Benchmark
    public JacobianEngine.Result jacobian() {
        return JacobianEngine.compute(g, x, space, view, regions, new JacobianEngine.Options());
    }
}
