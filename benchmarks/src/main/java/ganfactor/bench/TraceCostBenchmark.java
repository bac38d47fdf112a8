package ganfactor.bench;

import ganfactor.Engine;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.jacobian.GramPair;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.method.Directions;
import ganfactor.method.LowRankGan;
import ganfactor.pipeline.LowRankGanSolver;
import ganfactor.pipeline.RunContext;
import ganfactor.pipeline.Solver;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import ganfactor.trace.Trace;
import org.bytedeco.javacpp.PointerScope;
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

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a recorded trace costs (issue 29: "tracing on vs off, under 2 %"), on the two stages with
 * the most spans: the demo's Jacobian in the default view (a span per pass and per Gram
 * accumulation, a memory counter per pixel block) and LowRankGAN on a 512-d Gram pair (two RPCAs
 * with a span per 25 iterations, RpcaBenchmark's recipe, lambda 1/60). {@code trace = off} runs with
 * {@link Trace#OFF} (the JFR events are created and not committed, as in every run without
 * {@code --trace}); {@code on} records into a new {@link Trace#recording()} per call and builds its
 * JSON, as {@code --trace} does before writing the file.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 15)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class TraceCostBenchmark {
    @Param({"off", "on"})
    public String trace;

    Generator g;
    double[] x;
    View view;
    List<Region> regions;
    Tensor a, b;
    PointerScope scope;

    @Setup(Level.Trial)
    public void setup() {
        Engine.init(0);
        scope = new PointerScope();
        g = Generator.demo().to(org.bytedeco.pytorch.global.torch.ScalarType.Float);
        x = Latents.fromSeed(g, LatentSpace.W, 4, 1, 1.0, g.numLayers()).row(0);
        view = View.defaultFor(g.channels(), g.height(), g.width());
        regions = List.of(Regions.parse("eyes", view.grid(), g));
        a = RpcaBenchmark.gram(512, 3);
        b = RpcaBenchmark.gram(512, 5);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scope.close();
    }

    private Trace newTrace() {
        return trace.equals("on") ? Trace.recording() : Trace.OFF;
    }

    @Benchmark
    public int jacobian() {
        Trace t = newTrace();
        JacobianEngine.Options o = RunContext.QUIET.withTrace(t).engine(new JacobianEngine.Options());
        JacobianEngine.Result r = JacobianEngine.compute(g, x, LatentSpace.W, view, regions, o);
        return r.grams().size() + t.json().length();
    }

    @Benchmark
    public int lowRankGan() {
        Trace t = newTrace();
        LowRankGan.Options o = new LowRankGan.Options();
        o.rpca.lambda = 1.0 / 60;
        try (PointerScope s = new PointerScope()) {
            Directions d = new LowRankGanSolver(o).solve(new Solver.Problem(GramPair.onDevice("bench", 512, 0, 0, a, b), null, null, RunContext.QUIET.withTrace(t)));
            return d.count() + t.json().length();
        }
    }

    /** A trace per measured iteration for {@link #oneSpan}, so that its events do not pile up across iterations. */
    @State(Scope.Thread)
    public static class Spans {
        Trace t;

        @Setup(Level.Iteration)
        public void fresh(TraceCostBenchmark b) {
            t = b.newTrace();
        }
    }

    /** One span with two arguments, opened and closed: the unit the stages above pay per span. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public void oneSpan(Spans s) {
        try (ganfactor.trace.Span sp = s.t.span("pass", "first_column", 0, "columns", 32)) {
            sp.arg("chunk_used", 32);
        }
    }
}
