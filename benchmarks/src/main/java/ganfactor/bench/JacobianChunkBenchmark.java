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
 * per pass (0: the automatic choice of the build under test), on {@code threads} LibTorch threads
 * (0: all cores). Models: the demo (d = 64, 3 x 256 x 256 rows) and the shared golden NVlabs
 * StyleGAN2 ({@code nvlabs-64}: 64 px, d = 512, channels 256 down to 16, 3 x 64 x 64 rows; found
 * at ../../shared/fixtures/official-stylegan2 from {@code benchmarks/}), and the Hammer StyleGAN3
 * fixtures ({@code sg3-t}, {@code sg3-r}: 64 px, d = 128, java/src/test/resources/official). Larger models are not
 * here on purpose: from config F at 64 px up the memory budget, not the cap of 32, sets the chunk
 * (16 columns at 64 px in a 6 GB JVM, 4 at 256 px, 1 at 1024 px on this machine).
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 4)
@Fork(value = 1, jvmArgs = {"-Xmx6g"})
public class JacobianChunkBenchmark {
    @Param({"demo", "nvlabs-64", "sg3-t", "sg3-r"})
    public String model;

    @Param({"0", "16", "32", "64", "128", "512"})
    public int chunk;

    @Param({"0"})
    public int threads;

    Generator g;
    double[] x;
    View view;
    List<Region> regions;
    JacobianEngine.Options options;

    @Setup(Level.Trial)
    public void setup() {
        Engine.init(threads);
        String source = switch (model) {
            case "nvlabs-64" -> fixture();
            case "sg3-t", "sg3-r" -> official("hammer-stylegan3/" + model.substring(4) + "/G.pth");
            default -> model;
        };
        g = Generator.open(source).to(org.bytedeco.pytorch.global.torch.ScalarType.Float);
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

    /** A golden fixture of the official-format generators (java/src/test/resources/official). */
    static String official(String file) {
        for (String p : new String[]{"../java/src/test/resources/official/", "java/src/test/resources/official/"})
            if (java.nio.file.Files.isRegularFile(java.nio.file.Path.of(p + file))) return p + file;
        throw new IllegalStateException(file + " not found under java/src/test/resources/official");
    }

    static String fixture() {
        for (String p : new String[]{"../../shared/fixtures/official-stylegan2/G_nvlabs_64.safetensors", "../shared/fixtures/official-stylegan2/G_nvlabs_64.safetensors"})
            if (java.nio.file.Files.isRegularFile(java.nio.file.Path.of(p))) return p;
        throw new IllegalStateException("../shared/fixtures/official-stylegan2/G_nvlabs_64.safetensors not found beside the checkout");
    }

    @Benchmark
    public JacobianEngine.Result jacobian() {
        return JacobianEngine.compute(g, x, LatentSpace.W, view, regions, options);
    }
}
