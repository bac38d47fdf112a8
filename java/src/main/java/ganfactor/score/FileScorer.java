package ganfactor.score;

import ganfactor.InputException;

import java.nio.file.Path;
import java.util.Arrays;

/** Scores given in a file ({@link ScoreFiles}), one per sample in order, checked against the number of samples. */
public final class FileScorer implements Scorer {
    private final Path file;
    private final double[] scores;

    public FileScorer(Path file, int samples) {
        this.file = file;
        this.scores = ScoreFiles.read(file, null);
        if (scores.length != samples)
            throw new InputException(file + ": " + scores.length + " scores for " + samples + " samples");
    }

    @Override public String name() { return ModelScorer.stem(file); }

    @Override public String definition() { return "scores file " + file; }

    @Override public boolean needsImages() { return false; }

    @Override
    public double[] score(Batch b) {
        return Arrays.copyOfRange(scores, b.first(), b.first() + b.count());
    }
}
