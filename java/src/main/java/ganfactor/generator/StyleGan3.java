package ganfactor.generator;

import ganfactor.InputException;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IntType;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.Type;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * StyleGAN3 (Karras et al. 2021, "Alias-Free Generative Adversarial Networks"), configs T and R,
 * built natively as a TorchScript module behind the {@link Generator} contract, from a Hammer
 * checkpoint as the ReSeFa repository saves it ({@code ['models']['generator_smooth']}:
 * {@code synthesis.early_layer.*}, {@code synthesis.layerN.conv.weight}, ...) or from an NVlabs
 * state dict ({@code synthesis.input.*}, {@code synthesis.L3_52_1024.weight}, ..., as
 * tools/save_safetensors.py writes it).
 *
 * <p>Math, from the paper and the two code bases' documented behaviour (N samples, w of width d):
 * <ul>
 *   <li>Mapping: z / sqrt(mean(z^2) + 1e-8), then {@code mappingLayers} fully connected layers
 *       lrelu(x (c W)^T + lr b) sqrt(2), c = lr / sqrt(fan_in), lr = 0.01; w is copied to all
 *       L = layers + 2 W+ entries (16 for the published 14-layer models).</li>
 *   <li>Input (w_0): t = w (A / sqrt(d))^T + a, then t / |t_0..1| = (cos, sin, tx, ty); the
 *       transform M = R(cos, sin) T(-tx, -ty) U with U the stored 3 x 3 {@code transform}
 *       (identity, or what {@code manipulate.py --tx --ty --rotate} installs: the inverse of
 *       its make_transform); per channel c the frequency f_c' = f_c M[:2, :2] and phase
 *       p_c' = p_c + f_c M[:2, 2]; on the fixed grid g (affine_grid of the sampling rate's extent
 *       on size x size pixels) x_c = sin(2 pi (g . f_c' + p_c')) times the amplitude
 *       clamp(1 - (|f_c'| - cutoff) / (rate / 2 - cutoff), 0, 1), then a C x C matrix / sqrt(C).</li>
 *   <li>Layer i (w_{i+1}): style s = w (S / sqrt(d))^T + b_s; the weight normalised per output
 *       channel W' = W / rms(W_o); s / rms(s); demodulation d_o = (sum_i s_i^2 sum_k W'_oik^2 +
 *       1e-8)^-1/2; the input gain 1 / sqrt(magnitude_ema); y = conv(x s g, W', padding k - 1) d.
 *       The last layer (ToRGB, 1 x 1) is not demodulated: s / sqrt(C_in).</li>
 *   <li>Filtered leaky ReLU (upfirdn2d semantics): add the bias; up-sample by zero insertion,
 *       pad (the layer's padding, from its sizes and taps) and convolve with the stored up filter
 *       times up (separable, per axis); lrelu(0.2) sqrt(2), clamp to +-256; convolve with the
 *       down filter (separable, or 2-D radial for config R's non-critical layers) and keep every
 *       down-th sample. ToRGB: bias and clamp only.</li>
 *   <li>The image is the last layer's output times 0.25.</li>
 * </ul>
 * The style normalisation s / rms(s) is per sample here; the official code takes the rms over the
 * whole batch, which the demodulation cancels (up to its 1e-8), so images agree and a Jacobian
 * batch's columns do not leak into each other.
 *
 * <p>The layer geometry (sampling rates, sizes, up and down factors, paddings) follows from the
 * resolution and the published schedule (first cutoff 2, first stopband 2^2.1, last stopband
 * 2^0.3 times the last cutoff, margin 10, 2 critically sampled layers); the filters are read from
 * the file. The resolution is read off the weights (NVlabs names carry it; in Hammer files the
 * sampling rate doubles at each layer whose up filter has 4 x filter-size taps) or given as
 * {@code #img_size=} (ReSeFa's flag), which is then checked against the filters.
 */
public final class StyleGan3 {
    private StyleGan3() {}

    /** The schedule's constants, as both code bases publish them. */
    static final double FIRST_CUTOFF = 2, FIRST_STOPBAND = Math.pow(2, 2.1), LAST_STOPBAND_REL = Math.pow(2, 0.3);
    static final int MARGIN = 10, CRITICAL = 2, ACT_UP = 2;
    static final double CONV_CLAMP = 256, OUTPUT_SCALE = 0.25;

    /**
     * What the weights say: resolution, z = w width, mapping depth, synthesis layers (without
     * ToRGB: 14 published), conv kernel (T: 3, R: 1), whether the non-critical down filters are
     * radial (R), channels of the input and of each layer (the last is the image's), the filter
     * size (taps per unit of up or down factor: 6).
     */
    public record Config(int resolution, int zDim, int mappingLayers, int layers, int kernel, boolean radial,
                         int[] channels, int filterSize) {
        public int numWs() { return layers + 2; }

        public String cfg() { return radial ? "R" : "T"; }

        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("architecture", "stylegan3");
            m.put("cfg", cfg());
            m.put("resolution", resolution);
            m.put("z_dim", zDim);
            m.put("mapping_layers", mappingLayers);
            m.put("num_ws", numWs());
            m.put("kernel_size", kernel);
            m.put("channels", Arrays.toString(channels));
            return m;
        }
    }

    /** One synthesis layer's geometry (index 0 .. layers; the last is ToRGB). */
    public record Geometry(int index, int inSize, int outSize, int inRate, int outRate, double inCutoff, double outCutoff,
                           int up, int upTaps, int down, int downTaps, int padLo, int padHi, boolean toRgb) {}

    /** The input layer's size, sampling rate and cutoff. */
    public record InputGeometry(int size, int rate, double cutoff) {}

    /** Sampling rates s_0 .. s_layers of the published schedule at this resolution. */
    static int[] rates(int resolution, int layers) {
        double lastCutoff = resolution / 2.0, lastStopband = lastCutoff * LAST_STOPBAND_REL;
        int[] r = new int[layers + 1];
        for (int i = 0; i <= layers; i++) {
            double e = Math.min((double) i / (layers - CRITICAL), 1.0);
            double stop = FIRST_STOPBAND * Math.pow(lastStopband / FIRST_STOPBAND, e);
            r[i] = (int) Math.round(Math.pow(2, Math.ceil(log2(Math.min(stop * 2, resolution)))));
        }
        return r;
    }

    static double cutoff(int i, int resolution, int layers) {
        double e = Math.min((double) i / (layers - CRITICAL), 1.0);
        return FIRST_CUTOFF * Math.pow((resolution / 2.0) / FIRST_CUTOFF, e);
    }

    private static double log2(double v) { return Math.log(v) / Math.log(2); }

    public static InputGeometry input(Config c) {
        int rate = rates(c.resolution, c.layers)[0];
        return new InputGeometry(size(0, rate, c), rate, cutoff(0, c.resolution, c.layers));
    }

    private static int size(int i, int rate, Config c) {
        return i >= c.layers - 1 ? c.resolution : rate + 2 * MARGIN;
    }

    /** The layers' geometry, as both code bases compute it. */
    public static List<Geometry> geometry(Config c) {
        int[] rates = rates(c.resolution, c.layers);
        List<Geometry> out = new ArrayList<>();
        for (int i = 0; i <= c.layers; i++) {
            int prev = Math.max(i - 1, 0);
            boolean toRgb = i == c.layers;
            int inRate = rates[prev], outRate = rates[i];
            int inSize = size(prev, inRate, c), outSize = size(i, outRate, c);
            int tmp = Math.max(inRate, outRate) * (toRgb ? 1 : ACT_UP);
            int up = tmp / inRate, down = tmp / outRate;
            int upTaps = up > 1 ? c.filterSize * up : 1, downTaps = down > 1 ? c.filterSize * down : 1;
            int convPad = (toRgb ? 1 : c.kernel) - 1;
            int total = (outSize - 1) * down + 1 - (inSize + convPad) * up + upTaps + downTaps - 2;
            int lo = Math.floorDiv(total + up, 2);
            out.add(new Geometry(i, inSize, outSize, inRate, outRate, cutoff(prev, c.resolution, c.layers), cutoff(i, c.resolution, c.layers),
                    up, upTaps, down, downTaps, lo, total - lo, toRgb));
        }
        return out;
    }

    // ---- reading the weights ----------------------------------------------------------------

    public enum Layout { HAMMER, NVLABS }

    private static final Pattern NV_LAYER = Pattern.compile("synthesis\\.L(\\d+)_(\\d+)_(\\d+)\\.(.+)");
    private static final Pattern H_LAYER = Pattern.compile("synthesis\\.layer(\\d+)\\.(.+)");

    /** Whether the keys are a StyleGAN3 generator's (either layout). */
    public static boolean looksLike(Map<String, Tensor> w) {
        return w.containsKey("synthesis.early_layer.frequency") || w.containsKey("synthesis.input.freqs");
    }

    /**
     * The weights in Hammer's names (the canonical form here), the config read off them, and
     * the file's layout. {@code imgSize}: ReSeFa's {@code --img_size}, or null to read it off.
     */
    public static Canonical canonical(Map<String, Tensor> w, String imgSize, String source) {
        Layout layout = w.containsKey("synthesis.input.freqs") ? Layout.NVLABS : Layout.HAMMER;
        Map<String, Tensor> h = new TreeMap<>();
        int nvResolution = -1, nvLast = -1;
        List<String> unexpected = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : w.entrySet()) {
            String k = e.getKey();
            if (layout == Layout.HAMMER) {
                h.put(k, e.getValue());
                continue;
            }
            Matcher m = NV_LAYER.matcher(k);
            String to;
            if (m.matches()) {
                String prefix = "synthesis.layer" + m.group(1) + ".", f = m.group(4);
                to = switch (f) {
                    case "weight" -> prefix + "conv.weight";
                    case "affine.weight" -> prefix + "conv.style.weight";
                    case "affine.bias" -> prefix + "conv.style.bias";
                    case "bias" -> prefix + "filter.bias";
                    case "magnitude_ema" -> prefix + "magnitude_ema";
                    case "up_filter" -> prefix + "filter.up_filter";
                    case "down_filter" -> prefix + "filter.down_filter";
                    default -> null;
                };
                if (Integer.parseInt(m.group(1)) > nvLast) {                    // the last layer's size is the image's
                    nvLast = Integer.parseInt(m.group(1));
                    nvResolution = Integer.parseInt(m.group(2));
                }
            } else {
                to = switch (k) {
                    case "mapping.w_avg" -> "w_avg";
                    case "synthesis.input.weight" -> "synthesis.early_layer.weight";
                    case "synthesis.input.affine.weight" -> "synthesis.early_layer.affine.weight";
                    case "synthesis.input.affine.bias" -> "synthesis.early_layer.affine.bias";
                    case "synthesis.input.transform" -> "synthesis.early_layer.transform";
                    case "synthesis.input.freqs" -> "synthesis.early_layer.frequency";
                    case "synthesis.input.phases" -> "synthesis.early_layer.phase";
                    default -> k.matches("mapping\\.fc\\d+\\.(weight|bias)") ? k.replace(".fc", ".dense") : null;
                };
            }
            if (to == null) unexpected.add(k);
            else h.put(to, e.getValue());
        }
        for (String k : h.keySet()) {
            boolean known = k.equals("w_avg") || k.matches("mapping\\.dense\\d+\\.(weight|bias)")
                    || k.matches("synthesis\\.early_layer\\.(weight|grid|frequency|phase|transform|affine\\.weight|affine\\.bias)")
                    || k.matches("synthesis\\.layer\\d+\\.(magnitude_ema|conv\\.weight|conv\\.style\\.weight|conv\\.style\\.bias|filter\\.bias|filter\\.up_filter|filter\\.down_filter)");
            if (!known) unexpected.add(k);
        }
        if (!unexpected.isEmpty())
            throw new InputException(source + ": unexpected keys for a StyleGAN3 generator: " + unexpected.subList(0, Math.min(5, unexpected.size()))
                    + (unexpected.stream().anyMatch(k -> k.contains("embed")) ? " (a conditional model, with a label embedding, is not built)" : ""));

        int mapping = 0;
        while (h.containsKey("mapping.dense" + mapping + ".weight")) mapping++;
        if (mapping < 1) throw new InputException(source + ": a StyleGAN3 without mapping layers (mapping.dense0.weight / mapping.fc0.weight)");
        int zDim = (int) need(h, "mapping.dense0.weight", source).size(1);
        int wDim = (int) need(h, "mapping.dense" + (mapping - 1) + ".weight", source).size(0);
        if (zDim != wDim)
            throw new InputException(source + ": z_dim " + zDim + " != w_dim " + wDim + "; ganfactor's generator contract needs them equal");
        int count = 0;
        while (h.containsKey("synthesis.layer" + count + ".conv.weight")) count++;
        if (count < CRITICAL + 2)
            throw new InputException(source + ": a StyleGAN3 with " + count + " synthesis layers; at least " + (CRITICAL + 2) + " expected");
        int layers = count - 1;
        Tensor w0 = need(h, "synthesis.layer0.conv.weight", source);
        int kernel = (int) w0.size(2);
        Tensor fu0 = need(h, "synthesis.layer0.filter.up_filter", source);
        if (fu0.dim() != 1 || fu0.size(0) % 2 != 0)
            throw new InputException(source + ": synthesis.layer0's up filter is " + ganfactor.torch.Torch.shapeString(fu0) + "; a 1-D filter of 2 x filter-size taps is expected");
        int filterSize = (int) fu0.size(0) / 2;
        boolean radial = need(h, "synthesis.layer0.filter.down_filter", source).dim() == 2;
        int[] ch = new int[count + 1];
        ch[0] = (int) need(h, "synthesis.early_layer.weight", source).size(0);
        for (int i = 0; i < count; i++) ch[i + 1] = (int) need(h, "synthesis.layer" + i + ".conv.weight", source).size(0);

        int resolution;
        String from;
        if (imgSize != null) {
            try {
                resolution = Integer.parseInt(imgSize.trim());
            } catch (NumberFormatException e) {
                throw new InputException(source + ": #img_size needs an integer, got '" + imgSize + "'");
            }
            from = "#img_size=" + imgSize;
        } else if (nvResolution > 0) {
            resolution = nvResolution;
            from = "the last layer's name";
        } else {
            Tensor grid = h.get("synthesis.early_layer.grid");
            int rate0 = grid != null ? (int) grid.size(1) - 2 * MARGIN : 16;
            int doublings = 0;
            for (int i = 0; i < layers; i++) {
                Tensor fu = need(h, "synthesis.layer" + i + ".filter.up_filter", source);
                if (fu.numel() == 4L * filterSize) doublings++;
            }
            resolution = rate0 << doublings;
            from = "the filters (sampling rate " + rate0 + " doubled at " + doublings + " layers)";
        }
        if (resolution < 16 || resolution > 4096 || Integer.bitCount(resolution) != 1)
            throw new InputException(source + ": StyleGAN3 resolution " + resolution + " (from " + from + ") is not a power of two from 16 to 4096");
        Config c = new Config(resolution, zDim, mapping, layers, kernel, radial, ch, filterSize);
        check(h, c, from, source);
        return new Canonical(c, layout, h);
    }

    /** The canonical weights, the config and the file's layout. */
    public record Canonical(Config config, Layout layout, Map<String, Tensor> weights) {}

    /** Every tensor's shape against the config's; the filters' taps against the geometry's. */
    private static void check(Map<String, Tensor> h, Config c, String resolutionFrom, String source) {
        List<String> problems = new ArrayList<>();
        InputGeometry in = input(c);
        int d = c.zDim;
        for (int i = 0; i < c.mappingLayers; i++) {
            expect(h, "mapping.dense" + i + ".weight", new long[]{d, d}, problems);
            expect(h, "mapping.dense" + i + ".bias", new long[]{d}, problems);
        }
        expect(h, "synthesis.early_layer.weight", new long[]{c.channels[0], c.channels[0]}, problems);
        expect(h, "synthesis.early_layer.frequency", new long[]{c.channels[0], 2}, problems);
        expect(h, "synthesis.early_layer.phase", new long[]{c.channels[0]}, problems);
        expect(h, "synthesis.early_layer.affine.weight", new long[]{4, d}, problems);
        expect(h, "synthesis.early_layer.affine.bias", new long[]{4}, problems);
        if (h.containsKey("synthesis.early_layer.transform")) expect(h, "synthesis.early_layer.transform", new long[]{3, 3}, problems);
        if (h.containsKey("synthesis.early_layer.grid")) expect(h, "synthesis.early_layer.grid", new long[]{1, in.size, in.size, 2}, problems);
        if (h.containsKey("w_avg")) expect(h, "w_avg", new long[]{d}, problems);
        for (Geometry g : geometry(c)) {
            String p = "synthesis.layer" + g.index + ".";
            int ci = c.channels[g.index], co = c.channels[g.index + 1], k = g.toRgb ? 1 : c.kernel;
            expect(h, p + "conv.weight", new long[]{co, ci, k, k}, problems);
            expect(h, p + "conv.style.weight", new long[]{ci, d}, problems);
            expect(h, p + "conv.style.bias", new long[]{ci}, problems);
            expect(h, p + "filter.bias", new long[]{co}, problems);
            if (h.containsKey(p + "magnitude_ema")) expect(h, p + "magnitude_ema", new long[]{}, problems);
            else problems.add("missing " + p + "magnitude_ema");
            boolean radial = c.radial && g.index < c.layers - CRITICAL;
            if (g.upTaps > 1) expect(h, p + "filter.up_filter", new long[]{g.upTaps}, problems);
            else if (h.containsKey(p + "filter.up_filter")) problems.add(p + "filter.up_filter present where the geometry has no up-sampling");
            if (g.downTaps > 1) expect(h, p + "filter.down_filter", radial ? new long[]{g.downTaps, g.downTaps} : new long[]{g.downTaps}, problems);
            else if (h.containsKey(p + "filter.down_filter")) problems.add(p + "filter.down_filter present where the geometry has no down-sampling");
        }
        if (!problems.isEmpty())
            throw new InputException(source + ": not the StyleGAN3 of resolution " + c.resolution + " (from " + resolutionFrom + "), " + c.layers
                    + " layers, kernel " + c.kernel + (c.radial ? ", radial filters (R)" : " (T)") + ": "
                    + String.join("; ", problems.subList(0, Math.min(4, problems.size()))) + (problems.size() > 4 ? "; and " + (problems.size() - 4) + " more" : ""));
    }

    private static void expect(Map<String, Tensor> h, String k, long[] shape, List<String> problems) {
        Tensor t = h.get(k);
        if (t == null) problems.add("missing " + k);
        else if (!Arrays.equals(t.sizes().vec().get(), shape))
            problems.add(k + " is " + ganfactor.torch.Torch.shapeString(t) + ", expected " + Arrays.toString(shape));
    }

    private static Tensor need(Map<String, Tensor> w, String k, String source) {
        Tensor t = w.get(k);
        if (t == null) throw new InputException(source + ": missing " + k + " (a StyleGAN3 generator's state dict)");
        return t;
    }

    // ---- the input transform ----------------------------------------------------------------

    /**
     * ReSeFa's make_transform(tx, ty, angle) (angle in degrees): [[c, s, tx], [-s, c, ty], [0, 0, 1]];
     * {@code manipulate.py} installs its inverse as the input layer's transform.
     */
    public static double[] makeTransform(double tx, double ty, double degrees) {
        double a = degrees / 360.0 * Math.PI * 2, s = Math.sin(a), co = Math.cos(a);
        return new double[]{co, s, tx, -s, co, ty, 0, 0, 1};
    }

    /** The inverse of a 3 x 3 affine matrix (last row 0 0 1), row-major. */
    public static double[] invertAffine(double[] m) {
        double det = m[0] * m[4] - m[1] * m[3];
        if (!(Math.abs(det) > 1e-12)) throw new InputException("the input transform is singular (determinant " + det + ")");
        double a = m[4] / det, b = -m[1] / det, c = -m[3] / det, e = m[0] / det;
        return new double[]{a, b, -(a * m[2] + b * m[5]), c, e, -(c * m[2] + e * m[5]), 0, 0, 1};
    }

    /**
     * The transform {@code manipulate.py --tx --ty --rotate} installs, from the generator options
     * {@code tx}, {@code ty}, {@code rotate}; null when none is given (the file's own stays).
     */
    static double[] transformOption(Map<String, String> options, String source) {
        if (!options.containsKey("tx") && !options.containsKey("ty") && !options.containsKey("rotate")) return null;
        double[] v = new double[3];
        String[] keys = {"tx", "ty", "rotate"};
        for (int i = 0; i < 3; i++) {
            String s = options.getOrDefault(keys[i], "0");
            try {
                v[i] = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new InputException(source + ": #" + keys[i] + " needs a number, got '" + s + "'");
            }
            if (!Double.isFinite(v[i])) throw new InputException(source + ": #" + keys[i] + " must be finite, got " + s);
        }
        return invertAffine(makeTransform(v[0], v[1], v[2]));
    }

    // ---- building ---------------------------------------------------------------------------

    /** An empty module for {@link #fill}; create it before the scope that holds the weights. */
    public static JitModule module() {
        return new JitModule(new QualifiedName("ganfactor.StyleGAN3"));
    }

    /**
     * Fills a module from {@link #module()}: float32 copies of the weights, the filters as
     * depthwise convolution kernels (flipped, the up filter times its factor), the grid (the
     * file's, or built), the transform ({@code transform}: row-major 3 x 3, or null for the
     * file's own, identity when it has none).
     */
    public static void fill(JitModule m, Canonical cw, double[] transform, String source) {
        fill(m, cw, transform, source, FilterForm.AUTO);
    }

    /** As {@link #fill(JitModule, Canonical, double[], String)} with the filters' form chosen (tests compare the two). */
    static void fill(JitModule m, Canonical cw, double[] transform, String source, FilterForm form) {
        Config c = cw.config();
        Map<String, Tensor> h = cw.weights();
        InputGeometry in = input(c);
        try (PointerScope scope = new PointerScope()) {
            for (int i = 0; i < c.mappingLayers; i++) {
                param(m, "map" + i + "_w", h.get("mapping.dense" + i + ".weight"));
                param(m, "map" + i + "_b", h.get("mapping.dense" + i + ".bias"));
            }
            param(m, "in_w", h.get("synthesis.early_layer.weight"));
            param(m, "in_aw", h.get("synthesis.early_layer.affine.weight"));
            param(m, "in_ab", h.get("synthesis.early_layer.affine.bias"));
            buffer(m, "in_freq", h.get("synthesis.early_layer.frequency"));
            buffer(m, "in_phase", h.get("synthesis.early_layer.phase"));
            Tensor grid = h.get("synthesis.early_layer.grid");
            if (grid == null) grid = grid(in);
            buffer(m, "in_grid", grid.reshape(in.size * in.size, 2));
            Tensor u = transform != null ? ganfactor.torch.Torch.of(transform, 3, 3)
                    : h.containsKey("synthesis.early_layer.transform") ? h.get("synthesis.early_layer.transform") : torch.eye(3);
            buffer(m, "in_transform", u);
            for (Geometry g : geometry(c)) {
                String p = "synthesis.layer" + g.index + ".", a = "l" + g.index;
                param(m, a + "_w", h.get(p + "conv.weight"));
                param(m, a + "_sw", h.get(p + "conv.style.weight"));
                param(m, a + "_sb", h.get(p + "conv.style.bias"));
                param(m, a + "_b", h.get(p + "filter.bias"));
                buffer(m, a + "_ema", h.get(p + "magnitude_ema"));
                int co = c.channels[g.index + 1];
                if (g.upTaps > 1)
                    buffer(m, a + "_u", dense(g, c, form) ? upMatrix(h.get(p + "filter.up_filter"), g, c) : upBand(h.get(p + "filter.up_filter"), g, c));
                if (g.downTaps > 1) {
                    Tensor f = h.get(p + "filter.down_filter").to(torch.ScalarType.Float);
                    if (f.dim() == 2) buffer(m, a + "_fd", f.flip(0, 1).reshape(1, 1, g.downTaps, g.downTaps).repeat(co, 1, 1, 1));
                    else buffer(m, a + "_d", dense(g, c, form) ? downMatrix(f, g, c) : downBand(f, g, c));
                }
            }
            Type.TypePtr intType = new Type.TypePtr(IntType.getIntTypePtr().get());
            m.register_attribute("num_layers", intType, new IValue((long) c.numWs()));
            m.register_attribute("latent_dim", intType, new IValue((long) c.zDim));
            m.register_attribute("resolution", intType, new IValue((long) c.resolution));
            m.register_attribute("activation_elements", intType, new IValue(activationElements(c)));
            // R's radial down filters are depthwise 2-D convolutions: past 8 columns per pass their
            // working set outgrows the cache (the R fixture's W Jacobian, JMH JacobianChunkBenchmark: 16.4 s
            // at 8 columns, 20.5 s at 32; T is flat), so R asks the engine for at most 8 (benchmarks/RESULTS.md)
            if (c.radial) m.register_attribute("jacobian_chunk", intType, new IValue(8L));
            Tensor avg = h.get("w_avg");
            buffer(m, "w_avg", avg != null ? avg : torch.zeros(c.zDim));
            m.define(source(c, form));
        }
    }

    /**
     * How the filters' two halves run: as dense [out, in] matrices on a rows-first layout (one
     * large product per axis), or as banded window products (the work per output is the window,
     * not the axis). DENSE: the plain reference, one full product per axis. BLOCKED: the same, but
     * the leading axis's product in blocks of {@link #LEFT_BLOCK} rows, each on the window of
     * inputs the filter reaches ({@link #leading}). AUTO: BLOCKED where the up-sampled axis is at
     * most {@link #DENSE_MAX} samples, banded above. Measured (benchmarks/RESULTS.md; the halves
     * timed one by one from Java, `results/sg3-dense-threshold.txt`): on `stylegan3:256` a
     * 306-sample layer's halves took 410 + 320 ms dense, 404 + 287 ms blocked and 838 + 741 ms
     * banded, a 562-sample layer's 690 + 599 ms dense, 503 + 494 ms blocked and 716 + 629 ms banded;
     * at 1024 px a 1,074-sample layer's 913 + 2,391 ms blocked (the down half's full product along
     * the other axis costs 532 per output) against 1,026 + 1,371 ms banded; so blocked up to 800
     * samples, banded beyond (a 1024 px model's last layers: about 2,100 samples a side). The
     * 64 px fixtures (axes up to 178) are blocked throughout: T's Jacobian 7.39 s against 7.72 s
     * dense (JMH, within the noise); banded there was about 3x slower (one-off timings).
     */
    enum FilterForm { AUTO, DENSE, BLOCKED, BANDED }

    static final int DENSE_MAX = 800;

    static boolean dense(Geometry g, Config c, FilterForm form) {
        return form == FilterForm.DENSE || form == FilterForm.BLOCKED || (form == FilterForm.AUTO && upOutput(g, c) <= DENSE_MAX);
    }

    /** Whether the dense form's leading-axis products run in row blocks on the windows the filter reaches (see {@link #leading}). */
    static boolean blocked(FilterForm form) {
        return form == FilterForm.BLOCKED || form == FilterForm.AUTO;
    }

    /**
     * One half of the filtered leaky ReLU along one axis, as products of windows with one small
     * matrix. The filter is shift-invariant: a block of {@code block} consecutive outputs reads a
     * window of {@code window} consecutive inputs, the next block the window {@code step} further,
     * always through the same [window, block] matrix. So the axis is padded ({@code start}
     * samples before it: negative crops; zeros after it as needed), cut into {@code blocks}
     * windows (a strided view), multiplied by the matrix in one matmul and cropped to {@code out}
     * samples. The work per output is the window's length, not the axis's: a dense [out, in]
     * matrix cost the whole axis per output (38 - 82 samples at 64 px, about 2,100 at 1024 px,
     * against 12 taps). The shape of each half is {@link #upShape} / {@link #downShape} (used by
     * the scripted {@code gf_band}); the matrices are {@link #upBand} / {@link #downBand}. These
     * are the outputs per block: the up half's blocks hold up x UP_BLOCK outputs.
     */
    static final int UP_BLOCK = 16, DOWN_BLOCK = 16;

    /** Samples per side entering layer g's filter: its input size plus the convolution's growth. */
    static int filterInput(Geometry g, Config c) {
        return g.inSize + (g.toRgb ? 0 : c.kernel - 1);
    }

    /** Samples per side after the up-sampling half (zero insertion, padding, the up filter). */
    static int upOutput(Geometry g, Config c) {
        return filterInput(g, c) * g.up + g.padLo + g.padHi - g.upTaps + 1;
    }

    /**
     * The up-sampling half (upfirdn2d: zero insertion by up, the padding, correlation with the
     * flipped filter times up, its gain up^2 split over two axes): output j reads input i with
     * weight up f[T - 1 - (up i + padLo - j)] where that index is in [0, T). With B = up m
     * outputs per block, block b reads inputs from floor((b B - padLo) / up) = b m + i0 on: one
     * matrix for every block.
     */
    static Tensor upBand(Tensor filter, Geometry g, Config c) {
        double[] f = ganfactor.torch.Torch.toDoubles(filter.to(torch.ScalarType.Float));
        int T = g.upTaps, up = g.up, B = up * UP_BLOCK;
        if (f.length != T) throw new IllegalStateException("up filter of " + f.length + " taps, geometry says " + T);
        int[] sh = upShape(g, c);
        int i0 = sh[0], window = sh[2];
        float[] mat = new float[window * B];
        for (int w = 0; w < window; w++)
            for (int jj = 0; jj < B; jj++) {
                int t = up * (i0 + w) + g.padLo - jj;
                if (t >= 0 && t < T) mat[w * B + jj] = (float) ((float) f[T - 1 - t] * (float) up);
            }
        return ganfactor.torch.Torch.of(mat, window, B);
    }

    /** {start, step, window, blocks, out} of the up half (see {@link #upBand}). */
    static int[] upShape(Geometry g, Config c) {
        int T = g.upTaps, up = g.up, B = up * UP_BLOCK, out = upOutput(g, c);
        int i0 = Math.floorDiv(-g.padLo, up), window = Math.floorDiv(B + T - 2 - g.padLo, up) - i0 + 1;
        return new int[]{i0, UP_BLOCK, window, (out + B - 1) / B, out};
    }

    /** {start, step, window, blocks, out} of the down half (see {@link #downBand}). */
    static int[] downShape(Geometry g, Config c) {
        int B = DOWN_BLOCK;
        return new int[]{0, g.down * B, g.down * (B - 1) + g.downTaps, (g.outSize + B - 1) / B, g.outSize};
    }

    /** Rows per block of the blocked leading-axis products (32 - 128 measured on a 562-sample layer: 64 within 3 % of the best). */
    static final int LEFT_BLOCK = 64;

    /**
     * The product M a of a filter matrix with the rows-first map {@code a}: one mm, or ({@code
     * blocks}: {row0, rows, col0, cols} each) one mm per block of rows on the window of columns
     * the filter reaches, the blocks' rows concatenated. The matrix is banded, so a block reads
     * a window a few taps wider than its rows / up, not the whole axis.
     */
    private static String leading(String m, int[][] blocks) {
        if (blocks == null) return "torch.mm(" + m + ", a)";
        StringBuilder e = new StringBuilder("torch.cat([");
        for (int i = 0; i < blocks.length; i++) {
            int[] b = blocks[i];
            if (i > 0) e.append(", ");
            e.append("torch.mm(").append(m).append(".narrow(0, ").append(b[0]).append(", ").append(b[1]).append(").narrow(1, ").append(b[2]).append(", ").append(b[3])
                    .append("), a.narrow(0, ").append(b[2]).append(", ").append(b[3]).append("))");
        }
        return e.append("], 0)").toString();
    }

    /** The up matrix's ({@link #upMatrix}) row blocks: row j reads inputs i with 0 <= up i + padLo - j < taps. */
    static int[][] upBlocks(Geometry g, Config c) {
        return rowBlocks(g, upOutput(g, c), filterInput(g, c),
                j -> Math.floorDiv(j - g.padLo + g.up - 1, g.up), j -> Math.floorDiv(j - g.padLo + g.upTaps - 1, g.up));
    }

    /** The down matrix's ({@link #downMatrix}) row blocks: row j reads inputs down j .. down j + taps - 1. */
    static int[][] downBlocks(Geometry g, Config c) {
        return rowBlocks(g, g.outSize, upOutput(g, c), j -> g.down * j, j -> g.down * j + g.downTaps - 1);
    }

    /**
     * Blocks of {@link #LEFT_BLOCK} rows of a banded [rows, cols] matrix, {row0, rows, col0, cols}
     * each: row j reads columns first(j) .. last(j), both rising with j, cut to the matrix.
     */
    private static int[][] rowBlocks(Geometry g, int rows, int cols, java.util.function.IntUnaryOperator first, java.util.function.IntUnaryOperator last) {
        List<int[]> out = new ArrayList<>();
        for (int r0 = 0; r0 < rows; r0 += LEFT_BLOCK) {
            int r1 = Math.min(rows, r0 + LEFT_BLOCK);
            int lo = Math.max(0, first.applyAsInt(r0)), hi = Math.min(cols - 1, last.applyAsInt(r1 - 1));
            if (hi < lo) throw new IllegalStateException("layer " + g.index + ": rows " + r0 + ".." + (r1 - 1) + " read no input");
            out.add(new int[]{r0, r1 - r0, lo, hi - lo + 1});
        }
        return out.toArray(new int[0][]);
    }

    private static String bandArgs(int[] sh) {
        return sh[0] + ", " + sh[1] + ", " + sh[2] + ", " + sh[3] + ", " + sh[4];
    }

    /** The down-sampling half: output j reads inputs down j .. down j + T - 1 with weight f[T - 1 - (k - down j)]; B outputs per block. */
    static Tensor downBand(Tensor filter, Geometry g, Config c) {
        double[] f = ganfactor.torch.Torch.toDoubles(filter);
        int T = g.downTaps, L = upOutput(g, c), out = (L - T) / g.down + 1, B = DOWN_BLOCK;
        if (f.length != T) throw new IllegalStateException("down filter of " + f.length + " taps, geometry says " + T);
        if (out != g.outSize) throw new IllegalStateException("layer " + g.index + ": the filters give " + out + " samples, the geometry " + g.outSize);
        int[] sh = downShape(g, c);
        int window = sh[2];
        float[] mat = new float[window * B];
        for (int jj = 0; jj < B; jj++)
            for (int t = 0; t < T; t++) mat[(g.down * jj + t) * B + jj] = (float) f[T - 1 - t];
        return ganfactor.torch.Torch.of(mat, window, B);
    }

    /**
     * The up-sampling half along one axis as a matrix U [L', L]: zero insertion by {@code up}, the
     * padding (negative crops), then correlation with the flipped filter times {@code up} (upfirdn2d's
     * gain up^2 split over two axes): y_j = up sum_i x_i f[T - 1 - (up i + padLo - j)]. The 2-D step
     * is U X U^T per channel, the same sums as the separable convolutions, as two dense matmuls
     * (the depthwise 1-D convolutions were memory-bound: 2.4x slower at batch 33 in a one-off
     * timing with Python's profiler on the exported module, not JMH).
     */
    static Tensor upMatrix(Tensor filter, Geometry g, Config c) {
        double[] f = ganfactor.torch.Torch.toDoubles(filter.to(torch.ScalarType.Float));
        int L = filterInput(g, c), out = upOutput(g, c), T = g.upTaps;
        if (f.length != T) throw new IllegalStateException("up filter of " + f.length + " taps, geometry says " + T);
        float[] u = new float[out * L];
        for (int j = 0; j < out; j++)
            for (int i = 0; i < L; i++) {
                int t = g.up * i + g.padLo - j;
                if (t >= 0 && t < T) u[j * L + i] = (float) ((float) f[T - 1 - t] * (float) g.up);
            }
        return ganfactor.torch.Torch.of(u, out, L);
    }

    /** The down-sampling half along one axis as a matrix D [L'', L']: y_j = sum_m x_m f[T - 1 - (m - down j)], m - down j in [0, T). */
    static Tensor downMatrix(Tensor filter, Geometry g, Config c) {
        double[] f = ganfactor.torch.Torch.toDoubles(filter);
        int L = upOutput(g, c), T = g.downTaps, out = (L - T) / g.down + 1;
        if (f.length != T) throw new IllegalStateException("down filter of " + f.length + " taps, geometry says " + T);
        if (out != g.outSize) throw new IllegalStateException("layer " + g.index + ": the filters give " + out + " samples, the geometry " + g.outSize);
        float[] d = new float[out * L];
        for (int j = 0; j < out; j++)
            for (int t = 0; t < T; t++) d[j * L + g.down * j + t] = (float) f[T - 1 - t];
        return ganfactor.torch.Torch.of(d, out, L);
    }

    /** The input layer's sampling grid: affine_grid of diag(size / (2 rate)) on size x size, align_corners false. */
    static Tensor grid(InputGeometry in) {
        float[] g = new float[in.size * in.size * 2];
        double scale = 0.5 * in.size / in.rate;
        for (int y = 0; y < in.size; y++)
            for (int x = 0; x < in.size; x++) {
                g[2 * (y * in.size + x)] = (float) (scale * ((2.0 * x + 1) / in.size - 1));
                g[2 * (y * in.size + x) + 1] = (float) (scale * ((2.0 * y + 1) / in.size - 1));
            }
        return ganfactor.torch.Torch.of(g, 1, in.size, in.size, 2);
    }

    /** Elements of the widest activation of one sample (a layer's up-sampled, padded map), the Jacobian engine's chunk hint. */
    public static long activationElements(Config c) {
        long max = 0;
        for (Geometry g : geometry(c)) {
            long side = (long) (g.inSize + (g.toRgb ? 0 : c.kernel - 1)) * g.up + g.padLo + g.padHi;
            max = Math.max(max, (long) c.channels[g.index + 1] * side * side);
        }
        return max;
    }

    private static void param(JitModule m, String name, Tensor t) {
        m.register_parameter(name, t.to(torch.ScalarType.Float).contiguous().clone(), false);
    }

    private static void buffer(JitModule m, String name, Tensor t) {
        m.register_buffer(name, t.to(torch.ScalarType.Float).contiguous().clone());
    }

    private static String f(double v) {
        return Double.toString(v);
    }

    static String source(Config c, FilterForm form) {
        StringBuilder s = new StringBuilder();
        double sqrt2 = Math.sqrt(2.0), lr = 0.01;
        int d = c.zDim;
        InputGeometry in = input(c);
        s.append("def mapping(self, z: Tensor) -> Tensor:\n");
        s.append("    x = z * torch.rsqrt(z.square().mean(1, keepdim=True) + 1e-8)\n");
        for (int i = 0; i < c.mappingLayers; i++)
            s.append("    x = torch.leaky_relu(torch.addmm(self.map").append(i).append("_b.unsqueeze(0) * ").append(f(lr)).append(", x, (self.map").append(i)
                    .append("_w * ").append(f(lr / Math.sqrt(d))).append(").t()), 0.2) * ").append(f(sqrt2)).append("\n");
        s.append("    return x\n\n");

        // the input layer
        int C0 = c.channels[0];
        s.append("def gf_input(self, w: Tensor) -> Tensor:\n");
        s.append("    n = w.size(0)\n");
        s.append("    t = torch.addmm(self.in_ab.unsqueeze(0), w, (self.in_aw * ").append(f(1.0 / Math.sqrt(d))).append(").t())\n");
        s.append("    t = t / t.narrow(1, 0, 2).square().sum(1, keepdim=True).sqrt()\n");
        s.append("    co = t.select(1, 0)\n    si = t.select(1, 1)\n    tx = t.select(1, 2)\n    ty = t.select(1, 3)\n");
        s.append("    zero = torch.zeros_like(co)\n    one = torch.ones_like(co)\n");
        s.append("    rt = torch.stack([torch.stack([co, -si, -co * tx + si * ty], 1), torch.stack([si, co, -si * tx - co * ty], 1), torch.stack([zero, zero, one], 1)], 1)\n");
        s.append("    m = rt.matmul(self.in_transform.to(rt.dtype))\n");
        s.append("    fr = self.in_freq.unsqueeze(0).matmul(m.narrow(1, 0, 2).narrow(2, 0, 2))\n");
        s.append("    ph = self.in_freq.unsqueeze(0).matmul(m.narrow(1, 0, 2).narrow(2, 2, 1)).squeeze(2) + self.in_phase.unsqueeze(0)\n");
        s.append("    x = self.in_grid.matmul(fr.transpose(1, 2)) + ph.unsqueeze(1)\n");
        s.append("    x = torch.sin(x * ").append(f(2 * Math.PI)).append(")\n");
        s.append("    amp = (1 - (fr.square().sum(2).sqrt() - ").append(f(in.cutoff)).append(") / ").append(f(in.rate / 2.0 - in.cutoff)).append(").clamp(0, 1)\n");
        s.append("    x = (x * amp.unsqueeze(1)).matmul((self.in_w * ").append(f(1.0 / Math.sqrt(C0))).append(").t())\n");
        s.append("    return x.reshape(n, ").append(in.size).append(", ").append(in.size).append(", ").append(C0).append(").permute(0, 3, 1, 2).contiguous()\n\n");

        inputJvpSource(s, c, d);
        s.append("def gf_band(self, x: Tensor, m: Tensor, start: int, step: int, window: int, blocks: int, out: int) -> Tensor:\n");
        s.append("    if start < 0:\n        x = torch.constant_pad_nd(x, [-start, 0], 0.0)\n");
        s.append("    elif start > 0:\n        x = x.narrow(3, start, x.size(3) - start)\n");
        s.append("    need = (blocks - 1) * step + window\n");
        s.append("    if need > x.size(3):\n        x = torch.constant_pad_nd(x, [0, need - x.size(3)], 0.0)\n");
        s.append("    y = torch.matmul(x.unfold(3, window, step).narrow(3, 0, blocks), m)\n");
        s.append("    return y.flatten(3).narrow(3, 0, out)\n\n");

        for (Geometry g : geometry(c)) {
            String a = "self.l" + g.index;
            int co = c.channels[g.index + 1];
            boolean radial = c.radial && g.index < c.layers - CRITICAL;
            // the linear halves of the filtered leaky ReLU, for any batch (the JVP runs primal and tangents through them together)
            if (dense(g, c, form)) {
                // Between the halves the maps are kept rows-first ([H, N, C, W] in memory), so that each
                // matmul along an axis is one large mm on a contiguous matrix (no broadcast copies)
                int L = filterInput(g, c), lp = upOutput(g, c);
                s.append("def gf_up").append(g.index).append("(self, x: Tensor) -> Tensor:\n");
                s.append("    n = x.size(0)\n");
                if (g.upTaps > 1) {
                    s.append("    a = torch.matmul(x, ").append(a).append("_u.t()).permute(2, 0, 1, 3).reshape(").append(L).append(", -1)\n");
                    s.append("    return ").append(leading(a + "_u", blocked(form) ? upBlocks(g, c) : null)).append(".reshape(").append(lp).append(", n, ").append(co).append(", ").append(lp).append(")\n\n");
                } else {
                    if (g.padLo != 0 || g.padHi != 0) throw new IllegalStateException("layer " + g.index + ": padding without an up filter");
                    s.append("    return x.permute(2, 0, 1, 3)\n\n");
                }
                s.append("def gf_down").append(g.index).append("(self, p: Tensor) -> Tensor:\n");
                if (g.downTaps > 1 && radial) {
                    s.append("    return torch.conv2d(p.permute(1, 2, 0, 3), ").append(a).append("_fd, None, [").append(g.down).append(", ").append(g.down).append("], [0, 0], [1, 1], ").append(co).append(")\n\n");
                } else if (g.downTaps > 1) {
                    s.append("    n = p.size(1)\n");
                    s.append("    a = torch.matmul(p, ").append(a).append("_d.t()).reshape(").append(lp).append(", -1)\n");
                    s.append("    return ").append(leading(a + "_d", blocked(form) ? downBlocks(g, c) : null)).append(".reshape(").append(g.outSize).append(", n, ").append(co).append(", ").append(g.outSize).append(").permute(1, 2, 0, 3).contiguous()\n\n");
                } else {
                    s.append("    return p.permute(1, 2, 0, 3)\n\n");
                }
            } else {
                // Each half runs along the last axis and hands back its result transposed, so the up
                // half ends with the map transposed, the element-wise activation takes it so, and the
                // down half ends in the original orientation (D (U X U^T) D^T, two products a side).
                s.append("def gf_up").append(g.index).append("(self, x: Tensor) -> Tensor:\n");
                if (g.upTaps > 1) {
                    String args = bandArgs(upShape(g, c));
                    s.append("    x = self.gf_band(x, ").append(a).append("_u, ").append(args).append(")\n");
                    s.append("    return self.gf_band(x.transpose(2, 3), ").append(a).append("_u, ").append(args).append(")\n\n");
                } else {
                    if (g.padLo != 0 || g.padHi != 0) throw new IllegalStateException("layer " + g.index + ": padding without an up filter");
                    s.append("    return x\n\n");
                }
                s.append("def gf_down").append(g.index).append("(self, p: Tensor) -> Tensor:\n");
                if (g.downTaps > 1 && radial) {
                    // the map back to its orientation first (a designed radial filter is symmetric, but nothing here relies on it)
                    s.append("    return torch.conv2d(p.transpose(2, 3), ").append(a).append("_fd, None, [").append(g.down).append(", ").append(g.down).append("], [0, 0], [1, 1], ").append(co).append(")\n\n");
                } else if (g.downTaps > 1) {
                    String args = bandArgs(downShape(g, c));
                    s.append("    p = self.gf_band(p, ").append(a).append("_d, ").append(args).append(")\n");
                    s.append("    return self.gf_band(p.transpose(2, 3), ").append(a).append("_d, ").append(args).append(")\n\n");
                } else {
                    if (g.upTaps > 1) throw new IllegalStateException("layer " + g.index + ": up filter without a down filter");
                    s.append("    return p\n\n");
                }
            }
            layerSource(s, c, g, d);
            layerJvpSource(s, c, g, d);
        }
        s.append("def synthesis(self, ws: Tensor) -> Tensor:\n");
        s.append("    x = self.gf_input(ws.select(1, 0))\n");
        for (Geometry g : geometry(c))
            s.append("    x = self.gf_layer").append(g.index).append("(x, ws.select(1, ").append(g.index + 1).append("))\n");
        s.append("    return x * ").append(f(OUTPUT_SCALE)).append("\n\n");

        s.append("def gf_synthesis_jvp(self, wp: Tensor, wpd: Tensor) -> Tensor:\n");
        s.append("    xx = self.gf_input_jvp(wp.select(1, 0), wpd.select(1, 0))\n");
        for (Geometry g : geometry(c))
            s.append("    xx = self.gf_layer").append(g.index).append("_jvp(xx[0], xx[1], wp.select(1, ").append(g.index + 1).append("), wpd.select(1, ").append(g.index + 1).append("))\n");
        s.append("    return xx[1] * ").append(f(OUTPUT_SCALE)).append("\n\n");

        // SeFa: the affine reading each W+ entry (the input layer's 4 transform factors, then each layer's styles)
        s.append("def style_affines(self) -> List[Tensor]:\n");
        s.append("    out: List[Tensor] = [self.in_aw * ").append(f(1.0 / Math.sqrt(d))).append("]\n");
        for (Geometry g : geometry(c)) s.append("    out.append(self.l").append(g.index).append("_sw * ").append(f(1.0 / Math.sqrt(d))).append(")\n");
        s.append("    return out\n\n");
        s.append("def architecture(self) -> str:\n    return \"stylegan3-").append(c.cfg().toLowerCase(Locale.ROOT)).append("\"\n");
        return s.toString();
    }

    /** Layer i's forward: modulated convolution, then the filtered leaky ReLU. */
    private static void layerSource(StringBuilder s, Config c, Geometry g, int d) {
        String a = "self.l" + g.index;
        int ci = c.channels[g.index], k = g.toRgb ? 1 : c.kernel;
        s.append("def gf_layer").append(g.index).append("(self, x: Tensor, w: Tensor) -> Tensor:\n");
        s.append("    s = torch.addmm(").append(a).append("_sb.unsqueeze(0), w, (").append(a).append("_sw * ").append(f(1.0 / Math.sqrt(d))).append(").t())\n");
        s.append("    g = torch.rsqrt(").append(a).append("_ema)\n");
        if (!g.toRgb) {
            s.append("    wt = ").append(a).append("_w * torch.rsqrt(").append(a).append("_w.square().mean([1, 2, 3], keepdim=True))\n");
            s.append("    s = s * torch.rsqrt(s.square().mean(1, keepdim=True))\n");
            s.append("    dm = torch.rsqrt(s.square().mm(wt.square().sum([2, 3]).t()) + 1e-8)\n");
            s.append("    x = torch.conv2d(x * (s * g).unsqueeze(2).unsqueeze(3), wt, None, [1, 1], [").append(k - 1).append(", ").append(k - 1)
                    .append("], [1, 1], 1) * dm.unsqueeze(2).unsqueeze(3)\n");
        } else {
            s.append("    s = s * ").append(f(1.0 / Math.sqrt((double) ci * k * k))).append("\n");
            s.append("    x = torch.conv2d(x * (s * g).unsqueeze(2).unsqueeze(3), ").append(a).append("_w, None, [1, 1], [0, 0], [1, 1], 1)\n");
        }
        s.append("    x = self.gf_up").append(g.index).append("(x + ").append(a).append("_b.reshape(1, -1, 1, 1))\n");
        if (!g.toRgb) s.append("    x = torch.leaky_relu(x, 0.2) * ").append(f(Math.sqrt(2.0))).append("\n");
        s.append("    x = x.clamp(").append(f(-CONV_CLAMP)).append(", ").append(f(CONV_CLAMP)).append(")\n");
        s.append("    return self.gf_down").append(g.index).append("(x)\n\n");
    }

    /**
     * Layer i's forward-mode derivative: primal x [1, ...] once, tangents xd [K, ...]. With the
     * style s, its normalisation sn = s r, r = mean(s^2)^-1/2, the demodulation dm = (sn^2 Wsq +
     * 1e-8)^-1/2 (Wsq = the summed squares of the normalised weight, [Ci, Co]):
     * d sn = ds r - s r^3 mean(s ds); d dm = -dm^3 ((sn d sn) Wsq); y = conv(x a, W') dm with
     * a = sn g gives dy = conv(dx a + x da, W') dm + conv(x a, W') d dm. The filter's linear halves
     * take primal and tangents alike; the activation's slope (1 or 0.2, times sqrt 2) and the
     * clamp's pass mask (|value| <= 256, as PyTorch differentiates clamp) come from the primal, as
     * one multiplier.
     */
    private static void layerJvpSource(StringBuilder s, Config c, Geometry g, int d) {
        String a = "self.l" + g.index;
        int ci = c.channels[g.index], k = g.toRgb ? 1 : c.kernel;
        s.append("def gf_layer").append(g.index).append("_jvp(self, x: Tensor, xd: Tensor, w: Tensor, wd: Tensor) -> Tuple[Tensor, Tensor]:\n");
        s.append("    n = wd.size(0)\n");
        s.append("    sw = (").append(a).append("_sw * ").append(f(1.0 / Math.sqrt(d))).append(").t()\n");
        s.append("    s = torch.addmm(").append(a).append("_sb.unsqueeze(0), w, sw)\n");
        s.append("    sd = torch.mm(wd, sw)\n");
        s.append("    g = torch.rsqrt(").append(a).append("_ema)\n");
        if (!g.toRgb) {
            s.append("    wt = ").append(a).append("_w * torch.rsqrt(").append(a).append("_w.square().mean([1, 2, 3], keepdim=True))\n");
            s.append("    r = torch.rsqrt(s.square().mean(1, keepdim=True))\n");
            s.append("    sn = s * r\n");
            s.append("    snd = sd * r - s * (r * r * r) * (s * sd).mean(1, keepdim=True)\n");
            s.append("    wsq = wt.square().sum([2, 3]).t()\n");
            s.append("    dm = torch.rsqrt(torch.mm(sn.square(), wsq) + 1e-8)\n");
            s.append("    dmd = -(dm * dm * dm) * torch.mm(sn * snd, wsq)\n");
            s.append("    av = (sn * g).reshape(1, -1, 1, 1)\n");
            s.append("    y = torch.conv2d(x * av, wt, None, [1, 1], [").append(k - 1).append(", ").append(k - 1).append("], [1, 1], 1)\n");
            s.append("    yd = torch.conv2d(xd * av + x * (snd * g).reshape(n, -1, 1, 1), wt, None, [1, 1], [").append(k - 1).append(", ").append(k - 1).append("], [1, 1], 1)\n");
            s.append("    yd = yd * dm.reshape(1, -1, 1, 1) + y * dmd.reshape(n, -1, 1, 1)\n");
            s.append("    y = y * dm.reshape(1, -1, 1, 1)\n");
        } else {
            double gain = 1.0 / Math.sqrt((double) ci * k * k);
            s.append("    av = (s * g * ").append(f(gain)).append(").reshape(1, -1, 1, 1)\n");
            s.append("    y = torch.conv2d(x * av, ").append(a).append("_w, None, [1, 1], [0, 0], [1, 1], 1)\n");
            s.append("    yd = torch.conv2d(xd * av + x * (sd * g * ").append(f(gain)).append(").reshape(n, -1, 1, 1), ").append(a).append("_w, None, [1, 1], [0, 0], [1, 1], 1)\n");
        }
        s.append("    p = self.gf_up").append(g.index).append("(y + ").append(a).append("_b.reshape(1, -1, 1, 1))\n");
        s.append("    pd = self.gf_up").append(g.index).append("(yd)\n");
        // one multiplier from the primal (the activation's slope times the clamp's pass mask), one product on the tangents
        if (!g.toRgb) {
            s.append("    q = torch.leaky_relu(p, 0.2) * ").append(f(Math.sqrt(2.0))).append("\n");
            // in the tensor's dtype: torch.where with Python constants would make them float32 (0.2 sqrt 2 is not a float32)
            s.append("    slope = (p > 0).to(p.dtype) * ").append(f(0.8 * Math.sqrt(2.0))).append(" + ").append(f(0.2 * Math.sqrt(2.0))).append("\n");
            s.append("    pd = pd * (slope * ((q >= ").append(f(-CONV_CLAMP)).append(") & (q <= ").append(f(CONV_CLAMP)).append(")).to(p.dtype))\n");
            s.append("    p = q.clamp(").append(f(-CONV_CLAMP)).append(", ").append(f(CONV_CLAMP)).append(")\n");
        } else {
            s.append("    pd = pd * ((p >= ").append(f(-CONV_CLAMP)).append(") & (p <= ").append(f(CONV_CLAMP)).append(")).to(p.dtype)\n");
            s.append("    p = p.clamp(").append(f(-CONV_CLAMP)).append(", ").append(f(CONV_CLAMP)).append(")\n");
        }
        s.append("    return self.gf_down").append(g.index).append("(p), self.gf_down").append(g.index).append("(pd)\n\n");
    }

    /**
     * The input layer's forward-mode derivative (primal w [1, d], tangents wd [K, d]): through the
     * transform factors' normalisation t / |t_0..1|, the rotation-translation matrix, the
     * frequencies and phases, sin (derivative 2 pi cos), the amplitude (its clamp passing where
     * 0 <= value <= 1) and the final C x C matrix.
     */
    private static void inputJvpSource(StringBuilder s, Config c, int d) {
        InputGeometry in = input(c);
        int C0 = c.channels[0];
        double twoPi = 2 * Math.PI, den = in.rate / 2.0 - in.cutoff;
        s.append("def gf_input_jvp(self, w: Tensor, wd: Tensor) -> Tuple[Tensor, Tensor]:\n");
        s.append("    n = wd.size(0)\n");
        s.append("    aw = (self.in_aw * ").append(f(1.0 / Math.sqrt(d))).append(").t()\n");
        s.append("    t = torch.addmm(self.in_ab.unsqueeze(0), w, aw)\n");
        s.append("    td = torch.mm(wd, aw)\n");
        s.append("    nr = t.narrow(1, 0, 2).square().sum(1, keepdim=True).sqrt()\n");
        s.append("    nrd = (t.narrow(1, 0, 2) * td.narrow(1, 0, 2)).sum(1, keepdim=True) / nr\n");
        s.append("    tn = t / nr\n");
        s.append("    tnd = td / nr - t * nrd / (nr * nr)\n");
        s.append("    co = tn.select(1, 0)\n    si = tn.select(1, 1)\n    tx = tn.select(1, 2)\n    ty = tn.select(1, 3)\n");
        s.append("    cod = tnd.select(1, 0)\n    sid = tnd.select(1, 1)\n    txd = tnd.select(1, 2)\n    tyd = tnd.select(1, 3)\n");
        s.append("    zero = torch.zeros_like(co)\n    one = torch.ones_like(co)\n    zd = torch.zeros_like(cod)\n");
        s.append("    rt = torch.stack([torch.stack([co, -si, -co * tx + si * ty], 1), torch.stack([si, co, -si * tx - co * ty], 1), torch.stack([zero, zero, one], 1)], 1)\n");
        s.append("    rtd = torch.stack([torch.stack([cod, -sid, -(cod * tx + co * txd) + (sid * ty + si * tyd)], 1), torch.stack([sid, cod, -(sid * tx + si * txd) - (cod * ty + co * tyd)], 1), torch.stack([zd, zd, zd], 1)], 1)\n");
        s.append("    u = self.in_transform.to(rt.dtype)\n");
        s.append("    m = rt.matmul(u)\n    md = rtd.matmul(u)\n");
        s.append("    fq = self.in_freq.unsqueeze(0)\n");
        s.append("    fr = fq.matmul(m.narrow(1, 0, 2).narrow(2, 0, 2))\n");
        s.append("    frd = fq.matmul(md.narrow(1, 0, 2).narrow(2, 0, 2))\n");
        s.append("    ph = fq.matmul(m.narrow(1, 0, 2).narrow(2, 2, 1)).squeeze(2) + self.in_phase.unsqueeze(0)\n");
        s.append("    phd = fq.matmul(md.narrow(1, 0, 2).narrow(2, 2, 1)).squeeze(2)\n");
        s.append("    arg = (self.in_grid.matmul(fr.transpose(1, 2)) + ph.unsqueeze(1)) * ").append(f(twoPi)).append("\n");
        s.append("    argd = (self.in_grid.matmul(frd.transpose(1, 2)) + phd.unsqueeze(1)) * ").append(f(twoPi)).append("\n");
        s.append("    sn = torch.sin(arg)\n");
        s.append("    snd = torch.cos(arg) * argd\n");
        s.append("    fn = fr.square().sum(2).sqrt()\n");
        s.append("    fnd = (fr * frd).sum(2) / fn\n");
        s.append("    raw = 1 - (fn - ").append(f(in.cutoff)).append(") / ").append(f(den)).append("\n");
        s.append("    amp = raw.clamp(0, 1)\n");
        s.append("    ampd = fnd * ").append(f(-1.0 / den)).append(" * ((raw >= 0) & (raw <= 1)).to(raw.dtype)\n");
        s.append("    y = sn * amp.unsqueeze(1)\n");
        s.append("    yd = snd * amp.unsqueeze(1) + sn * ampd.unsqueeze(1)\n");
        s.append("    wi = (self.in_w * ").append(f(1.0 / Math.sqrt(C0))).append(").t()\n");
        s.append("    x = y.matmul(wi).reshape(1, ").append(in.size).append(", ").append(in.size).append(", ").append(C0).append(").permute(0, 3, 1, 2).contiguous()\n");
        s.append("    xd = yd.matmul(wi).reshape(n, ").append(in.size).append(", ").append(in.size).append(", ").append(C0).append(").permute(0, 3, 1, 2).contiguous()\n");
        s.append("    return x, xd\n\n");
    }
}
