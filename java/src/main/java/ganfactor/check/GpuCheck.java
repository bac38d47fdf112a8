package ganfactor.check;

import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.io.Json;
import ganfactor.io.OutputDir;
import ganfactor.jacobian.GramPair;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.linalg.Linalg;
import ganfactor.method.Directions;
import ganfactor.method.ReSeFa;
import ganfactor.method.Rpca;
import ganfactor.pipeline.Discovery;
import ganfactor.pipeline.ReSeFaSolver;
import ganfactor.pipeline.RunRecord;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import ganfactor.torch.ComputeDevice;
import ganfactor.torch.Devices;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The GPU proof in one run, for a device machine that has a JVM but no Maven and no JUnit
 * ({@code ganfactor gpu-check}): the probe with each of its steps, the parity and residency checks
 * ({@link GpuParity}, the unit tests' own assertions), and the timings the README's GPU claims
 * need, each the median of a few runs after a warm-up:
 * <ul>
 * <li>the W-space Jacobian and {@code discover} end to end on a config-F StyleGAN2 at 1024 px
 * (random weights: the cost does not depend on the values), then the W+ Jacobian (9,216 columns);</li>
 * <li>the same Jacobians with TF32 allowed for LibTorch's matmuls and convolutions, with the top-5
 * |cos| of their ReSeFa directions against float32's (tensor cores: their error on the directions
 * has to be measured before they are offered);</li>
 * <li>the ReSeFa standard solve at d = 512, the fast path at d = 9,216 and the certified RPCA at
 * d = 512, on the device.</li>
 * </ul>
 * Each step is recorded as passed or failed with its message (a failed step does not stop the
 * next), into {@code gpu-check.json} and one line per step for the log. The {@link Plan} sets the
 * sizes: {@link Plan#full()} on a GPU; {@link Plan#rehearsal()} runs the same code on the CPU at
 * small sizes, so that the sequence is exercised before a GPU minute is spent on it.
 */
public final class GpuCheck {

    /** Sizes and repeats. */
    /**
     * Sizes and repeats. {@code styleGan3}: the StyleGAN3 models whose forward pass and tangent
     * pass of {@code styleGan3Columns} W columns are timed (the published 1024 px T and R; 2
     * columns: R's widest map at 1024 px, ~160 channels on 2,088 x 2,088, is 2.8 GB a column).
     */
    public record Plan(String name, String model, int repeats, boolean wplus, int solveDim, int fastDim, int fastRegionRows, int rpcaDim, int discoverShow,
                       List<String> styleGan3, int styleGan3Columns) {
        public static Plan full() {
            return new Plan("full", "stylegan2:1024", 3, true, 512, 9216, 2300, 512, 1, List.of("stylegan3:1024", "stylegan3:1024:cfg=r"), 2);
        }

        /** The full plan without the W+ Jacobians (18x the W work) and with two repeats: a rerun that must be short. */
        public static Plan quick() {
            return new Plan("quick", "stylegan2:1024", 2, false, 512, 9216, 2300, 512, 1, List.of("stylegan3:1024"), 2);
        }

        /** The same steps on the CPU at small sizes (a random 64 px StyleGAN2 with few channels, StyleGAN3 likewise). */
        public static Plan rehearsal() {
            return new Plan("rehearsal", "stylegan2:64:cbase=512:cmax=32:map=2:zdim=32", 1, true, 64, 512, 300, 48, 1,
                    List.of("stylegan3:64:cbase=128:cmax=16:zdim=8", "stylegan3:64:cfg=r:cbase=128:cmax=16:zdim=8"), 2);
        }
    }

    /** One step's outcome. */
    public record Step(String name, boolean passed, String detail, double seconds, Map<String, Object> values) {
        String line() {
            return String.format(Locale.ROOT, "%-34s %s  %s (%.1f s)", name, passed ? "ok    " : "FAILED", detail, seconds);
        }
    }

    private final ComputeDevice dev;
    private final Plan plan;
    private final Consumer<String> log;
    private final List<Step> steps = new ArrayList<>();

    private GpuCheck(ComputeDevice dev, Plan plan, Consumer<String> log) {
        this.dev = dev;
        this.plan = plan;
        this.log = log;
    }

    /** The result: every step, and whether all passed. */
    public record Result(List<Step> steps, boolean passed, Map<String, Object> record) {}

    /**
     * Runs the plan on {@code dev} (the GPU, or the CPU for a rehearsal), writing {@code
     * gpu-check.json} and {@code gpu-check.log} into {@code dir}; {@code log} receives each step's line.
     */
    public static Result run(ComputeDevice dev, Plan plan, OutputDir dir, Consumer<String> log) {
        GpuCheck c = new GpuCheck(dev, plan, log);
        c.all();
        boolean passed = c.steps.stream().allMatch(Step::passed);
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("command", "ganfactor gpu-check");
        rec.put("plan", plan.name());
        rec.put("device", dev.label());
        rec.put("passed", passed);
        Devices.Probe p = Devices.probe();
        rec.put("probe", RunRecord.ordered("note", p.note(), "steps", p.steps().stream().map(Devices.Step::toString).toList()));
        rec.put("engine", Devices.info());
        List<Map<String, Object>> st = new ArrayList<>();
        for (Step s : c.steps)
            st.add(RunRecord.ordered("name", s.name(), "passed", s.passed(), "detail", s.detail(), "seconds", s.seconds(), "values", s.values()));
        rec.put("steps", st);
        dir.writeString("gpu-check.json", Json.write(rec));
        StringBuilder lines = new StringBuilder();
        for (Step s : c.steps) lines.append(s.line()).append('\n');
        dir.writeString("gpu-check.log", lines.toString());
        return new Result(List.copyOf(c.steps), passed, rec);
    }

    private void all() {
        if (dev.cuda()) {
            check("parity: cusolver vs lapack", () -> GpuParity.cusolverMatchesLapack(dev));
            check("parity: not positive definite", () -> GpuParity.notPositiveDefiniteIsReported(dev));
            try (Generator demo = Generator.demo()) {
                check("parity: demo grams and directions", () -> GpuParity.demoGramsAndDirectionsMatchTheCpu(demo, dev));
            }
            try (Generator demo = Generator.demo().to(torch.ScalarType.Float)) {
                check("parity: certified rpca", () -> GpuParity.certifiedRpcaFollowsTheCpu(demo, dev));
            }
        }
        try (Generator demo = Generator.demo().to(torch.ScalarType.Float).to(dev)) {
            check("residency: jacobian and solve", () -> GpuParity.residency(demo));
        }
        check("parity: stylegan3 t and r", () -> GpuParity.styleGan3MatchesTheCpu(dev));
        timings();
    }

    /** A check: its one-line finding is the step's detail. */
    private void check(String name, Supplier<String> body) {
        timed(name, () -> values(body.get()));
    }

    /** A step: runs {@code body} in its own PointerScope; a failure is recorded and the next step runs. */
    private void timed(String name, Supplier<Map<String, Object>> body) {
        long t0 = System.nanoTime();
        Step s;
        try (PointerScope scope = new PointerScope()) {
            Map<String, Object> v = body.get();
            s = new Step(name, true, String.valueOf(v.getOrDefault("summary", "")), (System.nanoTime() - t0) / 1e9, v);
        } catch (Throwable t) {
            s = new Step(name, false, oneLine(t), (System.nanoTime() - t0) / 1e9, Map.of());
        }
        steps.add(s);
        log.accept(s.line());
    }

    static String oneLine(Throwable t) {
        return t.getClass().getSimpleName() + ": " + ganfactor.Messages.oneLine(t);
    }

    /** The median seconds of {@code n} runs of {@code body} after one warm-up run; the last run's value is kept in {@code last}. */
    static <T> double median(int n, Supplier<T> body, Object[] last) {
        return median(n, true, body, last);
    }

    /** As {@link #median(int, Supplier, Object[])}, the warm-up left out when the same kernels already ran. */
    static <T> double median(int n, boolean warmUp, Supplier<T> body, Object[] last) {
        if (warmUp) body.get();
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            T r = body.get();
            t[i] = (System.nanoTime() - t0) / 1e9;
            if (last != null) last[0] = r;
        }
        Arrays.sort(t);
        return n % 2 == 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
    }

    /** Sets TF32 for LibTorch's CUDA matmuls and convolutions; returns the previous pair {matmul, convolution}. */
    static boolean[] tf32(boolean matmul, boolean conv) {
        org.bytedeco.pytorch.Context c = torch.globalContext();
        boolean[] was = {c.allowTF32CuBLAS(), c.allowTF32CuDNN()};
        c.setAllowTF32CuBLAS(matmul);
        c.setAllowTF32CuDNN(conv);
        return was;
    }

    /** The solver timings first (quick), then the generator's: W, then W+ (the largest) last, so a run cut short keeps the most. */
    private void timings() {
        solveTimings();
        generatorTimings();
        styleGan3Timings();
    }

    /** Per StyleGAN3 of the plan (float32): one forward pass, one tangent pass of {@code styleGan3Columns} W columns, and their ratio per column. */
    private void styleGan3Timings() {
        for (String spec : plan.styleGan3()) {
            int k = plan.styleGan3Columns();
            timed("stylegan3 forward and " + k + " tangent columns: " + spec, () -> {
                try (Generator g = Generator.open(spec).to(torch.ScalarType.Float).to(dev)) {
                    int l = g.numLayers(), d = g.latentDim();
                    torch.manual_seed(4);
                    Tensor wp = g.mapping(torch.randn(1, d)).unsqueeze(1).expand(1, l, d).contiguous();
                    float[] t = new float[k * l * d];
                    for (int c = 0; c < k; c++)
                        for (int i = 0; i < l; i++) t[(c * l + i) * d + c] = 1;
                    Tensor wpd = Torch.of(t, k, l, d).to(dev.torch(), torch.ScalarType.Float);
                    double fwd = median(plan.repeats(), () -> sync(g.synthesis(wp)), null);
                    double tan = median(plan.repeats(), () -> sync(g.call("gf_synthesis_jvp", wp, wpd)), null);
                    double ratio = tan / k / fwd;
                    return values(String.format(Locale.ROOT, "forward %.4f s, %d columns %.4f s: a column %.2f forward passes (medians of %d)", fwd, k, tan, ratio, plan.repeats()),
                            "forward_s", fwd, "tangents_s", tan, "columns", k, "column_in_forward_passes", ratio, "height", g.height());
                }
            });
        }
    }

    /** Waits for the device's queued work (a host copy of one element), so that a timing covers it. */
    private static long sync(Tensor t) {
        Torch.toDoubles(t.flatten().narrow(0, 0, 1));
        return t.numel();
    }

    private void solveTimings() {
        timed("resefa standard d=" + plan.solveDim(), () -> {
            int d = plan.solveDim();
            Tensor a = Torch.of(Matrices.gram(d, 3 * d, 1, 0), d, d).to(dev.torch(), torch.ScalarType.Double);
            Tensor b = Torch.of(Matrices.gram(d, 3 * d, 2, 0.1), d, d).to(dev.torch(), torch.ScalarType.Double);
            ReSeFa.Options o = solveOptions();
            Object[] last = new Object[1];
            double med = median(Math.max(5, plan.repeats()), () -> ReSeFa.solve(a, b, o), last);
            return values(String.format(Locale.ROOT, "median %.4f s (all %d directions, %s)", med, d, ((Directions) last[0]).info().get("linalg")), "median_s", med);
        });
        timed("resefa fast path d=" + plan.fastDim(), () -> {
            int d = plan.fastDim(), rows = plan.fastRegionRows();
            Tensor jr = Matrices.jacobianLikeRows(rows, d, 1).div(new Scalar(Math.sqrt(rows))).to(dev.torch(), torch.ScalarType.Double);
            Tensor jb = Matrices.jacobianLikeRows(2048, d, 2);
            Tensor bt = jb.t().mm(jb).div(new Scalar(2048.0)).to(dev.torch(), torch.ScalarType.Double);
            ReSeFa.Options o = solveOptions();
            o.path = ReSeFa.SolvePath.FAST;
            o.k = 32;
            double med = median(plan.repeats(), () -> ReSeFa.solveFast(jr, bt, o), null);
            return values(String.format(Locale.ROOT, "median %.3f s (top 32, %d region rows, background rank %d)", med, rows, Math.min(d, 512)), "median_s", med);
        });
        timed("rpca certified d=" + plan.rpcaDim(), () -> {
            int d = plan.rpcaDim();
            Tensor m = Torch.of(Matrices.decayingGram(d, 3), d, d).to(dev.torch(), torch.ScalarType.Double);
            Rpca.Options o = new Rpca.Options();
            if (dev.cuda()) o.linalg = Linalg.forDevice(dev, o.linalg);
            long c0 = Torch.hostCopies(), u0 = Torch.uploads();
            Object[] last = new Object[1];
            double med = median(plan.repeats(), () -> Rpca.solve(m, o), last);
            Rpca.Result r = (Rpca.Result) last[0];
            double trips = (Torch.hostCopies() - c0 + Torch.uploads() - u0) / (double) ((plan.repeats() + 1) * r.iterations());
            return values(String.format(Locale.ROOT, "median %.3f s of %d (%d iterations, rank %d, %.1f host round trips an iteration)", med, plan.repeats(), r.iterations(), r.rank(), trips),
                    "median_s", med, "iterations", r.iterations(), "rank", r.rank(), "round_trips_per_iteration", trips);
        });
    }

    private void generatorTimings() {
        Generator g;
        try {
            g = Generator.open(plan.model()).to(torch.ScalarType.Float).to(dev);
        } catch (Throwable t) {
            steps.add(new Step("timings: open " + plan.model(), false, oneLine(t), 0, Map.of()));
            log.accept(steps.get(steps.size() - 1).line());
            return;
        }
        try (g) {
            View view = View.defaultFor(g.channels(), g.height(), g.width());
            Region eyes = Regions.parse("ffhq:eyes", view.grid(), g);
            for (LatentSpace space : plan.wplus() ? List.of(LatentSpace.W, LatentSpace.WP) : List.of(LatentSpace.W)) {
                double[] x = Latents.fromSeed(g, space, 0, 1, 1.0, g.numLayers()).row(0);
                int n = space == LatentSpace.W ? plan.repeats() : 1;   // W+ is 18x the work: one timed run
                Directions[] f32 = new Directions[1];
                String tag = space == LatentSpace.W ? "w" : "wp";
                timed("jacobian " + tag + " " + g.height() + " px float32", () -> {
                    Object[] last = new Object[1];
                    // W+ runs the kernels W warmed up, at 18x the work: no warm-up run of its own
                    double med = median(n, space == LatentSpace.W, () -> JacobianEngine.compute(g, x, space, view, List.of(eyes), new JacobianEngine.Options()), last);
                    JacobianEngine.Result r = (JacobianEngine.Result) last[0];
                    f32[0] = directions(r.grams().get(0));
                    return values(String.format(Locale.ROOT, "median %.3f s of %d (%d x %d, chunk %d, %d passes; budget %s)", med, n, r.rows(), x.length,
                            r.chunk(), r.passes(), r.budget().source()), "median_s", med, "repeats", n, "rows", r.rows(), "columns", x.length, "chunk", r.chunk());
                });
                if (dev.cuda()) {
                    timed("jacobian " + tag + " " + g.height() + " px tf32", () -> {
                        boolean[] was = tf32(true, true);
                        try {
                            Object[] last = new Object[1];
                            double med = median(n, space == LatentSpace.W, () -> JacobianEngine.compute(g, x, space, view, List.of(eyes), new JacobianEngine.Options()), last);
                            Directions d = directions(((JacobianEngine.Result) last[0]).grams().get(0));
                            double cos = f32[0] == null ? Double.NaN : Matrices.minAbsCos(d.vectors(), f32[0].vectors(), Math.min(5, d.count()), d.dim());
                            return values(String.format(Locale.ROOT, "median %.3f s of %d; top-5 |cos| to float32 %.6f", med, n, cos), "median_s", med, "repeats", n, "top5_min_abs_cos_to_float32", cos);
                        } finally {
                            tf32(was[0], was[1]);
                        }
                    });
                }
                if (space == LatentSpace.W) {
                    timed("discover w " + g.height() + " px end to end", () -> {
                        Latents lat = Latents.fromSeed(g, LatentSpace.W, 0, 1, 1.0, g.numLayers());
                        double med = median(plan.repeats(), () -> discover(g, lat, view, eyes), null);
                        return values(String.format(Locale.ROOT, "median %.3f s of %d (Jacobian, ReSeFa, %d edit grid(s), files)", med, plan.repeats(), plan.discoverShow()),
                                "median_s", med, "repeats", plan.repeats());
                    });
                }
            }
        }
    }

    private ReSeFa.Options solveOptions() {
        ReSeFa.Options o = new ReSeFa.Options();
        o.regularization = ReSeFa.Regularization.PAPER;
        if (dev.cuda()) {
            o.device = dev;
            o.linalg = Linalg.forDevice(dev, o.linalg);
        }
        return o;
    }

    private Directions directions(GramPair gp) {
        return ReSeFa.solve(gp, solveOptions());
    }

    /** discover end to end, in memory: the staging folder is thrown away (never committed). */
    private Discovery.Report discover(Generator g, Latents lat, View view, Region region) {
        java.nio.file.Path tmp;
        try {
            tmp = java.nio.file.Files.createTempDirectory("gf-gpu-check-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (OutputDir d = new OutputDir(tmp.resolve("discover"), false, "ganfactor gpu-check")) {
            Discovery.Settings s = new Discovery.Settings();
            s.solver = new ReSeFaSolver(ReSeFaSolver.onDevice(solveOptions(), dev));
            s.show = plan.discoverShow();
            return Discovery.run(g, lat, view, List.of(region), s, d);
        } finally {
            try {
                java.nio.file.Files.deleteIfExists(tmp);
            } catch (java.io.IOException ignored) {
                // a temporary folder of the JVM's: the system cleans it
            }
        }
    }

    /** A step's values: its summary line first, then the named figures. */
    private static Map<String, Object> values(String summary, Object... kv) {
        Object[] all = new Object[kv.length + 2];
        all[0] = "summary";
        all[1] = summary;
        System.arraycopy(kv, 0, all, 2, kv.length);
        return RunRecord.ordered(all);
    }
}
