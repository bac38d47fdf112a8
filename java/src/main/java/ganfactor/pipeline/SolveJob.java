package ganfactor.pipeline;

import ganfactor.InputException;
import ganfactor.io.OutputDir;
import ganfactor.jacobian.GramPair;
import ganfactor.method.Directions;
import ganfactor.method.ReSeFa;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static ganfactor.InputException.ref;

/**
 * A region method solved from saved matrices ({@code ganfactor solve}): Gram files
 * ({@code A.npy}, {@code B.npy}, [d, d] or [N, d, d]) or the reference's Jacobian file with a
 * region, per sample or once on the mean; {@code directions.npy} and {@code eigenvalues.npy} per
 * result ({@code sample_<i>/} when there are several) and {@code solve.json}.
 */
public final class SolveJob {
    private SolveJob() {}

    /** The matrices: {@code fg} with {@code bg}, or {@code jacobian} with {@code region}. */
    public record Input(Path fg, Path bg, Path jacobian, String region) {
        public Input {
            if ((fg == null) == (jacobian == null)) throw new InputException("give either " + ref("fg") + " (with " + ref("bg") + ") or " + ref("jacobian") + " (with " + ref("region") + ")");
            if (fg != null && bg == null) throw new InputException(ref("fg") + " needs " + ref("bg") + " (the background Gram)");
            if (fg != null && region != null) throw new InputException(ref("region") + " applies to " + ref("jacobian") + "; Grams already belong to a region");
            if (jacobian != null && region == null) throw new InputException(ref("jacobian") + " needs " + ref("region"));
            if (jacobian != null && bg != null) throw new InputException(ref("bg") + " applies to " + ref("fg"));
        }
    }

    /** One solve: what it was for ("sample 0", "aggregate of 4 samples") and its directions. */
    public record Outcome(String what, Directions directions) {}

    /**
     * Reads the input, then opens the output folder ({@code open}: nothing is created for an input
     * that cannot be read), solves, writes and commits. Returns the outcomes in order.
     */
    public static List<Outcome> run(Input in, boolean aggregate, Solver solver, RunContext context, Supplier<OutputDir> open) {
        ganfactor.trace.Trace trace = context.trace();
        RunRecord rec = RunRecord.of("ganfactor solve");
        List<GramPair> grams = new ArrayList<>();
        List<Tensor> rows = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        try (PointerScope scope = new PointerScope()) {
            try (ganfactor.trace.Span sp = trace.span("read input", "file", String.valueOf(in.fg() != null ? in.fg() : in.jacobian()))) {
                if (in.fg() != null) {
                    GramFiles.readGrams(in.fg(), in.bg(), grams);
                    rec.put("input", Map.of("fg", in.fg().toString(), "bg", in.bg().toString()));
                } else {
                    rec.put("input", GramFiles.readJacobian(in.jacobian(), in.region(), grams, rows));
                }
            }
            int n = grams.size();
            boolean agg = aggregate && n > 1;
            List<GramPair> todo = agg ? List.of(ReSeFa.aggregate(grams)) : grams;
            List<Tensor> todoRows = agg && !rows.isEmpty() ? List.of(joinScaled(rows)) : rows;
            try (OutputDir dir = open.get()) {
                List<Object> results = new ArrayList<>();
                for (int i = 0; i < todo.size(); i++) {
                    Directions d;
                    try (ganfactor.trace.Span sp = trace.span("solve", "method", solver.name(), "result", agg ? "aggregate" : "sample " + i, "dim", todo.get(i).dim())) {
                        d = solver.solve(new Solver.Problem(todo.get(i), todoRows.isEmpty() ? null : todoRows.get(i), null, context));
                    }
                    String prefix = todo.size() == 1 ? "" : "sample_" + i + "/";
                    try (ganfactor.trace.Span sp = trace.span("write directions", "folder", prefix)) {
                        d.write(dir, prefix, false);
                    }
                    Map<String, Object> r = new LinkedHashMap<>(d.info());
                    r.put("files", List.of(prefix + "directions.npy", prefix + "eigenvalues.npy"));
                    r.put("top_eigenvalues", Arrays.copyOf(d.values(), Math.min(5, d.count())));
                    results.add(r);
                    outcomes.add(new Outcome(agg ? "aggregate of " + n + " samples" : "sample " + i, d));
                }
                rec.put("samples", n).put("aggregate", agg).put("results", results).put("seconds_total", rec.seconds());
                dir.writeString("solve.json", rec.json());
                dir.commit();
            }
        }
        return outcomes;
    }

    /** The samples' region rows stacked, each scaled by 1/sqrt(N): their Gram is the mean Gram. */
    private static Tensor joinScaled(List<Tensor> rows) {
        List<Tensor> scaled = new ArrayList<>();
        for (Tensor r : rows) scaled.add(r.div(new Scalar(Math.sqrt(rows.size()))));
        return torch.cat(new TensorVector(scaled.toArray(new Tensor[0])), 0);
    }
}
