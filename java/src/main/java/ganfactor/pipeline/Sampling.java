package ganfactor.pipeline;

import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.generator.NumpyRandom;
import ganfactor.io.Npy;
import ganfactor.io.OutputDir;
import ganfactor.render.Images;
import ganfactor.score.Scorer;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.List;

import static ganfactor.InputException.ref;

/**
 * InterFaceGAN's first stage: sample N latent codes (from a seed exactly as NumPy's
 * RandomState(seed).randn draws them, or from given codes), map and truncate them, render what
 * the scorers need, and score every sample with each scorer, batch by batch. Codes stream to
 * disk as they are made ({@code z.npy}, {@code w.npy}, {@code wp.npy}), so N is bounded by the
 * disk, not the heap; the scores ({@code scores_<name>.npy} [N, 1], {@code scores.csv}) are kept
 * in memory (8 bytes per sample and scorer).
 */
public final class Sampling {

    /** What to sample; {@link #given} (codes from a file) replaces {@link #seed} and {@link #num}. */
    public static final class Settings {
        public LatentSpace space = LatentSpace.Z;
        public Latents given;
        public long seed;
        public int num = 1;
        public double psi = 1.0;
        public int truncationLayers = Integer.MAX_VALUE;
        public int batch = 64;
        public boolean saveImages;
        public List<Scorer> scorers = List.of();
        /** Cancellation and progress (the sampling batches). */
        public RunContext context = RunContext.QUIET;

        public int count() {
            return given != null ? given.count() : num;
        }
    }

    /** The scores per scorer [scorer][sample], which code files were written, and the time taken. */
    public record Result(int count, double[][] scores, boolean wroteZ, boolean wroteW, double seconds) {}

    private Sampling() {}

    /** Samples, scores and writes into {@code dir} (not committed: the caller adds its record and commits). */
    public static Result run(Generator g, Settings s, OutputDir dir) {
        long t0 = System.nanoTime();
        int d = g.latentDim(), L = g.numLayers(), N = s.count();
        double[] wAvg = s.psi == 1.0 ? null : Latents.wAvg(g, s.psi);
        boolean needImages = s.saveImages || s.scorers.stream().anyMatch(Scorer::needsImages);
        boolean writeZ = s.space == LatentSpace.Z, writeW = s.space != LatentSpace.WP;
        double[][] scores = new double[s.scorers.size()][N];
        Npy.Writer zw = writeZ ? new Npy.Writer(dir.file("z.npy"), "<f8", N, d) : null;
        Npy.Writer ww = writeW ? new Npy.Writer(dir.file("w.npy"), "<f8", N, d) : null;
        Npy.Writer pw = new Npy.Writer(dir.file("wp.npy"), "<f8", N, L, d);
        boolean complete = false;
        NumpyRandom rng = s.given == null ? new NumpyRandom(s.seed) : null;
        s.context.progress().begin("sampling", N);
        try (NoGradGuard ng = new NoGradGuard()) {
            for (int b0 = 0; b0 < N; b0 += s.batch) {
                int nb = Math.min(s.batch, N - b0);
                try (PointerScope scope = new PointerScope();
                     ganfactor.trace.Span sp = s.context.trace().span("sampling batch", "first", b0, "samples", nb, "scorers", s.scorers.size())) {
                    double[] wp = codes(g, s, b0, nb, rng, zw, ww);
                    if (wAvg != null) Latents.truncateInPlace(wp, nb, L, d, wAvg, s.psi, s.truncationLayers);
                    pw.write(wp, 0, wp.length);
                    scoreBatch(g, s, b0, nb, wp, needImages, scores, dir);
                }
                s.context.progress().advance(nb);
                s.context.cancellation().check();
            }
            complete = true;
        } finally {
            s.context.progress().end();
            for (Npy.Writer w : new Npy.Writer[]{zw, ww, pw})
                if (w != null) { if (complete) w.close(); else w.abandon(); }
        }
        for (int k = 0; k < s.scorers.size(); k++) Npy.writeFloat64(dir.file("scores_" + s.scorers.get(k).name() + ".npy"), scores[k], N, 1);
        if (!s.scorers.isEmpty()) dir.writeString("scores.csv", csv(s.scorers, scores, N));
        return new Result(N, scores, writeZ, writeW, (System.nanoTime() - t0) / 1e9);
    }

