package ganfactor.cli;

import ganfactor.InputException;
import ganfactor.io.Json;
import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import ganfactor.io.OutputDir;
import ganfactor.jacobian.GramPair;
import ganfactor.method.Directions;
import ganfactor.method.ReSeFa;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "solve", description = {
        "Solve ReSeFa or LowRankGAN from saved matrices: Grams (--fg A.npy --bg B.npy, [d, d] or [N, d, d], as `ganfactor jacobian` writes them)",
        "or the reference's Jacobian file (--jacobian J.npy [N, C, G, G, 1, d] or [N, G, G, 1, d]; ganfactor's older [N, C, G, G, d] too; with --region).",
        "Writes directions.npy [k, d] float32 and eigenvalues.npy per sample (sample_<i>/ when N > 1) and solve.json."})
final class SolveCommand implements Callable<Integer> {

    static final class Input {
        @Option(names = "--fg", description = "foreground Gram A .npy ([d, d] or [N, d, d]); needs --bg") Path fg;
        @Option(names = "--jacobian", description = "Jacobian .npy in the official layout [N, C, G, G, 1, d] or [N, G, G, 1, d] (also [G, G, 1, d] and ganfactor's older [N, C, G, G, d]); needs --region") Path jacobian;
    }

    @ArgGroup(exclusive = true, multiplicity = "1") Input input;

    @Option(names = "--bg", description = "background Gram B .npy, same shape as --fg") Path bg;

    @Option(names = "--region", description = "with --jacobian: the region (box cr,cc,h,w on the file's grid, ffhq:preset, mask .png/.npy)") String region;

    @Option(names = "--aggregate", description = "solve once for the mean of all samples' Grams instead of per sample") boolean aggregate;

    @Mixin MethodOptions methodOptions;

    @Mixin DeviceOption device;

    @picocli.CommandLine.Mixin OutputOptions output;

    @Option(names = "--threads", defaultValue = "0", description = "CPU threads (0 = all cores)") int threads;

    @Override
    public Integer call() {
        ganfactor.Engine.init(threads);
        methodOptions.device = device.device();
        ganfactor.pipeline.Solver solver = methodOptions.solver();
        long t0 = System.nanoTime();
        List<GramPair> grams = new ArrayList<>();
        List<Tensor> rows = new ArrayList<>();
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("tool", "ganfactor solve");
        rec.put("created", Instant.now().toString());
        try (PointerScope scope = new PointerScope()) {
            if (input.fg != null) {
                if (bg == null) throw new InputException("--fg needs --bg (the background Gram)");
                if (region != null) throw new InputException("--region applies to --jacobian; Grams already belong to a region");
                readGrams(input.fg, bg, grams);
                rec.put("input", Map.of("fg", input.fg.toString(), "bg", bg.toString()));
            } else {
                if (region == null) throw new InputException("--jacobian needs --region");
                if (bg != null) throw new InputException("--bg applies to --fg");
                Map<String, Object> in = readJacobian(input.jacobian, region, grams, rows);
                rec.put("input", in);
            }
            int n = grams.size();
            List<GramPair> todo = aggregate && n > 1 ? List.of(ReSeFa.aggregate(grams)) : grams;
            Tensor aggRows = null;
            if (aggregate && n > 1 && !rows.isEmpty()) {
                List<Tensor> scaled = new ArrayList<>();
                for (Tensor r : rows) scaled.add(r.div(new Scalar(Math.sqrt(n))));
                aggRows = org.bytedeco.pytorch.global.torch.cat(new org.bytedeco.pytorch.TensorVector(scaled.toArray(new Tensor[0])), 0);
            }
            try (OutputDir dir = output.open("ganfactor solve")) {
                List<Object> results = new ArrayList<>();
                for (int i = 0; i < todo.size(); i++) {
                    Tensor rr = todo.size() == 1 && aggRows != null ? aggRows : rows.isEmpty() ? null : rows.get(i);
                    Directions d = solver.solve(new ganfactor.pipeline.Solver.Problem(todo.get(i), rr, null, Main.CANCEL));
                    String prefix = todo.size() == 1 ? "" : "sample_" + i + "/";
                    d.write(dir, prefix, false);
                    Map<String, Object> r = new LinkedHashMap<>(d.info());
                    r.put("files", List.of(prefix + "directions.npy", prefix + "eigenvalues.npy"));
                    r.put("top_eigenvalues", java.util.Arrays.copyOf(d.values(), Math.min(5, d.count())));
                    results.add(r);
                    String what = todo.size() == 1 ? (aggregate && n > 1 ? "aggregate of " + n + " samples" : "sample 0") : "sample " + i;
                    System.out.printf("%s: %d directions of d = %d, %s path, top eigenvalue %.4g%n",
                            what, d.count(), d.dim(), d.info().getOrDefault("path", solver.name()), d.count() == 0 ? Double.NaN : d.values()[0]);
                    Printing.warnings(what, d.warnings());
                }
                rec.put("samples", n);
                rec.put("aggregate", aggregate && n > 1);
                rec.put("results", results);
                rec.put("seconds_total", (System.nanoTime() - t0) / 1e9);
                rec.put("versions", ganfactor.Engine.info());
                dir.writeString("solve.json", Json.write(rec));
                dir.commit();
                System.out.println("wrote " + dir.target());
            } finally {
                for (Tensor r : rows) r.releaseReference();   // retained past readJacobian's per-sample scopes
            }
        }
        return 0;
    }

