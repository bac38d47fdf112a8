package ganfactor.edit;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.TreeSet;

import static ganfactor.InputException.ref;

/**
 * Moves latent codes along a direction and renders the results.
 *
 * <p><b>Pipeline.</b> The codes (any space) become W+ codes once, when the editor is made: Z codes
 * through the mapping, W codes broadcast to every layer, W+ codes as they are. Truncation
 * {@code w_l <- w_avg + psi (w_l - w_avg)} on the first t layers comes next, <i>before</i> the edit
 * (the ReSeFa/SeFa convention: psi 0.7 on 8 layers, then edit). The originals are rendered once;
 * {@link #edit} then moves the codes for each strength alpha and renders the edits.
 *
 * <p><b>Directions.</b> A direction of length d (a W or Z direction) is added to the w of every
 * chosen layer; for Z codes it is added to z before the mapping, and the mapped (and truncated)
 * edited w replaces the original w on the chosen layers only (all layers by default, the
 * InterFaceGAN setting). A direction of length L x d (a W+ direction, layer-major) is masked to
 * the chosen layers; it needs W or W+ codes.
 *
 * <p><b>Modes.</b> {@link Mode#RELATIVE}: x + alpha n, with n as given (unit rows from a
 * discovery method; strengths are then distances) - ReSeFa, LowRankGAN, SeFa, and InterFaceGAN on
 * W+ codes. {@link Mode#ABSOLUTE}: InterFaceGAN's x + (alpha - x . n^) n^ with n^ = n / |n|, which
 * puts the code's projection onto n^ at alpha. For W+ codes and a d-direction it is applied to
 * each chosen layer's w separately (each layer's w ends with w_l . n^ = alpha); for a W+ direction
 * to the masked W+ code as one vector. In Z space the projection of z is set before the mapping.
 *
 * <p><b>Shapes.</b> W+ codes are float64 [N, L, d]; edited codes [N, S, L, d] for S strengths;
 * images are float32 in [-1, 1], originals [N, C, H, W] and edits [N, S, C, H, W], row-major
 * Java arrays (one image is C x H x W contiguous values; edit (n, s) is image number n S + s).
 * Rendering runs in batches of {@link Settings#batch()} codes under {@code NoGradGuard}, each batch
 * inside its own {@code PointerScope}. A code identical bit for bit to its original (strength 0 in
 * relative mode) reuses the original's image, so a zero edit reproduces it exactly even where a
 * batched kernel would round differently for another batch size.
 */
public final class Editor {

    /** How a strength is applied. */
    public enum Mode {
        /** x + alpha n (an offset). */
        RELATIVE,
        /** x + (alpha - x . n^) n^ (a signed distance from the hyperplane through the origin). */
        ABSOLUTE;

