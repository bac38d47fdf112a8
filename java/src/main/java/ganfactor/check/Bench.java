package ganfactor.check;

import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.generator.StyleGan2;
import ganfactor.io.OutputDir;
import ganfactor.method.ReSeFa;
import ganfactor.method.Rpca;
import ganfactor.pipeline.Discovery;
import ganfactor.pipeline.Methods;
import ganfactor.pipeline.MethodRequest;
import ganfactor.pipeline.RunRecord;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import ganfactor.torch.ComputeDevice;
import ganfactor.torch.Peak;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The headline workloads for users who do not run JMH ({@code ganfactor bench}): each repeated
 * after a warm-up, reported as the median with the fastest and slowest run, the work where it is
 * counted (GFLOP/s and the fraction of this machine's float32 matmul rate, {@link Peak}), and
 * compared with an earlier run's JSON: a workload is flagged when its median moved by more than
 * the runs' own spread allows. JMH stays the project's instrument for its claims.
 */
public final class Bench {
    private Bench() {}

    /** The sizes: {@code quick} (the default, under a minute on two cores), {@code full} (adds the 1024 px column and the d = 9,216 fast path) and {@code smoke} (tiny, for tests). */
    public record Plan(String name, int repeats, int solveDim, int rpcaDim, int[] columnResolutions, int fastDim, String columnModel, int demoGrid) {
        public static Plan named(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "quick" -> new Plan("quick", 3, 512, 512, new int[]{256}, 0, "stylegan2:%d", 0);
                case "full" -> new Plan("full", 5, 512, 512, new int[]{256, 1024}, 9216, "stylegan2:%d", 0);
                case "smoke" -> new Plan("smoke", 2, 64, 48, new int[]{32}, 0, "stylegan2:%d:cbase=256:cmax=16:map=2:zdim=16", 64);
                default -> throw new ganfactor.SettingException("plan", "must be quick, full or smoke, got '" + name + "'");
            };
        }
    }

    /** One workload's timings. */
    public record Timing(String name, String what, int repeats, double median, double min, double max, Double gflops, Double fraction) {
        /** Half the range over the median: the noise a comparison allows. */
        public double spread() {
            return median > 0 ? (max - min) / 2 / median : 0;
        }
    }

    /** Runs the plan on {@code device}; {@code log} gets one line per workload as it finishes. */
    public static List<Timing> run(Plan plan, ComputeDevice device, Path scratch, Consumer<String> log) {
        List<Timing> out = new ArrayList<>();
        Peak.Measurement peak = Peak.float32(device);
        log.accept(String.format(Locale.ROOT, "machine float32 matmul: %.1f GFLOP/s (%s)", peak.gflops(), peak.how()));
        add(out, log, demoDiscover(plan, device, scratch));
        for (int res : plan.columnResolutions()) add(out, log, column(plan, device, res, peak));
        add(out, log, resefaSolve(plan, device));
        if (plan.fastDim() > 0) add(out, log, fastPath(plan, device));
        add(out, log, rpca(plan, device));
        return out;
    }

    private static void add(List<Timing> out, Consumer<String> log, Timing t) {
        out.add(t);
        log.accept(line(t));
    }

    /** A table line: name, median, range, work. */
    public static String line(Timing t) {
        String work = t.gflops() == null ? "" : String.format(Locale.ROOT, "  %.1f GFLOP/s = %.0f%% of float32 matmul", t.gflops(), 100 * t.fraction());
        return String.format(Locale.ROOT, "%-26s median %9.4f s  (%.4f .. %.4f, %d runs, +-%.1f%%)%s", t.name(), t.median(), t.min(), t.max(), t.repeats(), 100 * t.spread(), work);
    }

    static Timing time(String name, String what, int n, Supplier<?> body, Double flops, Peak.Measurement peak) {
        body.get();   // warm-up
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            try (PointerScope scope = new PointerScope()) {
                body.get();
            }
            s[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(s);
        double med = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        Double rate = flops == null ? null : flops / med / 1e9;
        return new Timing(name, what, n, med, s[0], s[n - 1], rate, rate == null ? null : rate / peak.gflops());
    }

    private static Timing demoDiscover(Plan plan, ComputeDevice device, Path scratch) {
        try (Generator g = Generator.demo().to(torch.ScalarType.Float).to(device)) {
            Latents lat = Latents.fromSeed(g, LatentSpace.W, 4, 1, 1.0, g.numLayers());
            View view = plan.demoGrid() > 0 ? new View(plan.demoGrid(), View.Reduce.SUM, g.channels(), g.height(), g.width())
                    : View.defaultFor(g.channels(), g.height(), g.width());
            List<Region> rs = Regions.parseAll(List.of("eyes", "mouth"), view.grid(), g, false);
            MethodRequest request = MethodRequest.of(Methods.RESEFA).with(Methods.REGULARIZE, ReSeFa.Regularization.PAPER);
            int[] k = {0};
            return time("demo discover", "the demo's discovery end to end (eyes and mouth, ReSeFa, grids, files), as ./ganfactor demo", plan.repeats(), () -> {
                Discovery.Settings s = new Discovery.Settings();
                s.request = request;
                s.solver = request.solver(device);
                Path dir = scratch.resolve("demo-" + (k[0]++));
                try (OutputDir od = new OutputDir(dir, true, "ganfactor bench")) {
                    Discovery.Report r = Discovery.run(g, lat, view, rs, s, od);
                    od.commit();
                    return r;
                } finally {
                    deleteTree(dir);
                }
            }, null, null);
        }
    }

    private static Timing column(Plan plan, ComputeDevice device, int res, Peak.Measurement peak) {
        try (Generator g = Generator.open(String.format(Locale.ROOT, plan.columnModel(), res)).to(device);
             PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            double[] x = Latents.fromSeed(g, LatentSpace.W, 4, 1, 1.0, g.numLayers()).row(0);
            int d = g.latentDim();
            Tensor X = Torch.of(x, 1, d).to(device.torch(), torch.ScalarType.Float);
            Tensor V = torch.eye(d, device.options(torch.ScalarType.Float)).narrow(0, 0, 1).contiguous();
            View view = View.defaultFor(g.channels(), g.height(), g.width());
            Tensor rows = Torch.ofLong(view.rowIndex(), view.rowIndex().length).to(device.torch(), torch.ScalarType.Long);
            Tensor cols = Torch.ofLong(view.colIndex(), view.colIndex().length).to(device.torch(), torch.ScalarType.Long);
            StyleGan2.Config c = g.styleGan2Config();
            double flops = 2.0 * StyleGan2.synthesisMacs(c) * 2;   // one column: the tangent and, for a one-column pass, the primal
            return time("stylegan2 column " + res + " px", "one forward-mode Jacobian column (a one-column pass: primal and tangent) of a random "
                    + (plan.name().equals("smoke") ? "small StyleGAN2" : "config-F StyleGAN2") + " at " + res + " px, the official view", plan.repeats(), () -> {
                long level = torch.enter_dual_level();
                try {
                    Tensor y = g.call("gf_jvp", X, V, LatentSpace.W.code(), rows, cols, view.reduce().code(), level);
                    return Torch.scalar(y.sum().to(torch.ScalarType.Double));
                } finally {
                    torch.exit_dual_level(level);
                }
            }, flops, peak);
        }
    }

    private static Timing resefaSolve(Plan plan, ComputeDevice device) {
        int d = plan.solveDim();
        try (PointerScope scope = new PointerScope()) {
            Tensor a = Torch.of(Matrices.gram(d, 3 * d, 1, 0), d, d).to(device.torch(), torch.ScalarType.Double);
            Tensor b = Torch.of(Matrices.gram(d, 3 * d, 2, 0.1), d, d).to(device.torch(), torch.ScalarType.Double);
            ReSeFa.Options o = Methods.resefa(MethodRequest.of(Methods.RESEFA), device);
            return time("resefa solve d=" + d, "ReSeFa's standard solve (Cholesky + eigh), all " + d + " directions", Math.max(5, plan.repeats()),
                    () -> ReSeFa.solve(a, b, o), null, null);
        }
    }

    private static Timing fastPath(Plan plan, ComputeDevice device) {
        int d = plan.fastDim(), rows = 2300;
        try (PointerScope scope = new PointerScope()) {
            Tensor jr = Matrices.jacobianLikeRows(rows, d, 1).div(new Scalar(Math.sqrt(rows))).to(device.torch(), torch.ScalarType.Double);
            Tensor jb = Matrices.jacobianLikeRows(2048, d, 2);
            Tensor bt = jb.t().mm(jb).div(new Scalar(2048.0)).to(device.torch(), torch.ScalarType.Double);
            ReSeFa.Options o = Methods.resefa(MethodRequest.of(Methods.RESEFA).with(Methods.K, 32), device);
            return time("resefa fast path d=" + d, "ReSeFa's fast path (truncated SVD + Woodbury), top 32, " + rows + " region rows", plan.repeats(),
                    () -> ReSeFa.solveFast(jr, bt, o), null, null);
        }
    }

    private static Timing rpca(Plan plan, ComputeDevice device) {
        int d = plan.rpcaDim();
        try (PointerScope scope = new PointerScope()) {
            Tensor m = Torch.of(Matrices.decayingGram(d, 3), d, d).to(device.torch(), torch.ScalarType.Double);
            Rpca.Options o = new Rpca.Options();
            if (device.cuda()) o.linalg = ganfactor.linalg.Linalg.forDevice(device, o.linalg);
            return time("rpca d=" + d, "LowRankGAN's RPCA (the reference's ADMM, certified SVT) of a decaying " + d + " x " + d + " Gram", plan.repeats(),
                    () -> Rpca.solve(m, o), null, null);
        }
    }

    private static void deleteTree(Path p) {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
        } catch (java.io.IOException | java.io.UncheckedIOException ignored) {
            // scratch: left for the OS
        }
    }

    /** The JSON record: machine, plan, every workload. */
    public static Map<String, Object> record(Plan plan, ComputeDevice device, List<Timing> timings) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", "ganfactor bench");
        r.put("plan", plan.name());
        r.put("device", device.label());
        Peak.Measurement p = Peak.float32(device);
        r.put("machine", RunRecord.ordered("cores", Runtime.getRuntime().availableProcessors(), "torch_threads", torch.get_num_threads(),
                "float32_matmul_gflops", p.gflops(), "peak_probe", p.how(), "os_arch", System.getProperty("os.arch"), "java", System.getProperty("java.version")));
        List<Object> ws = new ArrayList<>();
        for (Timing t : timings)
            ws.add(RunRecord.ordered("name", t.name(), "what", t.what(), "repeats", t.repeats(), "median_s", t.median(), "min_s", t.min(), "max_s", t.max(),
                    "spread", t.spread(), "gflops_per_second", t.gflops(), "fraction_of_matmul_rate", t.fraction()));
        r.put("workloads", ws);
        return r;
    }

    /** One workload against an earlier run: the ratio of medians and a verdict. */
    public record Change(String name, double oldMedian, double newMedian, double allowed, String verdict) {
        public String line() {
            return String.format(Locale.ROOT, "%-26s %9.4f s -> %9.4f s  x%.3f  %s (noise allows +-%.0f%%)", name, oldMedian, newMedian, newMedian / oldMedian, verdict, 100 * allowed);
        }
    }

    /**
     * The workloads of {@code now} also in {@code old} (a {@link #record}'s "workloads"): slower
     * beyond the allowed noise is a REGRESSION, faster beyond it an improvement, else "same". The
     * allowed noise is twice the larger spread of the two runs, at least 5 %.
     */
    @SuppressWarnings("unchecked")
    public static List<Change> compare(Map<String, Object> old, List<Timing> now) {
        Map<String, Map<String, Object>> before = new LinkedHashMap<>();
        Object ws = old.get("workloads");
        if (!(ws instanceof List<?> list)) throw new ganfactor.InputException("the earlier bench record has no workloads list (not a ganfactor bench JSON)");
        for (Object o : list)
            if (o instanceof Map<?, ?> m && m.get("name") instanceof String n) before.put(n, (Map<String, Object>) m);
        List<Change> out = new ArrayList<>();
        for (Timing t : now) {
            Map<String, Object> b = before.get(t.name());
            if (b == null || !(b.get("median_s") instanceof Number om)) continue;
            double oldMed = om.doubleValue(), oldSpread = b.get("spread") instanceof Number sp ? sp.doubleValue() : 0;
            double allowed = Math.max(0.05, 2 * Math.max(oldSpread, t.spread()));
            double ratio = t.median() / oldMed;
            String verdict = ratio > 1 + allowed ? "REGRESSION" : ratio < 1 - allowed ? "faster" : "same";
            out.add(new Change(t.name(), oldMed, t.median(), allowed, verdict));
        }
        return out;
    }
}