    private static void readGrams(Path fa, Path fb, List<GramPair> out) {
        NpyArray a = Npy.read(fa), b = Npy.read(fb);
        if (a.ndim() != 2 && a.ndim() != 3) throw new InputException(fa + ": expected [d, d] or [N, d, d], got " + a.shapeString());
        long d = a.shape()[a.ndim() - 1];
        if (a.shape()[a.ndim() - 2] != d) throw new InputException(fa + ": Grams must be square, got " + a.shapeString());
        if (!java.util.Arrays.equals(a.shape(), b.shape())) throw new InputException(fb + ": shape " + b.shapeString() + " differs from " + fa + " " + a.shapeString());
        int n = a.ndim() == 3 ? (int) a.shape()[0] : 1;
        int dd = (int) d;
        for (int i = 0; i < n; i++) {
            double[] ai = java.util.Arrays.copyOfRange(a.data(), i * dd * dd, (i + 1) * dd * dd);
            double[] bi = java.util.Arrays.copyOfRange(b.data(), i * dd * dd, (i + 1) * dd * dd);
            out.add(new GramPair("grams", dd, 0, 0, ai, bi));
        }
    }

    /** Grams (and the region's scaled rows, for the fast path) from a Jacobian file in the reference layout. */
    private static Map<String, Object> readJacobian(Path file, String spec, List<GramPair> out, List<Tensor> rowsOut) {
        NpyArray j = Npy.read(file);
        long[] s = j.shape();
        int n, c, gh, gw, d;
        if (s.length == 4 && s[2] == 1) { n = 1; gh = (int) s[0]; gw = (int) s[1]; c = 1; d = (int) s[3]; }
        else if (s.length == 6 && s[4] == 1) { n = (int) s[0]; c = (int) s[1]; gh = (int) s[2]; gw = (int) s[3]; d = (int) s[5]; }   // official, channels as rows
        else if (s.length == 5 && s[3] == 1 && s[1] == s[2]) { n = (int) s[0]; gh = (int) s[1]; gw = (int) s[2]; c = 1; d = (int) s[4]; }   // official, summed
        else if (s.length == 5) { n = (int) s[0]; c = (int) s[1]; gh = (int) s[2]; gw = (int) s[3]; d = (int) s[4]; }   // ganfactor before the official layout
        else throw new InputException(file + ": expected a Jacobian [N, C, G, G, 1, d] or [N, G, G, 1, d] (official layouts), [G, G, 1, d] or [N, C, G, G, d], got " + j.shapeString());
        if (gh != gw) throw new InputException(file + ": the Jacobian view must be square, got " + gh + " x " + gw);
        Region r = Regions.parse(spec, gh, null);
        long[] in = r.inside(c), outside = r.outside(c);
        long P = (long) c * gh * gw;
        for (int i = 0; i < n; i++) {
            try (PointerScope scope = new PointerScope()) {
                double[] ji = java.util.Arrays.copyOfRange(j.data(), (int) (i * P * d), (int) ((i + 1) * P * d));
                Tensor J = Torch.of(ji, P, d);
                Tensor Jr = J.index_select(0, Torch.ofLong(in, in.length));
                Tensor Jb = J.index_select(0, Torch.ofLong(outside, outside.length));
                Tensor fa = Jr.div(new Scalar(Math.sqrt(in.length)));
                double[] a = Torch.toDoubles(fa.t().mm(fa));
                double[] b = Torch.toDoubles(Jb.t().mm(Jb).div(new Scalar(outside.length)));
                out.add(new GramPair(r.name(), d, in.length, outside.length, a, b));
                fa.retainReference();
                rowsOut.add(fa);
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jacobian", file.toString());
        m.put("shape", s);
        m.put("region", r.name());
        m.put("region_origin", r.origin());
        if (r.box() != null) m.put("box", r.box());
        m.put("inside_rows", in.length);
        m.put("outside_rows", outside.length);
        return m;
    }
}
