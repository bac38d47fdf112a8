package ganfactor.cli;

import ganfactor.io.BoundaryFiles;
import ganfactor.InputException;
import ganfactor.io.Npy;
import ganfactor.io.OutputDir;
import ganfactor.method.InterFaceGan;
import ganfactor.score.ScoreFiles;
import ganfactor.pipeline.RunRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "train-boundary", description = {
        "InterFaceGAN: a linear attribute boundary from scored latent codes. The top and bottom --ratio of the samples by score are",
        "the two classes, split --split for training and the rest for validation; a linear C-SVC (libsvm, C = 1) separates them.",
        "Writes boundary.npy [1, d] float64 (the unit normal, intercept dropped; [1, L*d] for [N, L, d] codes) and boundary.json",
        "(validation accuracy, accuracy on the remaining middle samples, the selection and the SVM) into --out."})
final class TrainBoundaryCommand implements Callable<Integer> {
    @Option(names = "--codes", required = true, description = "latent codes .npy: [N, d] (z.npy, w.npy) or [N, L, d] (wp.npy)")
    Path codes;

    @Option(names = "--scores", required = true, description = "scores: .npy [N, 1] or CSV (one score per line, or --column of a headed CSV)")
    Path scores;

    @Option(names = "--column", description = "the score column of a CSV with a header")
    String column;

    @Option(names = "--ratio", defaultValue = "0.02", description = "fraction of samples per class, or a count per class when > 1 (default: ${DEFAULT-VALUE})")
    double ratio;

    @Option(names = "--split", defaultValue = "0.7", description = "fraction of each class used for training (default: ${DEFAULT-VALUE})")
    double split;

    @Option(names = "--invalid", description = "drop samples with this score first (a number, or nan)")
    String invalid;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the train/validation shuffle (default: ${DEFAULT-VALUE})")
    long seed;

    @picocli.CommandLine.Mixin OutputOptions output;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        InterFaceGan.Options o = new InterFaceGan.Options();
        o.ratio = ratio;
        o.split = split;
        o.seed = seed;
        if (invalid != null) {
            try {
                o.invalid = invalid.trim().equalsIgnoreCase("nan") ? Double.NaN : Double.parseDouble(invalid.trim());
            } catch (NumberFormatException e) {
                throw new InputException("--invalid must be a number or nan, got '" + invalid + "'");
            }
        }
        BoundaryFiles.Codes c = BoundaryFiles.readCodes(codes);
        double[] s = ScoreFiles.read(scores, column);
        if (s.length != c.count())
            throw new InputException("shape mismatch: " + codes + " holds " + c.count() + " codes " + java.util.Arrays.toString(c.shape()) + " but "
                    + scores + " holds " + s.length + " scores");
        InterFaceGan.Boundary b = InterFaceGan.train(c.data(), c.dim(), s, o);
        try (OutputDir dir = output.open("ganfactor train-boundary")) {
            Npy.writeFloat64(dir.file("boundary.npy"), b.normal(), 1, b.dim());
            double secs = (System.nanoTime() - t0) / 1e9;
            RunRecord rec = RunRecord.of("ganfactor train-boundary");
            rec.put("codes", codes.toString());
            rec.put("codes_shape", c.shape());
            rec.put("scores", scores.toString() + (column != null ? " (column " + column + ")" : ""));
            rec.put("samples", c.count());
            rec.put("boundary", "boundary.npy [1, " + b.dim() + "] float64, unit norm, positive side = high scores");
            rec.putAll(b.summary(o));
            List<String> warnings = warnings(b);
            if (!warnings.isEmpty()) rec.put("warnings", warnings);
            rec.put("seconds_total", secs);
            dir.writeString("boundary.json", rec.json());
            dir.commit();
            InterFaceGan.Selection sel = b.selection();
            System.out.printf(Locale.ROOT, "boundary in %d dimensions from %d + %d training samples of %d (ratio %s, split %s, seed %d): %.2f s%n",
                    b.dim(), sel.trainPos().length, sel.trainNeg().length, c.count(), ratio, split, seed, secs);
            System.out.printf(Locale.ROOT, "  accuracy: train %s, validation %s (%d), remaining %s (%d); %d support vectors%n",
                    pct(b.trainAccuracy()), pct(b.validationAccuracy()), sel.valPos().length + sel.valNeg().length, pct(b.remainingAccuracy()),
                    sel.remaining().length, b.supportVectors());
            for (String w : warnings) System.err.println("ganfactor: warning: " + w);
            System.out.println("wrote " + dir.target());
        }
        return 0;
    }

    /** Boundaries that the numbers say not to trust: too few training samples, or validation near chance. */
    static List<String> warnings(InterFaceGan.Boundary b) {
        List<String> w = new java.util.ArrayList<>();
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
