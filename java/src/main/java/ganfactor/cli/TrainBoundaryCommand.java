package ganfactor.cli;

import ganfactor.InputException;
import ganfactor.method.InterFaceGan;
import ganfactor.pipeline.BoundaryJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "train-boundary", header = "Train an InterFaceGAN attribute boundary (a linear SVM) from scored latent codes.", description = {
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
        BoundaryJob.Outcome out = BoundaryJob.run(new BoundaryJob.Request(codes, scores, column, o), () -> output.open("ganfactor train-boundary"));
        out.lines().forEach(System.out::println);
        for (String w : out.warnings()) System.err.println("ganfactor: warning: " + w);
        System.out.println("wrote " + output.out.toAbsolutePath().normalize());
        return 0;
    }
}