    /** The W+ codes [nb, L, d] of samples b0..b0+nb, writing the batch's z and w rows on the way. */
    private static double[] codes(Generator g, Settings s, int b0, int nb, NumpyRandom rng, Npy.Writer zw, Npy.Writer ww) {
        int d = g.latentDim(), L = g.numLayers();
        if (s.given != null && s.space == LatentSpace.WP) return Arrays.copyOfRange(s.given.codes(), b0 * L * d, (b0 + nb) * L * d);
        double[] w;
        if (s.given != null && s.space == LatentSpace.W) {
            w = Arrays.copyOfRange(s.given.codes(), b0 * d, (b0 + nb) * d);
        } else {
            double[] z = new double[nb * d];
            if (s.given != null) System.arraycopy(s.given.codes(), b0 * d, z, 0, nb * d);
            else {
                for (int i = 0; i < z.length; i++) z[i] = rng.nextGaussian();
                if (g.zSphere()) Latents.sphere(z, nb, d);   // InterFaceGAN's PGGAN preprocess (given codes come through Latents, which does it)
            }
            if (zw != null) zw.write(z, 0, z.length);
            w = Torch.toDoubles(g.mapping(Torch.of(z, nb, d).to(g.dtype())));
        }
        if (ww != null) ww.write(w, 0, w.length);
        return Latents.toWp(g, w, nb);   // w on every layer, or the generator's own map (InterFaceGAN's StyleGAN truncates there, as generate_data.py's wp)
    }

    /** Renders the batch when a scorer (or --save-images) needs it, and scores it. */
    private static void scoreBatch(Generator g, Settings s, int b0, int nb, double[] wp, boolean needImages, double[][] scores, OutputDir dir) {
        Tensor wpt = Torch.of(wp, nb, g.numLayers(), g.latentDim()).to(g.dtype());
        Tensor img = needImages ? g.synthesis(wpt) : null;
        float[] px = img == null ? null : Torch.toFloats(img);
        Scorer.Batch sb = new Scorer.Batch(b0, nb, wpt, img, px, g.channels(), g.height(), g.width());
        for (int k = 0; k < s.scorers.size(); k++) System.arraycopy(s.scorers.get(k).score(sb), 0, scores[k], b0, nb);
        if (s.saveImages)
            for (int i = 0; i < nb; i++)
                Images.write(Images.toImage(px, i, g.channels(), g.height(), g.width()), dir.file(String.format("images/%06d.png", b0 + i)));
    }

