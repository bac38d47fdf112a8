package ganfactor.generator;

import ganfactor.InputException;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.IntType;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.Type;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The StyleGAN2 generator (Karras et al. 2020, config F: "skip" generator, modulated and
 * demodulated 3x3 convolutions, FIR [1,3,3,1] resampling), built from Java as a TorchScript
 * module that satisfies the {@link Generator} contract.
 *
 * <p>Math, written from the paper and the two public code bases' documented behaviour:
 * <ul>
 *   <li>Mapping: z / sqrt(mean(z^2) + 1e-8), then {@code mappingLayers} fully connected layers
 *       y = lrelu(x (c W)^T + lr b) * sqrt(2) with the equalised-learning-rate gain
 *       c = lr / sqrt(fan_in), lr = {@code mappingLrMul} (0.01), leaky slope 0.2.</li>
 *   <li>Style affine of a layer with I input channels: s = w (W_a / sqrt(w_dim))^T + b_a.</li>
 *   <li>Modulated convolution (weight W [O, I, k, k]): y = conv(x * s, W) * d with the
 *       demodulation d_o = (sum_i s_i^2 sum_k W_oik^2 + 1e-8)^-1/2, which equals a
 *       convolution with W'_oik = s_i W_oik / ||s W_o.||. This is the un-fused form: one shared
 *       weight for the whole batch, so a batch of Jacobian tangents is one large convolution.</li>
 *   <li>Up-sampling convolution: a stride-2 transposed convolution with W (stored as in both
 *       PyTorch code bases, which keep TF's weight flipped), then the 4x4 FIR filter
 *       k = [1,3,3,1] (x) [1,3,3,1] / 64 * 4 with one pixel of zero padding each side
 *       (2H + 1 -> 2H).</li>
 *   <li>Noise: a constant per-layer noise image times a learned strength, then
 *       lrelu(x + b) * sqrt(2), optionally clamped to +-convClamp (stylegan2-ada models).</li>
 *   <li>ToRGB: 1x1 modulated convolution without demodulation, styles times 1/sqrt(I), plus
 *       bias; the RGB skip image is up-sampled by upfirdn2d(up = 2, k, pad = (2, 1)), which is
 *       a stride-2 transposed convolution with k cropped by one pixel
 *       ({@code conv_transpose2d(img, k, stride=2, padding=1)}).</li>
 *   <li>W+ layers: L = 2 log2(resolution) - 2 (18 at 1024 px); block 4 uses w_0 (conv) and
 *       w_1 (ToRGB); block j >= 1 uses w_{2j-1}, w_{2j} (convs) and w_{2j+1} (ToRGB).</li>
 * </ul>
 *
 * <p>Parameter names are those of NVlabs/stylegan2-ada-pytorch's {@code G.state_dict()}
 * ({@code mapping.fc0.weight}, {@code synthesis.b8.conv0.affine.weight}, ...);
 * {@link StyleGan2Weights} maps rosinality/stylegan2-pytorch names onto them. Inside the
 * TorchScript module a name's dots become underscores.
 */
public final class StyleGan2 {
    public static final double SQRT2 = Math.sqrt(2.0);
    /** The largest resolution built (the published models stop at 1024 px). */
    public static final int MAX_RESOLUTION = 4096;

    private StyleGan2() {}

    /**
     * Architecture hyper-parameters. Channels at resolution r are min(channelBase / r, channelMax)
     * (NVlabs' convention; rosinality's channel multiplier m is channelBase = 16384 m).
     */
    public record Config(int resolution, int zDim, int wDim, int mappingLayers, double mappingLrMul,
                         int channelBase, int channelMax, double convClamp, int imageChannels) {
        public Config {
            if (resolution < 8 || resolution > MAX_RESOLUTION || Integer.bitCount(resolution) != 1)
                throw new InputException("StyleGAN2 resolution must be a power of two from 8 to " + MAX_RESOLUTION + " px, got " + resolution);
            if (zDim <= 0 || wDim <= 0 || mappingLayers <= 0 || channelBase <= 0 || channelMax <= 0 || imageChannels <= 0)
                throw new InputException("StyleGAN2 configuration values must be positive: " + this);
            if (zDim != wDim)
                throw new InputException("ganfactor's generator contract needs z_dim == w_dim, got " + zDim + " and " + wDim);
            if (channels(resolution, channelBase, channelMax) < 1)
                throw new InputException("StyleGAN2 resolution " + resolution + " px is beyond what channel_base " + channelBase
                        + " allows (channels = channel_base / resolution; at most " + Integer.highestOneBit(channelBase) + " px): lower the resolution or raise channel_base");
        }

        /** The published config F: channel base 32768, at most 512 channels, 8 mapping layers, z = w = 512. */
        public static Config configF(int resolution) {
            return new Config(resolution, 512, 512, 8, 0.01, 32768, 512, Double.NaN, 3);
        }

        public int channels(int res) { return channels(res, channelBase, channelMax); }

        private static int channels(int res, int base, int max) { return Math.min(base / res, max); }

        /** W+ layer count L = 2 log2(resolution) - 2. */
        public int numWs() { return 2 * log2(resolution) - 2; }

        public int log2Res() { return log2(resolution); }

        public boolean clamped() { return !Double.isNaN(convClamp); }

        public Config withConvClamp(double c) {
            return new Config(resolution, zDim, wDim, mappingLayers, mappingLrMul, channelBase, channelMax, c, imageChannels);
        }

        /** Key/value description (the JSON records and the metadata of exported safetensors files). */
        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("architecture", "stylegan2");
            m.put("resolution", resolution);
            m.put("z_dim", zDim);
            m.put("w_dim", wDim);
            m.put("mapping_layers", mappingLayers);
            m.put("mapping_lr_mul", mappingLrMul);
            m.put("channel_base", channelBase);
            m.put("channel_max", channelMax);
            m.put("conv_clamp", clamped() ? convClamp : null);
            m.put("num_ws", numWs());
            return m;
        }

        /**
         * Parses {@code RES[:key=value]...} as used in {@code --model stylegan2:1024:cbase=16384}.
         * Keys: cbase, cmax, zdim (sets z and w), map, lrmul, clamp, multiplier (rosinality's
         * channel multiplier: cbase = 16384 m).
         */
        public static Config parse(String spec) {
            RandomSpec r = RandomSpec.parse("stylegan2", spec, KEYS, "cbase, cmax, zdim, map, lrmul, clamp, multiplier, seed");
            int res = r.resolution();
            Config c = configF(res);
            int base = c.channelBase, max = c.channelMax, dim = c.zDim, map = c.mappingLayers;
            double lr = c.mappingLrMul, clamp = Double.NaN;
            for (Map.Entry<String, String> o : r.options()) {
                switch (o.getKey()) {
                    case "cbase" -> base = r.integer(o);
                    case "cmax" -> max = r.integer(o);
                    case "zdim", "wdim", "dim" -> dim = r.integer(o);
                    case "map" -> map = r.integer(o);
                    case "lrmul" -> lr = r.number(o);
                    case "clamp" -> clamp = r.number(o);
                    case "multiplier" -> base = 16384 * r.integer(o);
                    default -> throw new IllegalStateException(o.getKey());
                }
            }
            if (base < 1 || max < 1) throw new InputException("stylegan2: cbase, cmax and multiplier must be positive, got cbase " + base + ", cmax " + max);
            if (base / res < 1) throw new InputException("stylegan2: cbase " + base + " leaves no channels at " + res + " px (channels there = cbase / resolution); give cbase >= " + res);
            if (dim < 1 || dim > 65536) throw new InputException("stylegan2: zdim must be between 1 and 65536, got " + dim);
            if (map < 1 || map > 64) throw new InputException("stylegan2: map (mapping layers) must be between 1 and 64, got " + map);
            if (!(lr > 0) || !Double.isFinite(lr)) throw new InputException("stylegan2: lrmul must be a positive number, got " + lr);
            if (!Double.isNaN(clamp) && !(clamp > 0 && Double.isFinite(clamp))) throw new InputException("stylegan2: clamp must be a positive number, got " + clamp);
            return new Config(res, dim, dim, map, lr, base, max, clamp, 3);
        }

        private static final java.util.Set<String> KEYS = java.util.Set.of("cbase", "cmax", "zdim", "wdim", "dim", "map", "lrmul", "clamp", "multiplier");

        /** The {@code seed=N} option of a spec, or the default. */
        public static long seed(String spec, long dflt) {
            return RandomSpec.parse("stylegan2", spec, KEYS, "").seed(dflt);
        }
    }

    static int log2(int n) { return 31 - Integer.numberOfLeadingZeros(n); }

    /** One modulated layer: its parameter prefix, channels, resolution, W+ index and kind. */
    public record Layer(String prefix, int in, int out, int res, int ws, boolean up, boolean toRgb) {
        public int kernel() { return toRgb ? 1 : 3; }
    }

    /** The modulated layers in execution order (convs and ToRGBs). */
    public static List<Layer> layers(Config c) {
        List<Layer> out = new ArrayList<>();
        int c4 = c.channels(4);
        out.add(new Layer("synthesis.b4.conv1", c4, c4, 4, 0, false, false));
        out.add(new Layer("synthesis.b4.torgb", c4, c.imageChannels, 4, 1, false, true));
        int j = 1;
        for (int res = 8; res <= c.resolution; res *= 2, j++) {
            int in = c.channels(res / 2), ch = c.channels(res);
            String b = "synthesis.b" + res;
            out.add(new Layer(b + ".conv0", in, ch, res, 2 * j - 1, true, false));
            out.add(new Layer(b + ".conv1", ch, ch, res, 2 * j, false, false));
            out.add(new Layer(b + ".torgb", ch, c.imageChannels, res, 2 * j + 1, false, true));
        }
        return out;
    }

    /**
     * Every learned parameter with its shape, in NVlabs names and order (mapping, then synthesis).
     * Their element count is the model's parameter count (30,370,060 for config F at 1024 px).
     */
    public static LinkedHashMap<String, long[]> parameterShapes(Config c) {
        LinkedHashMap<String, long[]> p = new LinkedHashMap<>();
        for (int i = 0; i < c.mappingLayers; i++) {
            p.put("mapping.fc" + i + ".weight", new long[]{c.wDim, i == 0 ? c.zDim : c.wDim});
            p.put("mapping.fc" + i + ".bias", new long[]{c.wDim});
        }
        p.put("synthesis.b4.const", new long[]{c.channels(4), 4, 4});
        for (Layer l : layers(c)) {
            p.put(l.prefix + ".affine.weight", new long[]{l.in, c.wDim});
            p.put(l.prefix + ".affine.bias", new long[]{l.in});
            p.put(l.prefix + ".weight", new long[]{l.out, l.in, l.kernel(), l.kernel()});
            p.put(l.prefix + ".bias", new long[]{l.out});
            if (!l.toRgb) p.put(l.prefix + ".noise_strength", new long[]{});
        }
        return p;
    }

    /** Buffers (not learned): the average w and each conv layer's constant noise image. */
    public static LinkedHashMap<String, long[]> bufferShapes(Config c) {
        LinkedHashMap<String, long[]> p = new LinkedHashMap<>();
        p.put("mapping.w_avg", new long[]{c.wDim});
        for (Layer l : layers(c)) if (!l.toRgb) p.put(l.prefix + ".noise_const", new long[]{l.res, l.res});
        return p;
    }

    public static long parameterCount(Config c) {
        long n = 0;
        for (long[] s : parameterShapes(c).values()) n += numel(s);
        return n;
    }

    static long numel(long[] s) {
        long n = 1;
        for (long x : s) n *= x;
        return n;
    }

    /**
     * Multiply-accumulates of one forward pass of the synthesis network per image (convolutions,
     * ToRGB, FIR filters and affines; element-wise work excluded). A stride-2 transposed
     * convolution costs H_in W_in I O k^2. A forward-mode JVP of one tangent column carries the
     * primal and the tangent through every one of these linear maps, so it costs about twice this
     * (see {@link #jvpFlops}).
     */
    public static long synthesisMacs(Config c) {
        long macs = 0;
        for (Layer l : layers(c)) {
            long hw = (long) l.res * l.res;
            macs += (long) c.wDim * l.in;                                  // affine
            if (l.up) {
                long inHw = hw / 4;
                macs += inHw * l.in * l.out * 9;                          // transposed 3x3, stride 2
                macs += hw * l.out * 16;                                  // 4x4 FIR blur
            } else {
                macs += hw * l.in * l.out * (long) l.kernel() * l.kernel();
            }
            if (l.toRgb && l.res > 4) macs += hw * l.out * 4;            // skip up-sampling (4 taps per output)
        }
        return macs;
    }

    /**
     * Elements of the widest activation of one sample (an up-sampling layer's 2H+1 transposed
     * output or a layer's output, whichever is largest), the generator's hint for the Jacobian
     * engine's chunk size ({@code activation_elements} in the module).
     */
    public static long activationElements(Config c) {
        long max = 0;
        for (Layer l : layers(c)) {
            long t = (long) l.out * l.res * l.res;
            if (l.up) t = Math.max(t, (long) l.out * (l.res + 1) * (l.res + 1));
            max = Math.max(max, t);
        }
        return max;
    }

    public static long mappingMacs(Config c) {
        return (long) c.zDim * c.wDim + (long) (c.mappingLayers - 1) * c.wDim * c.wDim;
    }

    /** FLOPs (2 per MAC) of one forward-mode JVP column through mapping + synthesis: primal plus tangent. */
    public static long jvpFlops(Config c, boolean withMapping) {
        long macs = synthesisMacs(c) + (withMapping ? mappingMacs(c) : 0);
        return 2 * 2 * macs;
    }

    // ---- building ---------------------------------------------------------------------------

    /**
     * A module with weights initialised as both code bases initialise a new generator (weights
     * N(0, 1) / lr_mul for the mapping, N(0, 1) elsewhere; affine biases 1, other biases 0, noise
     * strengths 0, noise images N(0, 1)), all drawn from {@code seed}; w_avg is the mean of
     * mapping(z) over 10,000 seeded z. float32.
     */
    public static JitModule random(Config c, long seed) {
        JitModule m = module();
        // The random tensors are released when this scope closes; the module keeps its own references.
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> w = new LinkedHashMap<>();
            torch.manual_seed(seed);
            for (Map.Entry<String, long[]> e : parameterShapes(c).entrySet()) {
                String n = e.getKey();
                long[] s = e.getValue();
                Tensor t;
                if (n.endsWith("affine.bias")) t = torch.ones(s);
                else if (n.endsWith(".bias") || n.endsWith("noise_strength")) t = torch.zeros(s);
                else if (n.startsWith("mapping.")) t = torch.randn(s).div_(new org.bytedeco.pytorch.Scalar(c.mappingLrMul));
                else t = torch.randn(s);
                w.put(n, t);
            }
            for (Map.Entry<String, long[]> e : bufferShapes(c).entrySet())
                if (!e.getKey().equals("mapping.w_avg")) w.put(e.getKey(), torch.randn(e.getValue()));
            fill(m, c, w, seed, false);
        }
        return m;
    }

    /**
     * An empty module for {@link #fill}. Create it before opening the {@code PointerScope} that
     * holds the weights, so that the scope does not free the module with them.
     */
    public static JitModule module() {
        return new JitModule(new QualifiedName("ganfactor.StyleGAN2"));
    }

    /**
     * Builds the module from weights in NVlabs names. Every parameter of {@link #parameterShapes}
     * must be present with its exact shape; noise images default to zeros when absent (they only
     * matter through their strength), w_avg to the mean of 10,000 mapped z when absent. Extra
     * names, missing names and wrong shapes are reported together, by name.
     */
    public static JitModule build(Config c, Map<String, Tensor> weights, long wAvgSeed) {
        JitModule m = module();
        fill(m, c, weights, wAvgSeed, true);
        return m;
    }

    /**
     * {@link #build} into a module from {@link #module()}. {@code copy}: the module gets its own
     * copies of the weights (false only when the caller hands over tensors it will not touch
     * again). The temporaries live in this call's own PointerScope.
     */
    public static void fill(JitModule m, Config c, Map<String, Tensor> weights, long wAvgSeed, boolean copy) {
        LinkedHashMap<String, long[]> params = parameterShapes(c);
        LinkedHashMap<String, long[]> buffers = bufferShapes(c);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> e : params.entrySet()) {
            Tensor t = weights.get(e.getKey());
            if (t == null) problems.add("missing " + e.getKey() + " " + Arrays.toString(e.getValue()));
            else if (!shapeMatches(t, e.getValue()))
                problems.add(e.getKey() + " has shape " + Arrays.toString(t.sizes().vec().get()) + ", expected " + Arrays.toString(e.getValue()));
        }
        for (Map.Entry<String, long[]> e : buffers.entrySet()) {
            Tensor t = weights.get(e.getKey());
            if (t != null && !shapeMatches(t, e.getValue()))
                problems.add(e.getKey() + " has shape " + Arrays.toString(t.sizes().vec().get()) + ", expected " + Arrays.toString(e.getValue()));
        }
        for (String k : new TreeMap<>(weights).keySet())
            if (!params.containsKey(k) && !buffers.containsKey(k)) problems.add("unexpected " + k);
        if (!problems.isEmpty())
            throw new WeightMismatchException(problems);

        try (PointerScope scope = new PointerScope()) {
            for (Map.Entry<String, long[]> e : params.entrySet())
                m.register_parameter(attr(e.getKey()), own(weights.get(e.getKey()), e.getValue(), copy), false);
            for (Map.Entry<String, long[]> e : buffers.entrySet()) {
                if (e.getKey().equals("mapping.w_avg")) continue;
                Tensor t = weights.get(e.getKey());
                m.register_buffer(attr(e.getKey()), t == null ? torch.zeros(e.getValue()) : own(t, e.getValue(), copy));
            }
            double[] fir = {1, 3, 3, 1};
            float[] k = new float[16];
            for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) k[i * 4 + j] = (float) (fir[i] * fir[j] / 64.0 * 4.0);
            m.register_buffer("fir_up", ganfactor.torch.Torch.of(k, 1, 1, 4, 4));
            Type.TypePtr intType = new Type.TypePtr(IntType.getIntTypePtr().get());
            m.register_attribute("num_layers", intType, new IValue((long) c.numWs()));
            m.register_attribute("latent_dim", intType, new IValue((long) c.wDim));
            m.register_attribute("resolution", intType, new IValue((long) c.resolution));
            m.register_attribute("activation_elements", intType, new IValue(activationElements(c)));
            m.register_buffer("w_avg", torch.zeros(new long[]{c.wDim}));
            m.define(source(c));
            Tensor avg = weights.get("mapping.w_avg");
            if (avg != null) {
                m.register_buffer("w_avg", own(avg, new long[]{c.wDim}, copy));
            } else {
                try (NoGradGuard ng = new NoGradGuard()) {
                    torch.manual_seed(wAvgSeed ^ 0x5eedL);
                    Tensor z = torch.randn(new long[]{10_000, c.zDim});
                    Tensor w = ganfactor.torch.Torch.own(m.get_method("mapping").apply(new IValueVector(new IValue(z))));
                    m.register_buffer("w_avg", w.mean(new long[]{0}, false, new org.bytedeco.pytorch.ScalarTypeOptional()).contiguous());
                }
            }
        }
    }

    /** A float32 contiguous tensor of the given shape holding t's values; a copy when {@code copy}. */
    private static Tensor own(Tensor t, long[] shape, boolean copy) {
        Tensor r = t.to(ScalarType.Float).reshape(shape).contiguous();
        return copy ? r.clone() : r;
    }

    /**
     * The weights of a built module in NVlabs names (parameters, noise images and w_avg), each an
     * owning handle sharing the module's storage: what {@link #build} needs to rebuild it.
     */
    public static Map<String, Tensor> weights(JitModule m, Config c) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String k : parameterShapes(c).keySet()) out.put(k, ganfactor.torch.Torch.own(m.attr(attr(k))));
        for (String k : bufferShapes(c).keySet())
            out.put(k, ganfactor.torch.Torch.own(m.attr(k.equals("mapping.w_avg") ? "w_avg" : attr(k))));
        return out;
    }

    /** The learned parameters the module itself holds (named_parameters), counted element by element. */
    public static long moduleParameterCount(JitModule m) {
        long n = 0;
        org.bytedeco.pytorch.named_parameter_list l = m.named_parameters(true);
        for (org.bytedeco.pytorch.named_parameter_iterator it = l.begin(); it.notEquals(l.end()); it = it.increment())
            n += it.access().value().numel();
        return n;
    }

    /**
     * {@code gf_synthesis_jvp(wp [1, L, d], wpdot [k, L, d]) -> [k, C, H, W]}: the image tangents of
     * k W+ directions at one code, propagated by hand through every layer. The primal runs once at
     * batch 1 and only the tangents run at batch k, so a Jacobian column costs about one forward
     * pass instead of the two of batched dual numbers (which carry a replicated primal). Per
     * modulated layer, with s = A w + b, y = conv(x s, W), demodulation q_o = sum_i s_i^2 |W_oi|^2:
     * ds = A dw, d(x s) = dx s + x ds, dy = conv(d(x s), W), d(q^-1/2) = -q^-3/2 sum_i s_i ds_i |W_oi|^2,
     * then the leaky ReLU's and the clamp's derivative masks (as PyTorch defines them at the kinks).
     * The Generator uses it for forward-mode Jacobians; the tests check it against dual numbers.
     */
    /**
     * The synthesis runs in channels-last layout (memory_format 2): oneDNN's convolutions and
     * especially the depthwise FIR blur are faster on it (JMH, benchmarks/RESULTS.md: one 1024 px
     * JVP pass of 4 columns 15.3 - 18.4 s against 18.9 - 20.1 s, alternated runs). {@code -Dganfactor.channelsLast=false} builds the
     * contiguous variant (for that comparison). The layout changes no value beyond rounding.
     */
    private static String layout() {
        return "false".equals(System.getProperty("ganfactor.channelsLast")) ? "" : ".contiguous(memory_format=2)";
    }

    static String jvpSource(Config c) {
        StringBuilder s = new StringBuilder();
        double ag = 1.0 / Math.sqrt(c.wDim);
        s.append("def gf_synthesis_jvp(self, wp: Tensor, wpd: Tensor) -> Tensor:\n");
        s.append("    k = wpd.size(0)\n");
        s.append("    x = self.synthesis_b4_const.unsqueeze(0)").append(layout()).append("\n");
        s.append("    xd = torch.zeros([1], dtype=wp.dtype, device=wp.device)\n");
        s.append("    img = xd\n");
        s.append("    imgd = xd\n");
        boolean first = true;
        for (Layer l : layers(c)) {
            String p = "self." + attr(l.prefix);
            s.append("    w = wp.select(1, ").append(l.ws).append(")\n");
            s.append("    wd = wpd.select(1, ").append(l.ws).append(")\n");
            String gain = l.toRgb ? " * " + f(1.0 / Math.sqrt(l.in)) : "";
            s.append("    st = torch.addmm(").append(p).append("_affine_bias, w, ").append(p).append("_affine_weight.t(), beta=1.0, alpha=").append(f(ag)).append(")").append(gain).append("\n");
            s.append("    sd = torch.mm(wd, ").append(p).append("_affine_weight.t()) * ").append(f(ag)).append(gain).append("\n");
            s.append("    xs = x * st.reshape(1, -1, 1, 1)\n");
            s.append("    xsd = x * sd.reshape(k, -1, 1, 1)").append(first ? "" : " + xd * st.reshape(1, -1, 1, 1)").append("\n");
            String up = l.up ? "True" : "False";
            s.append("    y = self.gf_conv(xs, ").append(p).append("_weight, ").append(up).append(")\n");
            s.append("    yd = self.gf_conv(xsd, ").append(p).append("_weight, ").append(up).append(")\n");
            if (l.toRgb) {
                s.append("    y = y + ").append(p).append("_bias.reshape(1, -1, 1, 1)\n");
                if (c.clamped()) {
                    s.append("    yd = yd * ((y >= ").append(f(-c.convClamp)).append(") & (y <= ").append(f(c.convClamp)).append(")).to(y.dtype)\n");
                    s.append("    y = y.clamp(").append(f(-c.convClamp)).append(", ").append(f(c.convClamp)).append(")\n");
                }
                if (l.res == 4) {
                    s.append("    img = y\n    imgd = yd\n");
                } else {
                    s.append("    img = self.gf_upsample(img) + y\n");
                    s.append("    imgd = self.gf_upsample(imgd) + yd\n");
                }
            } else {
                s.append("    wsq = ").append(p).append("_weight.square().sum([2, 3]).t()\n");
                s.append("    dm = torch.rsqrt(torch.mm(st.square(), wsq) + 1e-8)\n");
                s.append("    dmd = -(dm * dm * dm) * torch.mm(sd * st, wsq)\n");
                s.append("    yd = yd * dm.reshape(1, -1, 1, 1) + y * dmd.reshape(k, -1, 1, 1)\n");
                s.append("    pre = y * dm.reshape(1, -1, 1, 1) + ").append(p).append("_noise_const * ").append(p).append("_noise_strength + ")
                        .append(p).append("_bias.reshape(1, -1, 1, 1)\n");
                s.append("    x = torch.leaky_relu(pre, 0.2) * ").append(f(SQRT2)).append("\n");
                // the slope as (pre > 0) * 0.8 + 0.2 in the tensor's dtype (torch.where with Python constants makes them float32, and 0.2 is not a float32)
                s.append("    xd = yd * ((pre > 0).to(pre.dtype) * 0.8 + 0.2) * ").append(f(SQRT2)).append("\n");
                if (c.clamped()) {
                    s.append("    xd = xd * ((x >= ").append(f(-c.convClamp)).append(") & (x <= ").append(f(c.convClamp)).append(")).to(x.dtype)\n");
                    s.append("    x = x.clamp(").append(f(-c.convClamp)).append(", ").append(f(c.convClamp)).append(")\n");
                }
                first = false;
            }
        }
        s.append("    return imgd\n\n");
        return s.toString();
    }

    /** Thrown when weights do not fit the architecture; lists every offending name. */
    public static final class WeightMismatchException extends InputException {
        private final List<String> problems;

        WeightMismatchException(List<String> problems) {
            super(problems.size() + " weight problem(s): " + String.join("; ", problems.subList(0, Math.min(8, problems.size())))
                    + (problems.size() > 8 ? "; ... (" + (problems.size() - 8) + " more)" : ""));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() { return problems; }
    }

    private static boolean shapeMatches(Tensor t, long[] shape) {
        long[] s = t.sizes().vec().get();
        if (Arrays.equals(s, shape)) return true;
        // Scalars saved as [1] (rosinality's noise weights) are accepted for [] parameters.
        return shape.length == 0 && s.length == 1 && s[0] == 1;
    }

    /** The TorchScript attribute name of a parameter name. */
    public static String attr(String name) {
        return name.replace('.', '_');
    }

    private static String f(double v) {
        return Double.toString(v);
    }

    static String source(Config c) {
        StringBuilder s = new StringBuilder();
        double wg = c.mappingLrMul / Math.sqrt(c.zDim);
        s.append("def mapping(self, z: Tensor) -> Tensor:\n");
        s.append("    x = z * torch.rsqrt(z.square().mean(1, keepdim=True) + 1e-8)\n");
        for (int i = 0; i < c.mappingLayers; i++) {
            double g = c.mappingLrMul / Math.sqrt(i == 0 ? c.zDim : c.wDim);
            String p = "self." + attr("mapping.fc" + i);
            s.append("    x = torch.leaky_relu(torch.addmm(").append(p).append("_bias, x, ").append(p).append("_weight.t(), beta=")
                    .append(f(c.mappingLrMul)).append(", alpha=").append(f(g)).append("), 0.2) * ").append(f(SQRT2)).append("\n");
        }
        s.append("    return x\n\n");

        // Building blocks, also exposed for the known-answer tests.
        s.append("""
            def gf_conv(self, x: Tensor, weight: Tensor, up: bool) -> Tensor:
                if up:
                    x = torch.conv_transpose2d(x, weight.transpose(0, 1), None, [2, 2], [0, 0], [0, 0], 1, [1, 1])
                    return self.gf_blur(x)
                p = weight.size(3) // 2
                return torch.conv2d(x, weight, None, [1, 1], [p, p], [1, 1], 1)

            def gf_modconv(self, x: Tensor, weight: Tensor, styles: Tensor, demodulate: bool, up: bool) -> Tensor:
                b = x.size(0)
                x = self.gf_conv(x * styles.reshape(b, -1, 1, 1), weight, up)
                if demodulate:
                    d = torch.rsqrt(torch.mm(styles.square(), weight.square().sum([2, 3]).t()) + 1e-8)
                    x = x * d.reshape(b, -1, 1, 1)
                return x

            def gf_blur(self, x: Tensor) -> Tensor:
                c = x.size(1)
                f = self.fir_up.expand(c, 1, 4, 4).contiguous()
                return torch.conv2d(x, f, None, [1, 1], [1, 1], [1, 1], c)

            def gf_upsample(self, x: Tensor) -> Tensor:
                c = x.size(1)
                f = self.fir_up.expand(c, 1, 4, 4).contiguous()
                return torch.conv_transpose2d(x, f, None, [2, 2], [1, 1], [0, 0], c, [1, 1])

            """);
        double ag = 1.0 / Math.sqrt(c.wDim);
        String clampAct = c.clamped() ? ".clamp(" + f(-c.convClamp) + ", " + f(c.convClamp) + ")" : "";
        s.append("def synthesis(self, ws: Tensor) -> Tensor:\n");
        s.append("    b = ws.size(0)\n");
        s.append("    x = self.synthesis_b4_const.unsqueeze(0).expand(b, -1, -1, -1)").append(layout()).append("\n");
        s.append("    img = torch.zeros([1], dtype=ws.dtype, device=ws.device)\n");
        for (Layer l : layers(c)) {
            String p = "self." + attr(l.prefix);
            String st = "torch.addmm(" + p + "_affine_bias, ws.select(1, " + l.ws + "), " + p + "_affine_weight.t(), beta=1.0, alpha=" + f(ag) + ")";
            if (l.toRgb) {
                s.append("    y = self.gf_modconv(x, ").append(p).append("_weight, ").append(st).append(" * ").append(f(1.0 / Math.sqrt(l.in)))
                        .append(", False, False)\n");
                s.append("    y = (y + ").append(p).append("_bias.reshape(1, -1, 1, 1))").append(clampAct).append("\n");
                s.append(l.res == 4 ? "    img = y\n" : "    img = self.gf_upsample(img) + y\n");
            } else {
                s.append("    x = self.gf_modconv(x, ").append(p).append("_weight, ").append(st).append(", True, ").append(l.up ? "True" : "False").append(")\n");
                s.append("    x = x + ").append(p).append("_noise_const * ").append(p).append("_noise_strength\n");
                s.append("    x = (torch.leaky_relu(x + ").append(p).append("_bias.reshape(1, -1, 1, 1), 0.2) * ").append(f(SQRT2)).append(")")
                        .append(clampAct).append("\n");
            }
        }
        s.append("    return img\n\n");
        s.append(jvpSource(c));

        // SeFa: the affine of each W+ index (the conv that reads w_i; the last index is the final ToRGB's).
        s.append("def style_affines(self) -> List[Tensor]:\n");
        s.append("    out: List[Tensor] = []\n");
        List<Layer> byWs = new ArrayList<>();
        for (int i = 0; i < c.numWs(); i++) byWs.add(null);
        for (Layer l : layers(c)) if (!l.toRgb) byWs.set(l.ws, l);
        Layer last = layers(c).get(layers(c).size() - 1);
        byWs.set(c.numWs() - 1, last);
        for (Layer l : byWs)
            s.append("    out.append(self.").append(attr(l.prefix)).append("_affine_weight * ").append(f(ag)).append(")\n");
        s.append("    return out\n\n");
        s.append("def architecture(self) -> str:\n    return \"stylegan2\"\n");
        return s.toString();
    }
}
