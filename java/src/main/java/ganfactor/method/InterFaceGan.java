package ganfactor.method;

import ganfactor.InputException;
import libsvm.svm;
import libsvm.svm_model;
import libsvm.svm_node;
import libsvm.svm_parameter;
import libsvm.svm_problem;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static ganfactor.InputException.ref;

/**
 * InterFaceGAN (Shen et al.): a linear attribute boundary in a latent space, and conditional
 * boundaries that leave other attributes alone (docs/ALGORITHMS.md, "InterFaceGAN").
 *
 * <p><b>Selection</b> ({@link #select}). N codes with one score each. Samples whose score equals
 * {@link Options#invalid} are dropped first. The rest are sorted by descending score; the top
 * {@code chosen} are positives (label 1) and the bottom {@code chosen} negatives (label 0), where
 * {@code chosen = floor(n ratio)} for a ratio in (0, 1] or the number itself for a ratio above 1,
 * capped at n / 2. Each class is shuffled (SplittableRandom of {@link Options#seed}, positives
 * first) and its first {@code floor(chosen split)} samples train, the rest validate. The middle
 * samples are labelled 1 where the score is at least (max + min) / 2 of the kept scores, else 0.
 *
 * <p><b>Training</b> ({@link #train}). libsvm C-SVC, linear kernel, C = 1, tolerance 1e-3,
 * shrinking, 200 MB kernel cache: the settings scikit-learn's {@code SVC(kernel='linear')} passes to
 * the same library. The decision function is f(x) = w . x - rho with w = sum_i alpha_i y_i x_i;
 * the boundary is n = w / |w| oriented so that the positives (high scores) lie on the positive
 * side; the intercept is dropped (reported as {@code offset} = -rho / |w|, the signed distance of
 * the hyperplane from the origin along n). Accuracies are those of libsvm's predict rule
 * (f(x) > 0 means positive), computed from w and rho in double precision.
 *
 * <p><b>Conditions</b> ({@link #project}). n' = n - C^T (C C^T)^-1 C n, renormalised: the
 * projection of n onto the orthogonal complement of the rows of C. Computed by modified
 * Gram-Schmidt (twice) on the conditions, which is the same projection and tells us when the
 * conditions are (nearly) dependent, in which case C C^T is singular.
 *
 * <p>Everything here is plain Java over row-major double arrays: no native memory.
 */
public final class InterFaceGan {
    /** A condition whose component outside the span of the earlier ones is below this fraction of its norm is dependent. */
    public static final double DEPENDENCE_TOLERANCE = 1e-6;

    private InterFaceGan() {}

    /** Selection and SVM settings; defaults are the reference's. */
    public static final class Options {
        /** Fraction of the samples per class in (0, 1], or a count per class when above 1. */
        public double ratio = 0.02;
        /** Fraction of each class used for training, in (0, 1]. */
        public double split = 0.7;
        /** Scores equal to this value are dropped before selection (NaN drops NaN scores); null keeps all. */
        public Double invalid;
        /** Seed of the train/validation shuffle. */
        public long seed = 0;
        /** SVM cost; the reference's 1. */
        public double c = 1.0;
        /** libsvm stopping tolerance (scikit-learn's default 1e-3). */
        public double tolerance = 1e-3;
        /** libsvm kernel cache in MB (scikit-learn's default 200). */
        public double cacheMb = 200;
    }

    /**
     * The chosen samples, as indices into the original N codes: {@code trainPos}/{@code valPos} from
     * the top scores, {@code trainNeg}/{@code valNeg} from the bottom, {@code remaining} the middle
     * with {@code remainingLabels}, {@code threshold} the score at which a middle sample counts as
     * positive, {@code kept} the number of samples left after dropping invalid scores.
     */
    public record Selection(int[] trainPos, int[] trainNeg, int[] valPos, int[] valNeg, int[] remaining, int[] remainingLabels,
                            double threshold, int kept, int chosen) {}