    private static String csv(List<Scorer> scorers, double[][] scores, int N) {
        StringBuilder sb = new StringBuilder("index");
        for (Scorer s : scorers) sb.append(',').append(s.name());
        sb.append('\n');
        for (int i = 0; i < N; i++) {
            sb.append(i);
            for (double[] s : scores) sb.append(',').append(s[i]);
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * The scorers of one run: ground-truth attributes of the generator ("all" for every one),
     * TorchScript attribute models ([NAME=]FILE), region statistics (STAT@REGION) and a scores
     * file for N codes; names must be unique and usable in file names.
     */
    public static List<Scorer> scorers(Generator g, List<String> attributes, List<String> models, List<String> regionStats, java.nio.file.Path scoresFile, int n) {
        List<Scorer> list = new java.util.ArrayList<>();
        if (!attributes.isEmpty()) list.addAll(ganfactor.score.GroundTruthScorer.of(g, attributes));
        for (String m : models) {
            int eq = m.indexOf('=');
            list.add(new ganfactor.score.ModelScorer(java.nio.file.Path.of(eq > 0 ? m.substring(eq + 1) : m), eq > 0 ? m.substring(0, eq) : null));
        }
        for (String r : regionStats) list.add(new ganfactor.score.RegionStatScorer(r, g));
        if (scoresFile != null) list.add(new ganfactor.score.FileScorer(scoresFile, n));
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Scorer s : list) {
            if (!s.name().matches("[A-Za-z0-9_.-]+"))
                throw new ganfactor.InputException("score name '" + s.name() + "' must use letters, digits, '_', '.' or '-' (name a model with NAME=FILE)");
            if (!names.add(s.name())) throw new ganfactor.InputException("two scores are named '" + s.name() + "' (name a model with NAME=FILE)");
        }
        return list;
    }

    /**
     * {@link #requireRoom} for what {@code run} writes for {@code s}: z.npy (Z codes), w.npy (Z and
     * W codes), always wp.npy [N, L, d], and one score per scorer, all float64.
     */
    public static void requireRoom(java.nio.file.Path out, Generator g, Settings s) {
        long d = g.latentDim(), L = g.numLayers(), k = s.scorers.size();
        long perSample = (s.space == LatentSpace.Z ? d : 0) + (s.space != LatentSpace.WP ? d : 0) + L * d + k;
        requireRoom(out, s.count(), 8L * perSample, (int) k);
    }

    /** sample.json: the codes, the truncation, the files, each scorer's statistics and the time. */
    public static RunRecord record(RunRecord rec, Generator g, Settings s, Result r) {
        rec.generator(g);
        rec.put("space", s.space.label());
        rec.put("samples", r.count());
        rec.put("latents", s.given != null ? s.given.origin() : "seed " + s.seed + ": z = RandomState(seed).randn(N, d)");
        rec.put("truncation", RunRecord.ordered("psi", s.psi, "layers", Math.min(g.numLayers(), s.truncationLayers),
                "applies_to", "wp.npy and what is rendered and scored; z.npy and w.npy are untruncated"));
        Map<String, Object> files = new LinkedHashMap<>();
        if (r.wroteZ()) files.put("z", "z.npy [N, d] float64");
        if (r.wroteW()) files.put("w", "w.npy [N, d] float64");
        files.put("wp", "wp.npy [N, L, d] float64");
        if (!s.scorers.isEmpty()) files.put("scores", "scores_<name>.npy [N, 1] float64 and scores.csv");
        if (s.saveImages) files.put("images", "images/<i>.png (zero-padded to 6 digits)");
        rec.put("files", files);
        List<Map<String, Object>> sc = new ArrayList<>();
        for (int k = 0; k < s.scorers.size(); k++) {
            double[] st = stats(r.scores()[k]);
            sc.add(RunRecord.ordered("name", s.scorers.get(k).name(), "definition", s.scorers.get(k).definition(), "file", "scores_" + s.scorers.get(k).name() + ".npy",
                    "mean", jsonNumber(st[0]), "std", jsonNumber(st[1]), "min", jsonNumber(st[2]), "max", jsonNumber(st[3]), "nan", (long) st[4]));
        }
        rec.put("scores", sc);
        rec.put("batch", s.batch);
        rec.put("seconds_total", r.seconds());
        return rec;
    }

    /** One line per scorer: mean, std, min, max and the NaN count. */
    public static List<String> summary(Settings s, Result r) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < s.scorers.size(); i++) {
            double[] st = stats(r.scores()[i]);
            lines.add(String.format(Locale.ROOT, "  %-16s mean %.4g  std %.4g  min %.4g  max %.4g%s", s.scorers.get(i).name(), st[0], st[1], st[2], st[3],
                    st[4] > 0 ? String.format("  (%d NaN)", (long) st[4]) : ""));
        }
        return lines;
    }

    private static Object jsonNumber(double v) {
        return Double.isFinite(v) ? (Object) v : (Object) String.valueOf(v);
    }

    /**
     * N samples of {@code bytesPerSample} on the disk under {@code out} and {@code scorers} scores
     * each in memory must fit before the work starts (a clear refusal instead of a failure midway).
     */
    public static void requireRoom(java.nio.file.Path out, long n, long bytesPerSample, int scorers) {
        long heap = Runtime.getRuntime().maxMemory() / 4;
        if (n * 8L * Math.max(1, scorers) > heap || n > Integer.MAX_VALUE - 16)
            throw new ganfactor.InputException(String.format(java.util.Locale.ROOT, ref("num") + " %d: the scores of that many samples do not fit this JVM's memory (%.1f GiB heap); sample in several runs",
                    n, Runtime.getRuntime().maxMemory() / (double) (1L << 30)));
        java.nio.file.Path p = out.toAbsolutePath();
        while (p != null && !java.nio.file.Files.exists(p)) p = p.getParent();
        try {
            long free = p == null ? Long.MAX_VALUE : java.nio.file.Files.getFileStore(p).getUsableSpace();
            if (n * (double) bytesPerSample > free)
                throw new ganfactor.InputException(String.format(java.util.Locale.ROOT, ref("num") + " %d: the codes and scores need %.1f GiB, and %s has %.1f GiB free",
                        n, n * (double) bytesPerSample / (1L << 30), p, free / (double) (1L << 30)));
        } catch (java.io.IOException e) {
            // no file store information: the writes themselves will say so
        }
    }

    /** mean, std, min, max over the finite values, and the NaN count. */
    public static double[] stats(double[] v) {
        double s = 0, q = 0, mn = Double.POSITIVE_INFINITY, mx = Double.NEGATIVE_INFINITY;
        int n = 0, nan = 0;
        for (double x : v) {
            if (Double.isNaN(x)) { nan++; continue; }
            s += x; q += x * x; n++;
            mn = Math.min(mn, x); mx = Math.max(mx, x);
        }
        double mean = n == 0 ? Double.NaN : s / n;
        return new double[]{mean, n == 0 ? Double.NaN : Math.sqrt(Math.max(0, q / n - mean * mean)), mn, mx, nan};
    }
}
