package ganfactor.generator;

import ganfactor.InputException;
import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import ganfactor.torch.Torch;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import java.nio.file.Path;

import static ganfactor.InputException.ref;

/**
 * Latent codes as a [N, D] float64 array in one latent space (D = d for Z and W, L x d for W+,
 * layer-major as the reference's [N, L, d]), with how they were made.
 */
public record Latents(double[] codes, int count, int dim, LatentSpace space, String origin) {

    public double[] row(int i) {
        double[] r = new double[dim];
        System.arraycopy(codes, i * dim, r, 0, dim);
        return r;
    }

    /**
     * N codes from a seed: z = RandomState(seed).randn(N, d) exactly as NumPy draws it, then
     * mapped to W (and broadcast to W+) when asked. Truncation (psi != 1) moves w towards w_avg on
     * the first {@code truncLayers} layers: all of them in W, any number in W+.
     */
    public static Latents fromSeed(Generator g, LatentSpace space, long seed, int num, double psi, int truncLayers) {
        if (num <= 0) throw new InputException(ref("num") + " must be positive, got " + num);
        if (seed < 0 || seed > 0xffffffffL) throw new InputException(ref("seed") + " must be between 0 and 4294967295, got " + seed);
        if (!Double.isFinite(psi)) throw new InputException(ref("truncation") + " must be a finite number, got " + psi);
        int d = g.latentDim(), L = g.numLayers();
        requireFits(num, (long) num * (space == LatentSpace.WP ? L : 1) * d, ref("num") + " " + num);
        double[] z = NumpyRandom.randn(seed, num * d);
        String origin = "seed " + seed;
        if (g.zSphere()) {
            sphere(z, num, d);
            origin += SPHERE;
        }
        if (space == LatentSpace.Z) {
            if (psi != 1.0) throw new InputException("truncation applies to W or W+ codes, not to Z");
            return new Latents(z, num, d, space, origin);
        }
        double[] w;
        try (NoGradGuard ng = new NoGradGuard()) {
            w = Torch.toDoubles(g.mapping(Torch.of(z, num, d).to(g.dtype())));
        }
        if (space == LatentSpace.W) {
            if (psi != 1.0 && truncLayers < L)
                throw new InputException("truncation on the first " + truncLayers + " of " + L + " layers makes codes differ per layer: use " + ref("space") + " wp");
            return new Latents(truncate(g, w, num, 1, d, psi, 1), num, d, space, origin + (psi != 1.0 ? ", psi " + psi : ""));
        }
        double[] wp = toWp(g, w, num);
        return new Latents(truncate(g, wp, num, L, d, psi, truncLayers), num, L * d, space,
                origin + (psi != 1.0 ? ", psi " + psi + " on " + truncLayers + " layers" : ""));
    }

    /**
     * Latent codes are held in one Java array of doubles: {@code values} of them must fit an array
     * and a quarter of the JVM's heap (the rest is for the work on them).
     */
    static void requireFits(int count, long values, String what) {
        long limit = Math.min(Integer.MAX_VALUE - 16, Runtime.getRuntime().maxMemory() / 4 / Double.BYTES);
        if (values > limit)
            throw new InputException(String.format(java.util.Locale.ROOT, "%s: %d codes of %d numbers need %.1f GiB; this JVM holds at most %d codes (%.1f GiB heap): split the work into smaller runs",
                    what, count, values / Math.max(1, count), values * 8.0 / (1L << 30), limit / Math.max(1, values / Math.max(1, count)), Runtime.getRuntime().maxMemory() / (double) (1L << 30)));
    }

    /** The largest |coordinate| accepted in a latent code: the generators' float32 arithmetic loses all meaning far sooner. */
    public static final double MAX_ABS = 1e4;

    private static double[] truncate(Generator g, double[] codes, int num, int L, int d, double psi, int layers) {
        if (psi == 1.0) return codes;
        double[] out = codes.clone();
        truncateInPlace(out, num, L, d, wAvg(g, psi), psi, layers);
        return out;
    }