    /**
     * A trained boundary. {@code normal} is the unit normal [dim]; {@code offset} the dropped
     * intercept as a signed distance; accuracies are NaN when there was nothing to measure.
     */
    public record Boundary(double[] normal, int dim, double offset, double weightNorm, Selection selection,
                           double trainAccuracy, double validationAccuracy, double remainingAccuracy,
                           int supportVectors, long iterations, double seconds) {
        /** A JSON-ready record of the selection, the SVM and the accuracies. */
        public Map<String, Object> summary(Options o) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dim", dim);
            m.put("samples_kept", selection.kept());
            m.put("chosen_per_class", selection.chosen());
            m.put("train", counts(selection.trainPos().length, selection.trainNeg().length));
            m.put("validation", counts(selection.valPos().length, selection.valNeg().length));
            m.put("remaining", selection.remaining().length);
            m.put("remaining_threshold", selection.threshold());
            m.put("train_accuracy", json(trainAccuracy));
            m.put("validation_accuracy", json(validationAccuracy));
            m.put("remaining_accuracy", json(remainingAccuracy));
            m.put("support_vectors", supportVectors);
            m.put("svm_iterations", iterations);
            m.put("offset", offset);
            m.put("offset_definition", "signed distance of the SVM hyperplane from the origin along the boundary (the intercept, dropped from boundary.npy)");
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("library", "libsvm " + svm.LIBSVM_VERSION);
            s.put("type", "C-SVC");
            s.put("kernel", "linear");
            s.put("C", o.c);
            s.put("tolerance", o.tolerance);
            s.put("cache_mb", o.cacheMb);
            s.put("shrinking", true);
            m.put("svm", s);
            m.put("ratio", o.ratio);
            m.put("split", o.split);
            m.put("seed", o.seed);
            if (o.invalid != null) m.put("invalid", json(o.invalid));
            m.put("seconds", seconds);
            return m;
        }
    }

    private static Map<String, Object> counts(int positive, int negative) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("positive", positive);
        m.put("negative", negative);
        return m;
    }

    private static Object json(double v) {
        return Double.isFinite(v) ? (Object) v : (Object) String.valueOf(v);
    }

    // ---- selection ---------------------------------------------------------------------------

    /** The reference's selection of positives, negatives and the middle (see the class comment). */
    public static Selection select(double[] scores, Options o) {
        int N = scores.length;
        if (!(o.ratio > 0) || Double.isInfinite(o.ratio) || (o.ratio > 1 && o.ratio != Math.floor(o.ratio)))
            throw new ganfactor.SettingException("ratio", "must be a fraction in (0, 1] or a whole number of samples per class, got " + o.ratio);
        if (!(o.split > 0 && o.split <= 1)) throw new ganfactor.SettingException("split", "must be in (0, 1], got " + o.split);
        List<Integer> keep = new ArrayList<>(N);
        for (int i = 0; i < N; i++) {
            double s = scores[i];
            if (o.invalid != null && (s == o.invalid || (Double.isNaN(o.invalid) && Double.isNaN(s)))) continue;
            if (Double.isNaN(s))
                throw new InputException("score " + i + " is NaN (pass " + ref("invalid") + " nan to drop samples without a score)");
            if (Double.isInfinite(s)) throw new InputException("score " + i + " is " + s + "; scores must be finite");
            keep.add(i);
        }
        int n = keep.size();
        long want = o.ratio <= 1 ? (long) Math.floor(n * o.ratio) : (long) o.ratio;
        int chosen = (int) Math.min(want, n / 2);
        int train = (int) Math.floor(chosen * o.split);
        if (train < 1) {
            String need = o.ratio <= 1 ? String.format(" (at least %d samples at ratio %s and split %s)",
                    (long) Math.ceil(Math.ceil(1 / o.split) / o.ratio - 1e-9), fmt(o.ratio), fmt(o.split)) : "";
            throw new InputException("too few samples: " + n + (n == N ? "" : " valid") + " sample(s) at ratio " + fmt(o.ratio)
                    + " give " + chosen + " per class and " + train + " to train on" + need);
        }
        Integer[] order = keep.toArray(new Integer[0]);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i));
        if (scores[order[0]] == scores[order[n - 1]])
            throw new InputException("all " + n + " scores are equal (" + scores[order[0]] + "): there is no attribute to separate");
        if (scores[order[chosen - 1]] <= scores[order[n - chosen]])
            throw new InputException("the top and bottom " + chosen + " scores overlap (the lowest positive, " + scores[order[chosen - 1]]
                    + ", is not above the highest negative, " + scores[order[n - chosen]] + "): lower " + ref("ratio") + " or use scores that vary more");
        SplittableRandom rng = new SplittableRandom(o.seed);
        int[] pos = shuffled(order, 0, chosen, rng), neg = shuffled(order, n - chosen, chosen, rng);
        int[] remaining = new int[n - 2 * chosen], labels = new int[remaining.length];
        double threshold = (scores[order[0]] + scores[order[n - 1]]) / 2;
        for (int k = 0; k < remaining.length; k++) {
            remaining[k] = order[chosen + k];
            labels[k] = scores[remaining[k]] < threshold ? 0 : 1;
        }
        return new Selection(Arrays.copyOf(pos, train), Arrays.copyOf(neg, train), Arrays.copyOfRange(pos, train, chosen),
                Arrays.copyOfRange(neg, train, chosen), remaining, labels, threshold, n, chosen);
    }

    /** order[from .. from + count) in a Fisher-Yates order drawn from rng. */
    private static int[] shuffled(Integer[] order, int from, int count, SplittableRandom rng) {
        int[] a = new int[count];
        for (int k = 0; k < count; k++) a[k] = order[from + k];
        for (int k = count - 1; k > 0; k--) {
            int j = rng.nextInt(k + 1);
            int t = a[k]; a[k] = a[j]; a[j] = t;
        }
        return a;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    // ---- training ----------------------------------------------------------------------------

    private static final Object LIBSVM = new Object();
    private static final Pattern ITERATIONS = Pattern.compile("#iter = (\\d+)");

    /**
     * Selects and trains: {@code codes} row-major [N, dim], {@code scores} [N]. Deterministic for
     * a given seed (libsvm's C-SVC uses no randomness).
     */
    public static Boundary train(double[] codes, int dim, double[] scores, Options o) {
        if (dim < 1) throw new InputException("codes must have at least one coordinate");
        if (codes.length != (long) scores.length * dim)
            throw new InputException("codes and scores disagree: " + codes.length / Math.max(1, dim) + " codes of " + dim + " values but "
                    + scores.length + " scores");
        for (int i = 0; i < codes.length; i++)
            if (!Double.isFinite(codes[i])) throw new InputException("code " + i / dim + " contains NaN or infinity");
        Selection sel = select(scores, o);
        long t0 = System.nanoTime();
        int nt = sel.trainPos().length + sel.trainNeg().length;
        svm_problem p = new svm_problem();
        p.l = nt;
        p.x = new svm_node[nt][];
        p.y = new double[nt];
        int k = 0;
        for (int i : sel.trainPos()) { p.x[k] = nodes(codes, i, dim); p.y[k++] = 1; }
        for (int i : sel.trainNeg()) { p.x[k] = nodes(codes, i, dim); p.y[k++] = 0; }
        svm_parameter par = new svm_parameter();
        par.svm_type = svm_parameter.C_SVC;
        par.kernel_type = svm_parameter.LINEAR;
        par.degree = 3;
        par.gamma = 1.0 / dim;
        par.coef0 = 0;
        par.C = o.c;
        par.eps = o.tolerance;
        par.cache_size = o.cacheMb;
        par.shrinking = 1;
        par.probability = 0;
        par.nr_weight = 0;
        par.weight_label = new int[0];
        par.weight = new double[0];
        String problem = svm.svm_check_parameter(p, par);
        if (problem != null) throw new InputException("libsvm rejects the SVM settings: " + problem);
        svm_model model;
        StringBuilder log = new StringBuilder();
        synchronized (LIBSVM) { // libsvm's print hook is global
            svm.svm_set_print_string_function(log::append);
            try {
                model = svm.svm_train(p, par);
            } finally {
                svm.svm_set_print_string_function(s -> { });
            }
        }
        double[] w = new double[dim];
        for (int s = 0; s < model.l; s++)
            for (svm_node nd : model.SV[s]) w[nd.index - 1] += model.sv_coef[0][s] * nd.value;
        double rho = model.rho[0];
        if (model.label[0] != 1) { // libsvm's positive side is its first label
            for (int j = 0; j < dim; j++) w[j] = -w[j];
            rho = -rho;
        }
        double norm = norm(w);
        if (!(norm > 0) || !Double.isFinite(norm))
            throw new InputException("the SVM found no boundary (|w| = " + norm + "): the selected codes of both classes cannot be told apart");
        double[] n = new double[dim];
        for (int j = 0; j < dim; j++) n[j] = w[j] / norm;
        double trainAcc = accuracy(codes, dim, w, rho, sel.trainPos(), sel.trainNeg(), null, null);
        double valAcc = accuracy(codes, dim, w, rho, sel.valPos(), sel.valNeg(), null, null);
        double remAcc = accuracy(codes, dim, w, rho, null, null, sel.remaining(), sel.remainingLabels());
        long iters = -1;
        Matcher m = ITERATIONS.matcher(log);
        while (m.find()) iters = Long.parseLong(m.group(1));
        return new Boundary(n, dim, -rho / norm, norm, sel, trainAcc, valAcc, remAcc, model.l, iters, (System.nanoTime() - t0) / 1e9);
    }

    private static svm_node[] nodes(double[] codes, int row, int dim) {
        int nz = 0;
        for (int j = 0; j < dim; j++) if (codes[row * dim + j] != 0) nz++;
        svm_node[] x = new svm_node[nz];
        for (int j = 0, k = 0; j < dim; j++) {
            double v = codes[row * dim + j];
            if (v == 0) continue; // libsvm's sparse format: absent means zero
            svm_node nd = new svm_node();
            nd.index = j + 1;
            nd.value = v;
            x[k++] = nd;
        }
        return x;
    }

    /** Fraction predicted right by f(x) = w . x - rho > 0 (positive); NaN for no samples. */
    private static double accuracy(double[] codes, int dim, double[] w, double rho, int[] pos, int[] neg, int[] rows, int[] labels) {
        int total = 0, right = 0;
        if (pos != null) {
            for (int i : pos) { total++; if (dot(codes, i * dim, w) - rho > 0) right++; }
            for (int i : neg) { total++; if (dot(codes, i * dim, w) - rho <= 0) right++; }
        } else {
            for (int k = 0; k < rows.length; k++) {
                total++;
                boolean predicted = dot(codes, rows[k] * dim, w) - rho > 0;
                if (predicted == (labels[k] == 1)) right++;
            }
        }
        return total == 0 ? Double.NaN : right / (double) total;
    }

    // ---- conditions --------------------------------------------------------------------------

    /**
     * The primal boundary with the condition boundaries removed: n' = n - C^T (C C^T)^-1 C n,
     * normalised to unit length. Any number of conditions (at most dim - 1); they need not be unit
     * vectors. Throws {@link InputException} when a vector is not finite, has the wrong length, is
     * zero, when the conditions are (nearly) linearly dependent (C C^T singular), or when the
     * primal lies in their span (nothing would be left).
     */
    public static double[] project(double[] primal, List<double[]> conditions) {
        int d = primal.length;
        check(primal, "the primal boundary", d);
        if (conditions.isEmpty()) throw new InputException("no condition boundaries to remove");
        if (conditions.size() >= d)
            throw new InputException(conditions.size() + " conditions in " + d + " dimensions: at most " + (d - 1) + " leave anything to edit");
        List<double[]> q = new ArrayList<>();
        for (int c = 0; c < conditions.size(); c++) {
            double[] v = conditions.get(c).clone();
            check(v, "condition " + (c + 1), d);
            double before = norm(v);
            for (int pass = 0; pass < 2; pass++)
                for (double[] u : q) axpy(-dotv(u, v), u, v);
            double after = norm(v);
            if (after <= DEPENDENCE_TOLERANCE * before)
                throw new InputException("singular conditions: condition " + (c + 1) + " is " + (q.size() == 1 ? "parallel to condition 1" : "a linear combination of conditions 1-" + q.size())
                        + String.format(" (%.2g of its norm lies outside their span)", after / before) + ", so C C^T is singular; drop it");
            for (int j = 0; j < d; j++) v[j] /= after;
            q.add(v);
        }
        double[] n = primal.clone();
        double before = norm(n);
        for (int pass = 0; pass < 2; pass++)
            for (double[] u : q) axpy(-dotv(u, n), u, n);
        double after = norm(n);
        if (after <= DEPENDENCE_TOLERANCE * before)
            throw new InputException(String.format("the primal boundary lies in the span of the conditions (%.2g of its norm is left): nothing to edit", after / before));
        for (int j = 0; j < d; j++) n[j] /= after;
        return n;
    }

    private static void check(double[] v, String what, int d) {
        if (v.length != d) throw new InputException(what + " has " + v.length + " values, the primal " + d);
        for (double x : v) if (!Double.isFinite(x)) throw new InputException(what + " contains NaN or infinity");
        if (norm(v) == 0) throw new InputException(what + " is the zero vector");
    }

    // ---- small vector helpers ----------------------------------------------------------------

    /** Cosine of the angle between two vectors of the same length. */
    public static double cosine(double[] a, double[] b) {
        return dotv(a, b) / (norm(a) * norm(b));
    }

    static double norm(double[] v) {
        double s = 0;
        for (double x : v) s += x * x;
        return Math.sqrt(s);
    }

    private static double dotv(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static double dot(double[] codes, int off, double[] w) {
        double s = 0;
        for (int j = 0; j < w.length; j++) s += codes[off + j] * w[j];
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) y[i] += a * x[i];
    }
}
