package ganfactor.bench;

import ganfactor.Engine;
import ganfactor.cli.Main;
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

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@code ganfactor discover} end to end on the demo generator, in-process, as a user runs it:
 * open the model (build + save + load the TorchScript demo), seed-4 latent in W, exact Jacobian
 * on the 256 x 256 view, ReSeFa on the eyes box (paper regularisation), 3 directions edited at 7
 * strengths plus the random baseline, grids, charts, CSV, JSON, atomic output folder.
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

    /** cpu, or cuda (--device cuda; fails the setup with the reason when CUDA is not usable). */
    @Param({"cpu"})
    public String device;

    Path out;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        Engine.init(0);
        ganfactor.torch.Devices.select(device);   // fails here, once, when the device is not usable
        out = Files.createTempDirectory("gf-bench");
    }

    @Benchmark
    public int discover() {
        StringWriter sink = new StringWriter();
        int code = Main.execute(new String[]{"discover", "--model", "demo", "--region", "eyes", "--method", method, "--regularize", "paper", "--device", device,
                        "--show", Integer.toString(show), "--out", out.resolve("d").toString(), "--force", "--quiet"},
                new PrintWriter(sink), new PrintWriter(sink));
        if (code != 0) throw new IllegalStateException("discover failed: " + sink);
        return code;
    }
}
