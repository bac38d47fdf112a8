package ganfactor.cli;

import ganfactor.InputException;
import ganfactor.io.OutputDir;
import ganfactor.pipeline.GramFiles;
import ganfactor.jacobian.GramPair;
import ganfactor.method.Directions;
import ganfactor.method.ReSeFa;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine.ArgGroup;
import ganfactor.pipeline.RunRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
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
        RunRecord rec = RunRecord.of("ganfactor solve");
        try (PointerScope scope = new PointerScope()) {
            if (input.fg != null) {
                if (bg == null) throw new InputException("--fg needs --bg (the background Gram)");
                if (region != null) throw new InputException("--region applies to --jacobian; Grams already belong to a region");
                GramFiles.readGrams(input.fg, bg, grams);
                rec.put("input", Map.of("fg", input.fg.toString(), "bg", bg.toString()));
            } else {
                if (region == null) throw new InputException("--jacobian needs --region");
                if (bg != null) throw new InputException("--bg applies to --fg");
                Map<String, Object> in = GramFiles.readJacobian(input.jacobian, region, grams, rows);
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
                dir.writeString("solve.json", rec.json());
                dir.commit();
                System.out.println("wrote " + dir.target());
            }
        }
        return 0;
    }
}
