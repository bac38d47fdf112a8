package ganfactor.pipeline;

import ganfactor.InputException;
import ganfactor.io.BoundaryFiles;
import ganfactor.io.Npy;
import ganfactor.io.OutputDir;
import ganfactor.method.InterFaceGan;
import ganfactor.score.ScoreFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * InterFaceGAN's boundary training as a whole run ({@code ganfactor train-boundary}): codes and
 * scores read and checked against each other, the linear SVM trained, {@code boundary.npy}
 * [1, d] float64 and {@code boundary.json} written, and the warnings a boundary deserves.
 */
public final class BoundaryJob {
    private BoundaryJob() {}

    /** The inputs: codes [N, d] or [N, L, d], scores (.npy [N, 1] or CSV, {@code column} of a headed CSV) and the training options. */
    public record Request(Path codes, Path scores, String column, InterFaceGan.Options options) {}

    /** The boundary, the number of codes, its warnings and the lines to print. */
    public record Outcome(InterFaceGan.Boundary boundary, int samples, List<String> warnings, List<String> lines) {}

    /** Reads and trains, then opens the output folder ({@code open}: nothing is created for bad input), writes and commits. */
    public static Outcome run(Request req, Supplier<OutputDir> open) {
        RunRecord rec = RunRecord.of("ganfactor train-boundary");
        InterFaceGan.Options o = req.options();
        BoundaryFiles.Codes c = BoundaryFiles.readCodes(req.codes());
        double[] s = ScoreFiles.read(req.scores(), req.column());
        if (s.length != c.count())
            throw new InputException("shape mismatch: " + req.codes() + " holds " + c.count() + " codes " + Arrays.toString(c.shape()) + " but "
                    + req.scores() + " holds " + s.length + " scores");
        InterFaceGan.Boundary b = InterFaceGan.train(c.data(), c.dim(), s, o);
        List<String> warnings = warnings(b);
        try (OutputDir dir = open.get()) {
            Npy.writeFloat64(dir.file("boundary.npy"), b.normal(), 1, b.dim());
            rec.put("codes", req.codes().toString()).put("codes_shape", c.shape());
            rec.put("scores", req.scores().toString() + (req.column() != null ? " (column " + req.column() + ")" : ""));
            rec.put("samples", c.count());
            rec.put("boundary", "boundary.npy [1, " + b.dim() + "] float64, unit norm, positive side = high scores");
            rec.putAll(b.summary(o));
            if (!warnings.isEmpty()) rec.put("warnings", warnings);
            rec.put("seconds_total", rec.seconds());
            dir.writeString("boundary.json", rec.json());
            dir.commit();
        }
        InterFaceGan.Selection sel = b.selection();
        List<String> lines = List.of(
                String.format(Locale.ROOT, "boundary in %d dimensions from %d + %d training samples of %d (ratio %s, split %s, seed %d): %.2f s",
                        b.dim(), sel.trainPos().length, sel.trainNeg().length, c.count(), o.ratio, o.split, o.seed, rec.seconds()),
                String.format(Locale.ROOT, "  accuracy: train %s, validation %s (%d), remaining %s (%d); %d support vectors",
                        pct(b.trainAccuracy()), pct(b.validationAccuracy()), sel.valPos().length + sel.valNeg().length, pct(b.remainingAccuracy()),
                        sel.remaining().length, b.supportVectors()));
        return new Outcome(b, c.count(), warnings, lines);
    }

    /**
     * InterFaceGAN's conditional boundary ({@code ganfactor project-boundary}): the primal with the
     * conditions' span removed, renormalised, written atomically to {@code out} as [1, d] float64.
     * Returns the lines to print: the cosine of primal and result, and each condition's cosines.
     */
    public static List<String> project(Path primal, List<Path> conditions, Path out, boolean force, ganfactor.io.Inputs inputs) {
        ganfactor.io.AtomicFile.check(out, force, inputs);
        double[] n = BoundaryFiles.readBoundary(primal);
        List<double[]> cs = new ArrayList<>();
        for (Path c : conditions) {
            double[] v = BoundaryFiles.readBoundary(c);
            if (v.length != n.length)
                throw new InputException("shape mismatch: " + c + " has " + v.length + " values, the primal " + primal + " " + n.length);
            cs.add(v);
        }
        double[] p = InterFaceGan.project(n, cs);
        BoundaryFiles.writeBoundary(out, p, force, inputs);
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%s conditioned on %d boundary(ies): cos(primal, conditional) = %.6f", primal, cs.size(),
                InterFaceGan.cosine(n, p)));
        for (int i = 0; i < cs.size(); i++)
            lines.add(String.format(Locale.ROOT, "  %-40s cos with primal %+.6f, with conditional %+.2e", conditions.get(i),
                    InterFaceGan.cosine(n, cs.get(i)), InterFaceGan.cosine(p, cs.get(i))));
        return lines;
    }

    /** Boundaries that the numbers say not to trust: too few training samples, or validation near chance. */
    public static List<String> warnings(InterFaceGan.Boundary b) {
        List<String> w = new ArrayList<>();
        InterFaceGan.Selection sel = b.selection();
        int perClass = Math.min(sel.trainPos().length, sel.trainNeg().length);
        if (perClass < 10)
            w.add("the boundary comes from only " + sel.trainPos().length + " + " + sel.trainNeg().length + " training samples in " + b.dim()
                    + " dimensions; it says little about the attribute (the reference trains on 2% of 500,000 samples per class)");
        int val = sel.valPos().length + sel.valNeg().length;
        if (val > 0 && b.validationAccuracy() < 0.6)
            w.add(String.format(Locale.ROOT, "validation accuracy %.1f%% on %d samples is near chance: the codes do not separate by this score", 100 * b.validationAccuracy(), val));
        return w;
    }

    private static String pct(double a) {
        return Double.isNaN(a) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * a);
    }
}