        public static Mode parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "relative", "rel", "offset" -> RELATIVE;
                case "absolute", "abs", "distance" -> ABSOLUTE;
                default -> throw new InputException("unknown edit mode '" + s + "': expected relative or absolute");
            };
        }

        public String label() { return name().toLowerCase(Locale.ROOT); }
    }

    /**
     * How to edit. {@code layers} null or empty means all layers; {@code psi} 1 means no
     * truncation; {@code batch} is the number of codes rendered per synthesis call.
     */
    public record Settings(int[] layers, Mode mode, double psi, int truncationLayers, int batch) {
        /** All layers, relative, no truncation (t = 8 when psi is set later), batches of 8. */
        public static Settings defaults() { return new Settings(null, Mode.RELATIVE, 1.0, 8, 8); }

        public Settings withLayers(int[] l) { return new Settings(l, mode, psi, truncationLayers, batch); }
        public Settings withMode(Mode m) { return new Settings(layers, m, psi, truncationLayers, batch); }
        public Settings withTruncation(double p, int t) { return new Settings(layers, mode, p, t, batch); }
        public Settings withBatch(int b) { return new Settings(layers, mode, psi, truncationLayers, b); }
    }

    /**
     * One direction's edits. {@code direction} as given (length d or L d), {@code strengths} [S],
     * {@code originalCodes} [N, L, d] (truncated W+), {@code editedCodes} [N, S, L, d],
     * {@code originals} [N, C, H, W] and {@code images} [N, S, C, H, W] in [-1, 1].
     */
    public record Result(double[] direction, double[] strengths, int count, int numLayers, int latentDim,
                         double[] originalCodes, double[] editedCodes, float[] originals, float[] images,
                         int channels, int height, int width) {
        public int steps() { return strengths.length; }
        /** Values per image, C x H x W. */
        public int imageSize() { return channels * height * width; }
        /** Offset of edit (n, s) in {@link #images()}; of original n in {@link #originals()} use {@code n * imageSize()}. */
        public int offset(int n, int s) { return (n * strengths.length + s) * imageSize(); }
        /** Shape of {@link #images()}: [N, S, C, H, W]. */
        public long[] imageShape() { return new long[]{count, strengths.length, channels, height, width}; }
        /** Shape of {@link #editedCodes()}: [N, S, L, d]. */
        public long[] codeShape() { return new long[]{count, strengths.length, numLayers, latentDim}; }
    }

    private final Generator g;
    private final Latents latents;
    private final Settings settings;
    private final int[] layers;
    private final int L, d, N;
    /** The W+ codes after truncation, [N, L, d]. */
    private final double[] wp;
    private final double[] wAvg;
    private final float[] originals;

    public Editor(Generator g, Latents latents, Settings settings) {
        this.g = g;
        this.latents = latents;
        this.settings = settings;
        this.L = g.numLayers();
        this.d = g.latentDim();
        this.N = latents.count();
        if (latents.dim() != latents.space().dim(d, L))
            throw new InputException("latent codes have " + latents.dim() + " values each; " + latents.space().label() + " codes of this generator have "
                    + latents.space().dim(d, L));
        if (settings.mode() == null) throw new IllegalArgumentException("edit mode is null");
        if (settings.batch() < 1) throw new InputException("batch size must be positive, got " + settings.batch());
        if (!Double.isFinite(settings.psi())) throw new InputException("truncation psi must be finite, got " + settings.psi());
        if (settings.truncationLayers() < 0) throw new InputException("truncation layers must be >= 0, got " + settings.truncationLayers());
        this.layers = checkLayers(settings.layers(), L);
        this.wAvg = settings.psi() == 1.0 ? null : Latents.wAvg(g, settings.psi());
        this.wp = truncate(toWp(latents.codes(), N));
        this.originals = render(g, wp, N, settings.batch());
    }

    public Settings settings() { return settings; }
    public Latents latents() { return latents; }
    /** The chosen layers, ascending. */
    public int[] layers() { return layers.clone(); }
    /** The truncated W+ codes of the originals, [N, L, d]. */
    public double[] originalCodes() { return wp.clone(); }
    /** The original images, [N, C, H, W]. */
    public float[] originals() { return originals.clone(); }

    /** Edits every code along {@code direction} by every strength and renders the edits. */
    public Result edit(double[] direction, double[] strengths) {
        checkDirection(direction);
        if (strengths.length == 0) throw new InputException("no strengths to edit with");
        for (double a : strengths) if (!Double.isFinite(a)) throw new InputException("strengths must be finite, got " + a);
        int S = strengths.length, D = L * d;
        double[] edited = new double[N * S * D];
        boolean[] same = new boolean[N * S];
        // Z codes, and W codes of a generator that maps W to W+ itself (InterFaceGAN's StyleGAN
        // truncates there, after the edit), are edited before that map
        if (latents.space() == LatentSpace.Z || (latents.space() == LatentSpace.W && g.ownWToWp() && direction.length == d))
            editBeforeMap(direction, strengths, edited, same);
        else {
            for (int n = 0; n < N; n++)
                for (int s = 0; s < S; s++) {
                    double[] x = Arrays.copyOfRange(wp, n * D, (n + 1) * D);
                    if (direction.length == d) editLayers(x, direction, strengths[s]);
                    else editWp(x, direction, strengths[s]);
                    System.arraycopy(x, 0, edited, (n * S + s) * D, D);
                    same[n * S + s] = Arrays.equals(x, 0, D, wp, n * D, (n + 1) * D);
                }
        }
        int img = g.channels() * g.height() * g.width();
        float[] images = new float[Math.multiplyExact(N * S, img)];
        int todo = 0;
        for (boolean b : same) if (!b) todo++;
        double[] pending = new double[todo * D];
        int[] where = new int[todo];
        for (int i = 0, k = 0; i < N * S; i++) {
            if (same[i]) System.arraycopy(originals, (i / S) * img, images, i * img, img);
            else {
                System.arraycopy(edited, i * D, pending, k * D, D);
                where[k++] = i;
            }
        }
        float[] rendered = render(g, pending, todo, settings.batch());
        for (int k = 0; k < todo; k++) System.arraycopy(rendered, k * img, images, where[k] * img, img);
        return new Result(direction.clone(), strengths.clone(), N, L, d, wp.clone(), edited, originals.clone(), images,
                g.channels(), g.height(), g.width());
    }

    // ---- the edit itself ---------------------------------------------------------------------

    /** A d-direction on each chosen layer of one W+ code x [L d], in place. */
    private void editLayers(double[] x, double[] n, double alpha) {
        double[] u = settings.mode() == Mode.ABSOLUTE ? unit(n) : n;
        for (int l : layers) {
            double step = alpha;
            if (settings.mode() == Mode.ABSOLUTE) step = alpha - dot(x, l * d, u);
            for (int k = 0; k < d; k++) x[l * d + k] += step * u[k];
        }
    }

    /** A W+ direction masked to the chosen layers, on one W+ code x [L d], in place. */
    private void editWp(double[] x, double[] n, double alpha) {
        double[] m = new double[L * d];
        for (int l : layers) System.arraycopy(n, l * d, m, l * d, d);
        if (settings.mode() == Mode.ABSOLUTE) {
            if (norm(m) == 0) throw new InputException("the W+ direction is zero on the chosen layers " + Arrays.toString(layers));
            m = unit(m);
            alpha -= dot(x, 0, m);
        }
        for (int i = 0; i < m.length; i++) x[i] += alpha * m[i];
    }

    /**
     * Z codes (and W codes of a generator with its own W-to-W+ map): the code is moved before the
     * map; the edited W+ code replaces the original on the chosen layers.
     */
    private void editBeforeMap(double[] n, double[] strengths, double[] edited, boolean[] same) {
        int S = strengths.length, D = L * d;
        double[] u = settings.mode() == Mode.ABSOLUTE ? unit(n) : n;
        double[] zs = new double[N * S * d];
        for (int i = 0; i < N; i++) {
            double[] z = latents.row(i);
            for (int s = 0; s < S; s++) {
                double step = settings.mode() == Mode.ABSOLUTE ? strengths[s] - dot(z, 0, u) : strengths[s];
                double[] z2 = z.clone();
                for (int k = 0; k < d; k++) z2[k] += step * u[k];
                System.arraycopy(z2, 0, zs, (i * S + s) * d, d);
                same[i * S + s] = Arrays.equals(z, z2);
            }
        }
        double[] mapped = truncate(toWp(zs, N * S));
        boolean[] chosen = new boolean[L];
        for (int l : layers) chosen[l] = true;
        for (int i = 0; i < N * S; i++) {
            int o = (i / S) * D;
            for (int l = 0; l < L; l++) {
                if (same[i] || !chosen[l]) System.arraycopy(wp, o + l * d, edited, i * D + l * d, d);
                else System.arraycopy(mapped, i * D + l * d, edited, i * D + l * d, d);
            }
        }
    }

    private void checkDirection(double[] n) {
        if (n.length != d && n.length != L * d)
            throw new InputException("the direction has " + n.length + " values; this generator needs " + d + " (a W or Z direction) or "
                    + L * d + " (a W+ direction, " + L + " x " + d + ")");
        if (n.length == L * d && L > 1 && latents.space() == LatentSpace.Z)
            throw new InputException("a W+ direction (" + L + " x " + d + " values) cannot edit Z codes: use " + ref("space") + " w or wp");
        for (double v : n) if (!Double.isFinite(v)) throw new InputException("the direction contains NaN or infinity");
        if (norm(n) == 0) throw new InputException("the direction is the zero vector");
    }

    // ---- codes -------------------------------------------------------------------------------

    /** [count, D] codes of the latents' space to [count, L, d] W+ codes. */
    private double[] toWp(double[] codes, int count) {
        if (latents.space() == LatentSpace.WP) return codes.clone();
        if (latents.space() == LatentSpace.W && g.ownWToWp()) return ganfactor.generator.Latents.toWp(g, codes, count);
        if (latents.space() == LatentSpace.W) {
            double[] out = new double[count * L * d];
            for (int i = 0; i < count; i++)
                for (int l = 0; l < L; l++) System.arraycopy(codes, i * d, out, (i * L + l) * d, d);
            return out;
        }
        double[] out = new double[count * L * d];
        int batch = 4096; // mapping is cheap: large batches
        try (NoGradGuard ng = new NoGradGuard()) {
            for (int b0 = 0; b0 < count; b0 += batch) {
                int nb = Math.min(batch, count - b0);
                try (PointerScope scope = new PointerScope()) {
                    Tensor z = Torch.of(Arrays.copyOfRange(codes, b0 * d, (b0 + nb) * d), nb, d).to(g.dtype());
                    double[] w = Torch.toDoubles(g.toWp(z, LatentSpace.Z));
                    System.arraycopy(w, 0, out, b0 * L * d, w.length);
                }
            }
        }
        return out;
    }

    /** w_l <- w_avg + psi (w_l - w_avg) on the first t layers, on [count, L, d] codes, in place. */
    private double[] truncate(double[] codes) {
        if (wAvg == null) return codes;
        Latents.truncateInPlace(codes, codes.length / (L * d), L, d, wAvg, settings.psi(), settings.truncationLayers());
        return codes;
    }

    /**
     * Renders [count, L, d] W+ codes into [count, C, H, W] float images, {@code batch} codes per
     * synthesis call, each call in its own pointer scope, without autograd.
     */
    public static float[] render(Generator g, double[] wp, int count, int batch) {
        int L = g.numLayers(), d = g.latentDim(), D = L * d;
        if (wp.length != (long) count * D) throw new IllegalArgumentException(wp.length + " values for " + count + " W+ codes of " + D);
        int img = g.channels() * g.height() * g.width();
        float[] out = new float[Math.multiplyExact(count, img)];
        try (NoGradGuard ng = new NoGradGuard()) {
            for (int b0 = 0; b0 < count; b0 += batch) {
                int nb = Math.min(batch, count - b0);
                try (PointerScope scope = new PointerScope()) {
                    Tensor x = Torch.of(Arrays.copyOfRange(wp, b0 * D, (b0 + nb) * D), nb, L, d).to(g.dtype());
                    float[] f = Torch.toFloats(g.synthesis(x));
                    if (f.length != nb * img) throw new IllegalStateException("synthesis returned " + f.length + " values for " + nb + " images of " + img);
                    System.arraycopy(f, 0, out, b0 * img, f.length);
                }
            }
        }
        return out;
    }

    // ---- specifications ----------------------------------------------------------------------

    /**
     * Strengths: {@code START:STOP:COUNT} is NumPy's linspace (inclusive; "-3:3:7" gives -3, -2,
     * ..., 3), a comma list ("-2,0,2") is taken as is, in its order.
     */
    public static double[] parseStrengths(String spec) {
        String s = spec == null ? "" : spec.trim();
        String usage = "bad strengths '" + spec + "': expected START:STOP:COUNT (e.g. -3:3:7) or a list like -2,0,2";
        if (s.isEmpty()) throw new InputException(usage);
        try {
            if (s.contains(":")) {
                String[] p = s.split(":", -1);
                if (p.length != 3) throw new InputException(usage);
                double a = Double.parseDouble(p[0].trim()), b = Double.parseDouble(p[1].trim());
                int n = Integer.parseInt(p[2].trim());
                if (n < 1 || n > 1000) throw new InputException(usage + " (COUNT between 1 and 1000)");
                if (!Double.isFinite(a) || !Double.isFinite(b)) throw new InputException(usage);
                return bounded(linspace(a, b, n), spec);
            }
            String[] p = s.split(",", -1);
            double[] v = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                v[i] = Double.parseDouble(p[i].trim());
                if (!Double.isFinite(v[i])) throw new InputException(usage);
            }
            return bounded(v, spec);
        } catch (NumberFormatException e) {
            throw new InputException(usage);
        }
    }

    /** The largest |strength| accepted: latent coordinates beyond {@link ganfactor.generator.Latents#MAX_ABS} mean nothing to a generator. */
    public static final double MAX_STRENGTH = ganfactor.generator.Latents.MAX_ABS;

    private static double[] bounded(double[] v, String spec) {
        for (double x : v)
            if (Math.abs(x) > MAX_STRENGTH)
                throw new InputException("strengths '" + spec + "': " + x + " moves the code far outside where the generator was trained (|strength| at most " + (long) MAX_STRENGTH + ")");
        return v;
    }

    /** NumPy's linspace(a, b, n): a + i (b - a) / (n - 1), the last value exactly b. */
    public static double[] linspace(double a, double b, int n) {
        double[] v = new double[n];
        if (n == 1) { v[0] = a; return v; }
        double step = (b - a) / (n - 1);
        for (int i = 0; i < n; i++) v[i] = i * step + a;
        v[n - 1] = b;
        return v;
    }

    /**
     * Layers: "all" (or empty/null), a range "4-7", a list "0,2,4", or a mix "0-3,8"; checked
     * against {@code numLayers}. Returns the layers ascending without repeats.
     */
    public static int[] parseLayers(String spec, int numLayers) {
        return checkLayers(ganfactor.IntRanges.parse(spec, numLayers, "layers (the generator has " + numLayers + ")"), numLayers);
    }

    /** Formats layers compactly: "all", "4-7", "0,2,4". */
    public static String layersLabel(int[] layers, int numLayers) {
        if (layers == null || layers.length == 0 || layers.length == numLayers) return "all";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < layers.length; ) {
            int j = i;
            while (j + 1 < layers.length && layers[j + 1] == layers[j] + 1) j++;
            if (sb.length() > 0) sb.append(',');
            sb.append(layers[i]);
            if (j > i) sb.append('-').append(layers[j]);
            i = j + 1;
        }
        return sb.toString();
    }

    private static int[] allLayers(int numLayers) {
        int[] all = new int[numLayers];
        for (int i = 0; i < numLayers; i++) all[i] = i;
        return all;
    }

    private static int[] checkLayers(int[] layers, int numLayers) {
        if (layers == null || layers.length == 0) return allLayers(numLayers);
        TreeSet<Integer> set = new TreeSet<>();
        for (int l : layers) {
            if (l < 0 || l >= numLayers)
                throw new InputException("layer " + l + " is out of range: this generator has " + numLayers + " layers (0-" + (numLayers - 1) + ")");
            set.add(l);
        }
        return set.stream().mapToInt(Integer::intValue).toArray();
    }

    // ---- small vector helpers ----------------------------------------------------------------

    private double dot(double[] x, int offset, double[] u) {
        double s = 0;
        for (int k = 0; k < u.length; k++) s += x[offset + k] * u[k];
        return s;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) s += x * x;
        return Math.sqrt(s);
    }

    private static double[] unit(double[] v) {
        double n = norm(v);
        double[] u = new double[v.length];
        for (int i = 0; i < v.length; i++) u[i] = v[i] / n;
        return u;
    }
}