    /**
     * The generator's average w as host values, for truncation with {@code psi}: finite, or a clear
     * error when the generator has none.
     */
    public static double[] wAvg(Generator g, double psi) {
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            Tensor a = g.wAvg();
            if (a == null)
                throw new InputException(g.source() + ": truncation (psi " + psi + ") needs the average w, but the generator has no w_avg attribute; use psi 1");
            double[] v = Torch.toDoubles(a);
            for (double x : v) if (!Double.isFinite(x)) throw new InputException(g.source() + ": w_avg contains NaN or infinity");
            return v;
        }
    }

    /** The truncation trick, in place on [count, L, d] codes: w_l <- w_avg + psi (w_l - w_avg) on the first min(L, layers) layers. */
    public static void truncateInPlace(double[] codes, int count, int L, int d, double[] avg, double psi, int layers) {
        int t = Math.min(L, layers);
        for (int n = 0; n < count; n++)
            for (int l = 0; l < t; l++)
                for (int k = 0; k < d; k++) {
                    int i = (n * L + l) * d + k;
                    codes[i] = avg[k] + psi * (codes[i] - avg[k]);
                }
    }

    /** Codes from a .npy file: [N, d] for Z or W (or W codes broadcast to W+), [N, L, d] for W+. */
    public static Latents fromFile(Generator g, LatentSpace space, Path file) {
        Latents l = fromFileAsIs(g, space, file);
        if (!g.zSphere() || space != LatentSpace.Z) return l;
        double[] c = l.codes().clone();
        sphere(c, l.count(), l.dim());
        return new Latents(c, l.count(), l.dim(), space, l.origin() + SPHERE);
    }

    static final String SPHERE = " (on the sphere of radius sqrt(d), as InterFaceGAN's preprocess for this generator)";

    /** Each of the n rows of {@code z} scaled to norm sqrt(d), in place (a zero row stays zero). */
    public static void sphere(double[] z, int n, int d) {
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) s += z[i * d + j] * z[i * d + j];
            if (s == 0) continue;
            double f = Math.sqrt(d / s);
            for (int j = 0; j < d; j++) z[i * d + j] *= f;
        }
    }

    private static Latents fromFileAsIs(Generator g, LatentSpace space, Path file) {
        NpyArray a = Npy.read(file);
        int d = g.latentDim(), L = g.numLayers();
        long[] s = a.shape();
        double maxAbs = 0;
        for (double v : a.data()) {
            if (!Double.isFinite(v)) throw new InputException(file + ": latent codes contain NaN or infinity");
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        if (maxAbs > MAX_ABS)
            throw new InputException(String.format(java.util.Locale.ROOT, "%s: a latent coordinate reaches %.3g; codes of a GAN lie within a few hundred of the origin (limit %.0g)", file, maxAbs, MAX_ABS));
        if (s.length >= 1 && s[0] == 0 && s.length > 1) throw new InputException(file + ": holds no latent codes (shape " + a.shapeString() + ")");
        if (s.length == 2 && s[1] == d) {
            int n = (int) s[0];
            if (space != LatentSpace.WP) return new Latents(a.data(), n, d, space, file.toString());
            return new Latents(toWp(g, a.data(), n), n, L * d, space, file + (g.ownWToWp() ? " (W codes mapped to W+ by the generator)" : " (W codes broadcast to W+)"));
        }
        if (s.length == 3 && s[1] == L && s[2] == d) {
            if (space != LatentSpace.WP) throw new InputException(file + ": holds W+ codes [N, " + L + ", " + d + "]; use " + ref("space") + " wp");
            return new Latents(a.data(), (int) s[0], L * d, space, file.toString());
        }
        if (s.length == 1 && s[0] == d)
            return space == LatentSpace.WP
                    ? new Latents(toWp(g, a.data(), 1), 1, L * d, space, file + (g.ownWToWp() ? " (a W code mapped to W+ by the generator)" : " (a W code broadcast to W+)"))
                    : new Latents(a.data(), 1, d, space, file.toString());
        throw new InputException(file + ": expected latent codes of shape [N, " + d + "]" + (space == LatentSpace.WP ? " or [N, " + L + ", " + d + "]" : "")
                + ", got " + a.shapeString());
    }

    /**
     * [n, d] W codes to [n, L, d] W+ codes: the generator's own map when it has one
     * ({@link Generator#ownWToWp()}: InterFaceGAN's StyleGAN truncates there), else the same w on
     * every layer.
     */
    public static double[] toWp(Generator g, double[] w, int n) {
        if (!g.ownWToWp()) return broadcast(w, n, g.numLayers(), g.latentDim());
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            return Torch.toDoubles(g.toWp(Torch.of(w, n, g.latentDim()).to(g.device().torch(), g.dtype()), LatentSpace.W));
        }
    }

    /** [n, d] W codes to [n, L, d] W+ codes, the same w on every layer. */
    private static double[] broadcast(double[] w, int n, int L, int d) {
        double[] wp = new double[n * L * d];
        for (int i = 0; i < n; i++)
            for (int l = 0; l < L; l++) System.arraycopy(w, i * d, wp, (i * L + l) * d, d);
        return wp;
    }

    /** Writes the codes in the reference shape: [N, d] for Z and W, [N, L, d] for W+. */
    public void save(Path file, Generator g) {
        if (space == LatentSpace.WP) Npy.writeFloat64(file, codes, count, g.numLayers(), g.latentDim());
        else Npy.writeFloat64(file, codes, count, dim);
    }

    /** The codes of the given rows (this object itself when they are all of them, in order). */
    public Latents subset(int[] which) {
        if (which.length == count()) {
            boolean same = true;
            for (int i = 0; i < which.length; i++) same &= which[i] == i;
            if (same) return this;
        }
        double[] codes = new double[which.length * dim()];
        for (int i = 0; i < which.length; i++) System.arraycopy(row(which[i]), 0, codes, i * dim(), dim());
        return new Latents(codes, which.length, dim(), space(), origin() + ", sample(s) " + java.util.Arrays.toString(which));
    }
}
