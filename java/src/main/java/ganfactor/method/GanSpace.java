package ganfactor.method;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.generator.NumpyRandom;
import ganfactor.io.Npy;
import ganfactor.io.OutputDir;
import ganfactor.jacobian.Progress;
import ganfactor.linalg.Linalg;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * GANSpace, PCA of sampled intermediate latents (a baseline; docs/ALGORITHMS.md "GANSpace").
 *
 * <p>z = RandomState(seed).randn(N, d) exactly as NumPy draws it (streamed batch by batch, so the
 * rows are those of one big draw), w = mapping(z), and the principal axes of the w samples:
 * eigenvectors of the sample covariance (divisor N - 1, as sklearn's IncrementalPCA) sorted by
 * descending variance. Memory is bounded by one batch plus O(d^2): the mean and scatter are
 * accumulated in float64 with {@link Moments}. Values are the variances; {@link Result#stds()}
 * their square roots (the reference scales edits by them) and {@link Result#mean()} the mean w.
 */
public final class GanSpace {
    public static final String METHOD = "ganspace";
    public static final int DEFAULT_SAMPLES = 10_000;
    /** The most samples one run takes: 33x the reference's 300,000 (the demo generator's mapping ran ~12,000 samples/s on the 2-core CPU, so ~14 min; a StyleGAN2 mapping is slower). */
    public static final int MAX_SAMPLES = 10_000_000;
    /** The largest batch: one batch of z and w is 2 x batch x d floats (100,000 x 512: 400 MB in float32). */
    public static final int MAX_BATCH = 100_000;
    public static final int DEFAULT_BATCH = 1_000;
    public static final int DEFAULT_COMPONENTS = 80;
    public static final long DEFAULT_SEED = 0;

    private GanSpace() {}

    /** What to sample; {@code k = 0} means min(80, d). */
    public static final class Options implements Cloneable {
        /** A shallow copy: what a caller changes for one call. */
        public Options copy() {
            try {
                return (Options) super.clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }

        public int samples = DEFAULT_SAMPLES;
        public int batch = DEFAULT_BATCH;
        public long seed = DEFAULT_SEED;
        public int k;
        public Progress progress = Progress.NONE;
        /** Polled between batches; true stops the run with a {@link CancellationException}. */
        public BooleanSupplier cancelled = () -> false;

        /** The number of components for a d-dimensional latent. */
        public int components(int d) {
            return k == 0 ? Math.min(DEFAULT_COMPONENTS, d) : k;
        }
    }

    /** The directions (values = variances), the per-component std and the mean w [d]. */
    public record Result(Directions directions, double[] stds, double[] mean) {
        /** Directions' files plus {@code <prefix>stds.npy} [k] and {@code <prefix>mean.npy} [d], float64. */
        public void write(OutputDir dir, String prefix, boolean json) {
            directions.write(dir, prefix, json);
            Npy.writeFloat64(dir.file(prefix + "stds.npy"), stds, stds.length);
            Npy.writeFloat64(dir.file(prefix + "mean.npy"), mean, mean.length);
        }
    }

    /** Rejects a generator without mapping and out-of-range options, before any work is done. */
    public static void check(Generator g, Options o) {
        if (!g.hasMapping())
            throw new InputException(g.source() + ": the module has no method mapping(z); GANSpace samples w = mapping(z)");
        int d = g.latentDim(), k = o.components(d);
        if (k < 1 || k > d) throw new ganfactor.SettingException("k", "must be between 1 and " + d + " (the latent dimension), got " + o.k);
        if (o.samples < 2 || o.samples <= k)
            throw new ganfactor.SettingException("samples", "must exceed the number of components (" + k + "), got " + o.samples);
        if (o.samples > MAX_SAMPLES)
            throw new ganfactor.SettingException("samples", String.format(java.util.Locale.ROOT, "must be at most %,d per run (the reference uses 300,000; the covariance converges long before), got %,d", MAX_SAMPLES, o.samples));
        if (o.batch < 1 || o.batch > MAX_BATCH) throw new ganfactor.SettingException("batch", String.format(java.util.Locale.ROOT, "must be between 1 and %,d, got %,d", MAX_BATCH, o.batch));
        if (o.seed < 0 || o.seed > 0xffffffffL) throw new ganfactor.SettingException("seed", "must be between 0 and 4294967295, got " + o.seed);
    }

    /** Samples N codes w = mapping(z) batch by batch and accumulates their mean and scatter. */
    public static Moments sample(Generator g, Options o) {
        check(g, o);
        int d = g.latentDim();
        Moments m = new Moments(d);
        NumpyRandom rng = new NumpyRandom(o.seed);
        int batches = (o.samples + o.batch - 1) / o.batch;
        o.progress.begin("ganspace " + o.samples + " samples", batches);
        try {
            for (int done = 0; done < o.samples; ) {
                if (o.cancelled.getAsBoolean()) throw new CancellationException("cancelled");
                int b = Math.min(o.batch, o.samples - done);
                double[] z = new double[b * d];
                for (int i = 0; i < z.length; i++) z[i] = rng.nextGaussian();
                try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
                    Tensor w = g.mapping(Torch.of(z, b, d).to(g.dtype()));
                    if (w.dim() != 2 || w.size(0) != b || w.size(1) != d)
                        throw new InputException(g.source() + ": mapping(z) must return [B, " + d + "], got " + Torch.shapeString(w));
                    m.add(w);
                }
                done += b;
                o.progress.advance(1);
            }
        } finally {
            o.progress.end();
        }
        return m;
    }

    /** Sampling plus PCA. */
    public static Result compute(Generator g, Options o, Linalg la) {
        long t0 = System.nanoTime();
        Moments m = sample(g, o);
        double sampling = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("method", METHOD);
        info.put("model", g.source());
        info.put("precision", g.dtype().toString().toLowerCase(java.util.Locale.ROOT));
        info.put("samples", o.samples);
        info.put("batch", o.batch);
        info.put("seed", o.seed);
        info.put("sampling", "z = RandomState(seed).randn(N, d) (NumPy legacy), w = mapping(z)");
        info.put("seconds_sampling", sampling);
        return pca(m, o.components(g.latentDim()), la, info);
    }

    /** The top {@code k} principal axes of accumulated moments (values = variances, divisor n - 1). */
    public static Result pca(Moments m, int k, Linalg la, Map<String, Object> info) {
        int d = m.dim();
        if (k < 1 || k > d) throw new ganfactor.SettingException("k", "must be between 1 and " + d + " (the latent dimension), got " + k);
        if (m.count() <= k) throw new ganfactor.SettingException("samples", "must exceed the number of components (" + k + "), got " + m.count());
        long t0 = System.nanoTime();
        double[] cov = m.covariance();
        Map<String, Object> rec = info == null ? new LinkedHashMap<>() : info;
        Directions dirs;
        try (PointerScope scope = new PointerScope()) {
            Linalg.Eigen e = la.eighTop(Torch.of(cov, d, d), k);
            rec.putIfAbsent("method", METHOD);
            rec.put("latent_dim", d);
            rec.put("k", k);
            rec.put("covariance", "sample covariance of w (divisor N - 1), float64, batches merged by Chan's update");
            dirs = Directions.of(e.vectors(), e.values(), rec);
        }
        double trace = 0;
        for (int i = 0; i < d; i++) trace += cov[i * d + i];
        double[] stds = new double[k];
        double kept = 0;
        for (int i = 0; i < k; i++) {
            double v = dirs.values()[i];
            kept += v;
            stds[i] = Math.sqrt(Math.max(0, v));
        }
        rec.put("total_variance", trace);
        rec.put("explained_variance_ratio", trace > 0 ? kept / trace : 0.0);
        rec.put("linalg", la.name());
        rec.put("seconds_eigh", (System.nanoTime() - t0) / 1e9);
        if (dirs.values()[k - 1] <= 1e-12 * Math.max(dirs.values()[0], Double.MIN_NORMAL))
            Directions.warn(rec, "the last components have (near) zero variance: w spans fewer than " + k + " dimensions");
        return new Result(dirs, stds, m.mean());
    }
}
