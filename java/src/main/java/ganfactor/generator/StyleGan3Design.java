package ganfactor.generator;

import ganfactor.InputException;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A StyleGAN3 as both code bases construct a new one, for {@code --model stylegan3:RES[:key=value]}:
 * the published layer schedule and channel counts, the filters designed as the constructors design
 * them, random weights. Without a checkpoint it gives the published sizes (256 - 1024 px, 512 or
 * 1024 channels) to time and to test on.
 *
 * <p>The filters (the paper's appendix; NVlabs' and Hammer's {@code design_lowpass_filter}): a
 * 1-D filter of N taps is the Kaiser-windowed ideal low-pass, h_n = 2 c sinc(2 c m_n) w_n with
 * m_n = n - (N - 1) / 2 and c = cutoff / rate, scaled to unit sum (scipy's {@code firwin} with a
 * transition width); the Kaiser window's beta follows from its attenuation A = 2.285 (N - 1) pi
 * (width / (rate / 2)) + 7.95 dB (beta = 0.1102 (A - 8.7) above 50 dB, 0.5842 (A - 21)^0.4 +
 * 0.07886 (A - 21) from 21 dB, else 0). The radial 2-D filter (config R's non-critical layers):
 * f(r) = J1(2 pi c' r) / (pi r) on r = |(x, y)|, x = m_n / rate, c' = cutoff, times the outer
 * product of the same Kaiser window, scaled to unit sum.
 *
 * <p>The weights: the mapping's N(0, 1) / lr_mul, the convolutions' and affines' N(0, 1), the
 * style biases 1, other biases 0, magnitude_ema 1; the input's frequencies random directions of
 * radius drawn as the constructors draw them (f / (|f| exp(|f|^2)^(1/4)), times the input cutoff),
 * phases uniform in [-1/2, 1/2). One departure: the constructors start the input's affine at 0 (so
 * a new model's input does not depend on w); here it is N(0, 1) times 0.1 with bias (1, 0, 0, 0),
 * so that the Jacobian reaches the input layer as a trained model's does.
 */
public final class StyleGan3Design {
    private StyleGan3Design() {}

    /** scipy.signal.kaiser_atten: the attenuation (dB) of a Kaiser FIR of {@code taps} and relative width. */
    static double kaiserAtten(int taps, double width) {
        return 2.285 * (taps - 1) * Math.PI * width + 7.95;
    }

    /** scipy.signal.kaiser_beta. */
    static double kaiserBeta(double a) {
        if (a > 50) return 0.1102 * (a - 8.7);
        if (a > 21) return 0.5842 * Math.pow(a - 21, 0.4) + 0.07886 * (a - 21);
        return 0;
    }

    /** The modified Bessel function I0 (power series; all terms positive, so it converges to rounding). */
    static double besselI0(double x) {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; k < 500; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return sum;
    }

    /**
     * The Bessel function J1 by its integral (1 / pi) int_0^pi cos(t - x sin t) dt, trapezoidal
     * on a periodic integrand (exponentially convergent: 512 nodes are exact to rounding for the
     * |x| below 100 the filters need).
     */
    static double besselJ1(double x) {
        int n = 512;
        double sum = 0;
        for (int i = 0; i <= n; i++) {
            double t = Math.PI * i / n, v = Math.cos(t - x * Math.sin(t));
            sum += (i == 0 || i == n) ? v / 2 : v;
        }
        return sum / n;
    }

    /** The symmetric Kaiser window of {@code taps} (numpy.kaiser). */
    static double[] kaiser(int taps, double beta) {
        double[] w = new double[taps];
        double i0 = besselI0(beta);
        for (int n = 0; n < taps; n++) {
            double r = taps == 1 ? 0 : 2.0 * n / (taps - 1) - 1;
            w[n] = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0;
        }
        return w;
    }

    /** The 1-D low-pass of {@code taps} (scipy.signal.firwin(taps, cutoff, width=width, fs=rate)). */
    public static double[] lowpass(int taps, double cutoff, double width, double rate) {
        double nyq = rate / 2, c = cutoff / nyq;
        double[] w = kaiser(taps, kaiserBeta(kaiserAtten(taps, width / nyq)));
        double[] h = new double[taps];
        double sum = 0;
        for (int n = 0; n < taps; n++) {
            double m = n - (taps - 1) / 2.0, x = c * m;
            h[n] = c * (x == 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x)) * w[n];
            sum += h[n];
        }
        for (int n = 0; n < taps; n++) h[n] /= sum;
        return h;
    }

    /** The radial 2-D low-pass of {@code taps} x {@code taps}, row-major. */
    public static double[] radialLowpass(int taps, double cutoff, double width, double rate) {
        double[] w = kaiser(taps, kaiserBeta(kaiserAtten(taps, width / (rate / 2))));
        double[] f = new double[taps * taps];
        double sum = 0;
        for (int i = 0; i < taps; i++)
            for (int j = 0; j < taps; j++) {
                double y = (i - (taps - 1) / 2.0) / rate, x = (j - (taps - 1) / 2.0) / rate, r = Math.hypot(x, y);
                double v = r == 0 ? cutoff : besselJ1(2 * cutoff * Math.PI * r) / (Math.PI * r);   // the limit at r = 0 is cutoff
                f[i * taps + j] = v * w[i] * w[j];
                sum += f[i * taps + j];
            }
        for (int k = 0; k < f.length; k++) f[k] /= sum;
        return f;
    }

    /** Stopband s_i of the published schedule (first 2^2.1, last 2^0.3 times the last cutoff). */
    static double stopband(int i, int resolution, int layers) {
        double e = Math.min((double) i / (layers - StyleGan3.CRITICAL), 1.0);
        double last = resolution / 2.0 * StyleGan3.LAST_STOPBAND_REL;
        return StyleGan3.FIRST_STOPBAND * Math.pow(last / StyleGan3.FIRST_STOPBAND, e);
    }

    /** The half width of the transition band at schedule step i: max(stopband, rate / 2) - cutoff. */
    static double halfWidth(int i, int resolution, int layers, int rate) {
        return Math.max(stopband(i, resolution, layers), rate / 2.0) - StyleGan3.cutoff(i, resolution, layers);
    }

    /** The published channel counts: rint(min(cbase / 2 / cutoff_i, cmax)), the last the image's 3. */
    static int[] channels(int resolution, int layers, int cbase, int cmax) {
        int[] ch = new int[layers + 2];                                 // [0]: the input's; [i + 1]: layer i's output
        for (int i = 0; i <= layers; i++)
            ch[i + 1] = i == layers ? 3 : (int) Math.rint(Math.min(cbase / 2.0 / StyleGan3.cutoff(i, resolution, layers), cmax));
        ch[0] = ch[1];                                                  // layer 0 keeps the input's channels
        return ch;
    }

    /**
     * Parses {@code RES[:key=value]...} as in {@code --model stylegan3:256:cfg=r}. Keys: cfg (t, the
     * default, or r), cbase and cmax (the published: T 32768 and 512, R 65536 and 1024, as
     * NVlabs' train.py doubles them for R), zdim (z = w, 512), map (mapping layers, 2), seed.
     */
    public static StyleGan3.Config parse(String spec) {
        RandomSpec r = RandomSpec.parse("stylegan3", spec, KEYS, "cfg, cbase, cmax, zdim, map, seed");
        int res = r.resolution();
        if (res < 16 || res > 4096 || Integer.bitCount(res) != 1)
            throw new InputException("stylegan3: the resolution must be a power of two from 16 to 4096, got " + res);
        boolean radial = false;
        Integer cbase = null, cmax = null;
        int dim = 512, map = 2;
        for (Map.Entry<String, String> o : r.options()) {
            switch (o.getKey()) {
                case "cfg" -> {
                    String cfg = o.getValue().toLowerCase(Locale.ROOT);
                    if (!cfg.equals("t") && !cfg.equals("r")) throw new InputException("stylegan3: cfg is t or r, got '" + o.getValue() + "'");
                    radial = cfg.equals("r");
                }
                case "cbase" -> cbase = r.integer(o);
                case "cmax" -> cmax = r.integer(o);
                case "zdim", "wdim", "dim" -> dim = r.integer(o);
                case "map" -> map = r.integer(o);
                default -> throw new IllegalStateException(o.getKey());
            }
        }
        int base = cbase != null ? cbase : radial ? 65536 : 32768, max = cmax != null ? cmax : radial ? 1024 : 512;
        if (base < 1 || max < 1) throw new InputException("stylegan3: cbase and cmax must be positive, got " + base + ", " + max);
        if (dim < 1 || dim > 65536) throw new InputException("stylegan3: zdim must be between 1 and 65536, got " + dim);
        if (map < 1 || map > 64) throw new InputException("stylegan3: map (mapping layers) must be between 1 and 64, got " + map);
        int layers = 14;
        int[] ch = channels(res, layers, base, max);
        for (int c : ch)
            if (c < 1) throw new InputException("stylegan3: cbase " + base + " leaves no channels at " + res + " px; give a larger cbase");
        return new StyleGan3.Config(res, dim, map, layers, radial ? 1 : 3, radial, ch, 6);
    }

    private static final java.util.Set<String> KEYS = java.util.Set.of("cfg", "cbase", "cmax", "zdim", "wdim", "dim", "map");

    /** The {@code seed=N} option of a spec, or the default. */
    public static long seed(String spec, long dflt) {
        return RandomSpec.parse("stylegan3", spec, KEYS, "").seed(dflt);
    }

    /** The designed filters and random weights of {@code c}, in Hammer's names (the loader's canonical form). */
    public static Map<String, Tensor> weights(StyleGan3.Config c, long seed) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        torch.manual_seed(seed);
        int d = c.zDim();
        double lr = 0.01;
        for (int i = 0; i < c.mappingLayers(); i++) {
            w.put("mapping.dense" + i + ".weight", torch.randn(d, d).div_(new Scalar(lr)));
            w.put("mapping.dense" + i + ".bias", torch.zeros(d));
        }
        w.put("w_avg", torch.zeros(d));
        StyleGan3.InputGeometry in = StyleGan3.input(c);
        int c0 = c.channels()[0];
        double[] f = Torch.toDoubles(torch.randn(c0, 2));
        float[] freq = new float[2 * c0];
        for (int i = 0; i < c0; i++) {
            double r = Math.hypot(f[2 * i], f[2 * i + 1]), scale = in.cutoff() / (r * Math.pow(Math.exp(r * r), 0.25));
            freq[2 * i] = (float) (f[2 * i] * scale);
            freq[2 * i + 1] = (float) (f[2 * i + 1] * scale);
        }
        w.put("synthesis.early_layer.frequency", Torch.of(freq, c0, 2));
        w.put("synthesis.early_layer.phase", torch.rand(c0).sub(new Scalar(0.5)));
        w.put("synthesis.early_layer.weight", torch.randn(c0, c0));
        w.put("synthesis.early_layer.affine.weight", torch.randn(4, d).mul(new Scalar(0.1)));
        w.put("synthesis.early_layer.affine.bias", Torch.of(new float[]{1, 0, 0, 0}, 4));
        w.put("synthesis.early_layer.transform", torch.eye(3));
        int[] rates = StyleGan3.rates(c.resolution(), c.layers());
        for (StyleGan3.Geometry g : StyleGan3.geometry(c)) {
            String p = "synthesis.layer" + g.index() + ".";
            int ci = c.channels()[g.index()], co = c.channels()[g.index() + 1], k = g.toRgb() ? 1 : c.kernel();
            w.put(p + "conv.weight", torch.randn(co, ci, k, k));
            w.put(p + "conv.style.weight", torch.randn(ci, d));
            w.put(p + "conv.style.bias", torch.ones(ci));
            w.put(p + "filter.bias", torch.zeros(co));
            w.put(p + "magnitude_ema", torch.ones(1).reshape());
            int prev = Math.max(g.index() - 1, 0), tmpRate = g.inRate() * g.up();
            if (g.upTaps() > 1)
                w.put(p + "filter.up_filter", Torch.of(lowpass(g.upTaps(), g.inCutoff(), 2 * halfWidth(prev, c.resolution(), c.layers(), rates[prev]), tmpRate), g.upTaps()));
            if (g.downTaps() > 1) {
                double width = 2 * halfWidth(g.index(), c.resolution(), c.layers(), rates[g.index()]);
                boolean radial = c.radial() && g.index() < c.layers() - StyleGan3.CRITICAL;
                w.put(p + "filter.down_filter", radial ? Torch.of(radialLowpass(g.downTaps(), g.outCutoff(), width, tmpRate), g.downTaps(), g.downTaps())
                        : Torch.of(lowpass(g.downTaps(), g.outCutoff(), width, tmpRate), g.downTaps()));
            }
        }
        return w;
    }

    /** A random StyleGAN3 of {@code c} as a module (float32). */
    public static JitModule random(StyleGan3.Config c, long seed, String source) {
        JitModule m = StyleGan3.module();
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> w = weights(c, seed);
            StyleGan3.fill(m, new StyleGan3.Canonical(c, StyleGan3.Layout.HAMMER, w), null, source);
        }
        return m;
    }
}
