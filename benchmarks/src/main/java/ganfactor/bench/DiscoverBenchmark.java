package ganfactor.bench;

import ganfactor.Engine;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.io.OutputDir;
import ganfactor.pipeline.Discovery;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import ganfactor.torch.ComputeDevice;
import org.bytedeco.pytorch.global.torch;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Discovery end to end on the demo generator through the library's pipeline, as {@code ganfactor
 * discover --model demo --region eyes --regularize paper} runs it: open the model (build + save +
 * load the TorchScript demo, float32), seed-4 latent in W, exact Jacobian on the default view (the
 * official rule: R, G, B rows at 256 x 256), ReSeFa on the eyes box (paper regularisation), 3
 * directions edited at 7 strengths plus the random baseline, grids, charts, CSV, atomic output
 * folder (the JSON record and stdout are the command's and not timed here).
 * {@code show = 0} isolates discovery (Jacobian + solve + files, no edits or pictures).
 * <p>{@code -p device=cuda} runs it on the GPU ({@code mvn -Pgpu}); without a usable CUDA device
 * the setup fails with the reason. No GPU figure has been recorded yet.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgs = {"-Xmx6g", "-Djava.awt.headless=true"})
public class DiscoverBenchmark {
    @Param({"3", "0"})
    public int show;

    @Param({"resefa"})
    public String method;

    /** default (the official rule: R, G, B rows at 256 x 256) or sum256 (RGB summed at 256 x 256, the view of the figures recorded before the parity change). */
    @Param({"default"})
    public String view;

    /** cpu, or cuda (fails the setup with the reason when CUDA is not usable). */
    @Param({"cpu"})
    public String device;

    Path out;
    ComputeDevice dev;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        Engine.init(0);
        dev = ganfactor.torch.Devices.select(device);   // fails here, once, when the device is not usable
        out = Files.createTempDirectory("gf-bench");
    }

    @Benchmark
    public int discover() {
        try (Generator g = Generator.open("demo")) {
            g.to(torch.ScalarType.Float).to(dev);
            Latents lat = Latents.fromSeed(g, LatentSpace.W, 4, 1, 1.0, g.numLayers());
            View v = this.view.equals("sum256") ? new View(256, View.Reduce.SUM, g.channels(), g.height(), g.width())
                    : View.defaultFor(g.channels(), g.height(), g.width());
            List<Region> rs = Regions.parseAll(List.of("eyes"), v.grid(), g, false);
            Discovery.Settings s = new Discovery.Settings();
            // the demo command's request (the registry's defaults; ReSeFa with the paper's regularisation)
            s.request = ganfactor.pipeline.DemoJob.request(method);
            s.solver = s.request.solver(dev);
            s.show = show;
            try (OutputDir dir = new OutputDir(out.resolve("d"), true, "ganfactor benchmark")) {
                Discovery.Report rep = Discovery.run(g, lat, v, rs, s, dir);
                dir.commit();
                return rep.outcomes().size();
            }
        }
    }
}
