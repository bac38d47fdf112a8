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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * StyleGAN (Karras et al. 2019, v1): the generator InterFaceGAN edits ({@code stylegan_ffhq.pth},
 * a plain state dict in its {@code stylegan_generator_model.py} names) and Hammer's (the ReSeFa
 * repository's {@code models/}, {@code ['models']['generator_smooth']}), built as a TorchScript
 * module behind the {@link Generator} contract.
 *
 * <p>Math, from the paper and the two code bases' documented behaviour (stored weights are the
 * raw TF values; the equalised-learning-rate scale gain / sqrt(fan_in) is applied at run time):
 * <ul>
 *   <li>Mapping: z / sqrt(mean(z^2) + 1e-8), then dense layers x = lrelu(x (c W)^T + 0.01 b),
 *       c = sqrt(2) / sqrt(fan_in) * 0.01, slope 0.2, the last one too; unlike StyleGAN2 there
 *       is no sqrt(2) after the activation (the gain is in the weight scale).</li>
 *   <li>Synthesis, L = 2 log2(resolution) - 2 layers, layer i reading W+ entry i: layer 0 the
 *       constant; odd layers a 3 x 3 convolution (scale sqrt(2)/sqrt(9 C_in)); even layers i >= 2
 *       nearest 2x up-sampling, the 3 x 3 convolution, then the [1,2,1] (x) [1,2,1] / 16 blur. Then
 *       every layer: + stored noise x strength, + bias, lrelu, instance normalisation (biased
 *       variance, eps 1e-8), and AdaIN x (s_scale + 1) + s_shift with s = w (W_s / sqrt(d))^T + b_s.</li>
 *   <li>The image: the last block's ToRGB, a 1 x 1 convolution scaled by 1/sqrt(C), plus bias; no
 *       tanh, no clamp.</li>
 * </ul>
 * A fused-scale up-sampling conv (the transposed 4 x 4 convolution of the 3 x 3 kernel summed over
 * its four taps) equals nearest up-sampling then a 3 x 3 convolution with the kernel flipped
 * spatially; fused layers are converted to that form on load. InterFaceGAN's files say which
 * layers are fused (TF layout {@code layerI.weight} [3, 3, in, out]); Hammer's do not (the same
 * [out, in, 3, 3] either way): its convention, fused from 128 px ({@code fused_scale_res}), is
 * assumed unless {@code #fused=RES} (or {@code none}) says otherwise.
 *
 * <p>Truncation as each code base applies it by default: InterFaceGAN's wrapper truncates Z and W
 * inputs (psi 0.7 on the first 8 layers, its model_settings) inside the generator, after any edit,
 * and never W+ input; so a model read from InterFaceGAN's format maps W to W+ with that truncation
 * ({@code gf_w_to_wp}), and {@code #truncation=none} turns it off. Hammer truncates only when asked
 * (ganfactor's {@code --truncation}).
 */
public final class StyleGan1 {
    private StyleGan1() {}

    public record Config(int resolution, int zDim, int wDim, int mappingLayers, int[] hidden, int[] channels, boolean[] fused,
                         double truncationPsi, int truncationLayers, int imageChannels) {
        /** W+ entries: two per block. */
        public int numLayers() {
            return 2 * channels.length;
        }

        int out(int layer) {
            return channels[layer / 2];
        }

        int in(int layer) {
            return layer % 2 == 1 ? channels[layer / 2] : channels[layer / 2 - 1];
        }

        int res(int layer) {
            return 4 << (layer / 2);
        }

        boolean truncates() {
            return truncationPsi != 1.0 && truncationLayers > 0;
        }

        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("architecture", "stylegan");
            m.put("resolution", resolution);
            m.put("z_dim", zDim);
            m.put("w_dim", wDim);
            m.put("channels", Arrays.toString(channels));
            m.put("built_in_truncation", truncates() ? "psi " + truncationPsi + " on " + truncationLayers + " layers (Z and W input)" : "none");
            return m;
        }
    }

    public enum Layout { INTERFACEGAN, HAMMER }

    /** Whether the keys are a StyleGAN v1's (either layout). */
    public static boolean looksLike(Map<String, Tensor> w) {
        return w.containsKey("synthesis.layer0.first_layer") || w.containsKey("synthesis.layer0.const");
    }

    /** The weights in canonical (Hammer-like, non-fused) names, and the config read off them. */
    public record Canonical(Config config, Layout layout, Map<String, Tensor> weights) {}

    public static Canonical canonical(Map<String, Tensor> w, Map<String, String> options, String source) {
        Layout layout = w.containsKey("synthesis.layer0.first_layer") ? Layout.INTERFACEGAN : Layout.HAMMER;
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<Integer, Boolean> fusedIfg = new LinkedHashMap<>();
        Pattern dense = Pattern.compile("mapping\\.dense(\\d+)\\.(linear\\.weight|wscale\\.bias|weight|bias)");
        Pattern layer = Pattern.compile("synthesis\\.layer(\\d+)\\.(.+)");
        Pattern output = Pattern.compile("synthesis\\.output(\\d+)\\.(conv\\.weight|weight|bias)");
        List<String> unexpected = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : w.entrySet()) {
            String k = e.getKey();
            Tensor t = e.getValue();
            Matcher m;
            if ((m = dense.matcher(k)).matches()) {
                out.put("mapping.dense" + m.group(1) + (m.group(2).endsWith("weight") ? ".weight" : ".bias"), t);
            } else if (k.equals("truncation.w_avg") || k.equals("w_avg")) {
                out.put("w_avg", t.reshape(-1));
            } else if (k.equals("truncation.truncation")) {
                // InterFaceGAN rebuilds it from its settings on load; so does ganfactor
            } else if (k.equals("synthesis.lod")) {
                double lod = ganfactor.torch.Torch.scalar(t.to(torch.ScalarType.Double));
                if (lod != 0) throw new InputException(source + ": a StyleGAN with lod " + lod + " (still growing); only lod 0, the full resolution, is built");
            } else if ((m = layer.matcher(k)).matches()) {
                int i = Integer.parseInt(m.group(1));
                String f = m.group(2), p = "layer" + i + ".";
                switch (f) {
                    case "first_layer", "const" -> out.put(p + "const", t.dim() == 4 ? t.squeeze(0) : t);
                    case "conv.weight" -> out.put(p + "weight", t);
                    case "weight" -> {
                        if (layout == Layout.INTERFACEGAN) {
                            fusedIfg.put(i, true);
                            out.put(p + "weight", t.permute(3, 2, 0, 1).flip(2, 3));   // TF [3, 3, in, out] -> [out, in, 3, 3], flipped
                        } else {
                            out.put(p + "weight", t);
                        }
                    }
                    case "blur.kernel", "filter" -> checkBlur(t, k, source);
                    case "epilogue.apply_noise.noise", "noise" -> {
                        if (t.numel() != (long) t.size(-1) * t.size(-2) || t.size(-1) != t.size(-2))
                            throw new InputException(source + ": " + k + " is " + ganfactor.torch.Torch.shapeString(t) + "; only spatial noise [1, 1, r, r] is built");
                        out.put(p + "noise", t.reshape(t.size(-2), t.size(-1)));
                    }
                    case "epilogue.apply_noise.weight", "noise_strength" -> out.put(p + "noise_strength", t.reshape(-1));
                    case "epilogue.bias", "bias" -> out.put(p + "bias", t.reshape(-1));
                    case "epilogue.style_mod.dense.linear.weight", "style.weight" -> out.put(p + "style.weight", t);
                    case "epilogue.style_mod.dense.wscale.bias", "style.bias" -> out.put(p + "style.bias", t);
                    default -> unexpected.add(k);
                }
            } else if ((m = output.matcher(k)).matches()) {
                out.put("output" + m.group(1) + (m.group(2).equals("bias") ? ".bias" : ".weight"), t);
            } else if (!k.equals("synthesis.filter")) {
                unexpected.add(k);
            }
        }
        if (!unexpected.isEmpty())
            throw new InputException(source + ": unexpected keys for a StyleGAN generator: " + unexpected.subList(0, Math.min(5, unexpected.size()))
                    + (unexpected.stream().anyMatch(k -> k.contains("embedding")) ? " (a conditional model is not built)" : ""));
        int maps = 0;
        while (out.containsKey("mapping.dense" + maps + ".weight")) maps++;
        if (maps == 0) throw new InputException(source + ": a StyleGAN without mapping.dense0: not a generator's state dict");
        int layers = 0;
        while (out.containsKey("layer" + layers + ".style.weight")) layers++;
        if (layers < 4 || layers % 2 != 0) throw new InputException(source + ": a StyleGAN needs an even number (>= 4) of synthesis layers, found " + layers);
        int[] hidden = new int[maps];
        for (int i = 0; i < maps; i++) hidden[i] = (int) out.get("mapping.dense" + i + ".weight").size(0);
        int zDim = (int) out.get("mapping.dense0.weight").size(1), wDim = hidden[maps - 1];
        int blocks = layers / 2;
        int[] ch = new int[blocks];
        Tensor c0 = need(out, "layer0.const", source);
        ch[0] = (int) c0.size(0);
        for (int b = 1; b < blocks; b++) ch[b] = (int) need(out, "layer" + (2 * b) + ".weight", source).size(0);
        int res = 4 << (blocks - 1);
        boolean[] fused = new boolean[layers];
        int fusedFrom = fusedFrom(layout, options, source);
        for (int i = 2; i < layers; i += 2) {
            fused[i] = layout == Layout.INTERFACEGAN ? fusedIfg.getOrDefault(i, false) : (4 << (i / 2)) >= fusedFrom;
            if (layout == Layout.HAMMER && fused[i]) out.put("layer" + i + ".weight", out.get("layer" + i + ".weight").flip(2, 3));
        }
        double psi = layout == Layout.INTERFACEGAN ? 0.7 : 1.0;
        int tl = layout == Layout.INTERFACEGAN ? 8 : 0;
        String tr = options.get("truncation");
        if (tr != null) {
            if (tr.equalsIgnoreCase("none")) {
                psi = 1.0;
                tl = 0;
            } else {
                String[] p = tr.split(":");
                try {
                    psi = Double.parseDouble(p[0]);
                    tl = p.length > 1 ? Integer.parseInt(p[1]) : 8;
                } catch (NumberFormatException e) {
                    throw new InputException(source + ": #truncation must be none or PSI[:LAYERS] (InterFaceGAN's 0.7:8), got '" + tr + "'");
                }
                if (!(psi >= 0 && psi <= 1) || tl < 0) throw new InputException(source + ": #truncation needs psi in [0, 1] and layers >= 0, got '" + tr + "'");
            }
        }
        int imageChannels = (int) need(out, "output" + (blocks - 1) + ".weight", source).size(0);
        Config c = new Config(res, zDim, wDim, maps, hidden, ch, fused, psi, Math.min(tl, layers), imageChannels);
        if (c.truncates() && !out.containsKey("w_avg"))
            throw new InputException(source + ": truncation (psi " + psi + ") needs w_avg, which the file lacks; give #truncation=none");
        return new Canonical(c, layout, out);
    }

    private static int fusedFrom(Layout layout, Map<String, String> options, String source) {
        String f = options.get("fused");
        if (f == null || layout == Layout.INTERFACEGAN) {
            if (f != null) throw new InputException(source + ": #fused applies to Hammer StyleGAN files only (InterFaceGAN's say which layers are fused)");
            return 128;   // Hammer's fused_scale_res, the published models' convention
        }
        if (f.equalsIgnoreCase("none")) return Integer.MAX_VALUE;
        try {
            int r = Integer.parseInt(f);
            if (r < 8 || Integer.bitCount(r) != 1) throw new NumberFormatException();
            return r;
        } catch (NumberFormatException e) {
            throw new InputException(source + ": #fused must be a resolution (the first fused one, a power of two from 8; Hammer's default 128) or none, got '" + f + "'");
        }
    }

    private static void checkBlur(Tensor t, String key, String source) {
        double[] v = ganfactor.torch.Torch.toDoubles(t.to(torch.ScalarType.Double).reshape(-1));
        double[] k = {1, 2, 1};
        for (int i = 0; i < v.length; i++) {
            int j = i % 9;
            if (Math.abs(v[i] - k[j / 3] * k[j % 3] / 16.0) > 1e-6)
                throw new InputException(source + ": " + key + " is not the [1,2,1] blur; only the standard filter is built");
        }
    }

    private static Tensor need(Map<String, Tensor> w, String k, String source) {
        Tensor t = w.get(k);
        if (t == null) throw new InputException(source + ": missing " + k + " (a StyleGAN generator's state dict)");
        return t;
    }

    public static JitModule module() {
        return new JitModule(new QualifiedName("ganfactor.StyleGAN"));
    }

    /** Fills a module from {@link #module()} (float32 copies; shapes checked by name). */
    public static void fill(JitModule m, Canonical cw, String source) {
        Config c = cw.config();
        Map<String, Tensor> w = cw.weights();
        try (PointerScope scope = new PointerScope()) {
            for (int i = 0; i < c.mappingLayers(); i++) {
                int in = i == 0 ? c.zDim() : c.hidden()[i - 1];
                register(m, "mapping.dense" + i + ".weight", w, new long[]{c.hidden()[i], in}, source);
                register(m, "mapping.dense" + i + ".bias", w, new long[]{c.hidden()[i]}, source);
            }
            register(m, "layer0.const", w, new long[]{c.channels()[0], 4, 4}, source);
            for (int i = 0; i < c.numLayers(); i++) {
                int out = c.out(i), r = c.res(i);
                if (i > 0) register(m, "layer" + i + ".weight", w, new long[]{out, c.in(i), 3, 3}, source);
                Tensor noise = w.get("layer" + i + ".noise");
                if (noise == null) throw new InputException(source + ": missing layer" + i + ".noise (the stored noise InterFaceGAN and Hammer use by default)");
                register(m, "layer" + i + ".noise", w, new long[]{r, r}, source);
                register(m, "layer" + i + ".noise_strength", w, new long[]{out}, source);
                register(m, "layer" + i + ".bias", w, new long[]{out}, source);
                register(m, "layer" + i + ".style.weight", w, new long[]{2L * out, c.wDim()}, source);
                register(m, "layer" + i + ".style.bias", w, new long[]{2L * out}, source);
            }
            int last = c.channels().length - 1;
            register(m, "output" + last + ".weight", w, new long[]{c.imageChannels(), c.channels()[last], 1, 1}, source);
            register(m, "output" + last + ".bias", w, new long[]{c.imageChannels()}, source);
            Tensor avg = w.get("w_avg");
            m.register_buffer("w_avg", avg == null ? torch.zeros(new long[]{c.wDim()}) : own(avg, new long[]{c.wDim()}, "w_avg", source));
            float[] blur = new float[9];
            for (int i = 0; i < 9; i++) blur[i] = (float) (new double[]{1, 2, 1}[i / 3] * new double[]{1, 2, 1}[i % 3] / 16.0);
            m.register_buffer("gf_blur_kernel", ganfactor.torch.Torch.of(blur, 1, 1, 3, 3));
            Type.TypePtr intType = new Type.TypePtr(IntType.getIntTypePtr().get());
            m.register_attribute("num_layers", intType, new IValue((long) c.numLayers()));
            m.register_attribute("latent_dim", intType, new IValue((long) c.wDim()));
            m.register_attribute("resolution", intType, new IValue((long) c.resolution()));
            m.define(source(c));
        }
    }

    private static void register(JitModule m, String name, Map<String, Tensor> w, long[] shape, String source) {
        m.register_parameter(name.replace('.', '_'), own(w.get(name), shape, name, source), false);
    }

    private static Tensor own(Tensor t, long[] shape, String name, String source) {
        if (t == null) throw new InputException(source + ": missing " + name);
        if (!Arrays.equals(t.sizes().vec().get(), shape) && t.numel() != StyleGan2.numel(shape))
            throw new InputException(source + ": " + name + " has shape " + ganfactor.torch.Torch.shapeString(t) + ", expected " + Arrays.toString(shape));
        return t.to(torch.ScalarType.Float).reshape(shape).contiguous().clone();
    }

    private static String f(double v) {
        return Double.toString(v);
    }

    static String source(Config c) {
        StringBuilder s = new StringBuilder();
        double sqrt2 = Math.sqrt(2.0);
        s.append("def mapping(self, z: Tensor) -> Tensor:\n");
        s.append("    x = z * torch.rsqrt(z.square().mean(1, keepdim=True) + 1e-8)\n");
        for (int i = 0; i < c.mappingLayers(); i++) {
            int in = i == 0 ? c.zDim() : c.hidden()[i - 1];
            String p = "self.mapping_dense" + i;
            s.append("    x = torch.leaky_relu(torch.addmm(").append(p).append("_bias, x, ").append(p).append("_weight.t(), beta=0.01, alpha=")
                    .append(f(sqrt2 / Math.sqrt(in) * 0.01)).append("), 0.2)\n");
        }
        s.append("    return x\n\n");
        if (c.truncates()) {
            s.append("def gf_w_to_wp(self, w: Tensor) -> Tensor:\n");
            s.append("    wp = w.unsqueeze(1).expand(w.size(0), ").append(c.numLayers()).append(", ").append(c.wDim()).append(")\n");
            int t = c.truncationLayers();
            // InterFaceGAN's truncation module: w_avg + (w - w_avg) * coef, coef psi on the first layers
            s.append("    head = self.w_avg + (wp.narrow(1, 0, ").append(t).append(") - self.w_avg) * ").append(f(c.truncationPsi())).append("\n");
            if (t < c.numLayers()) s.append("    wp = torch.cat([head, wp.narrow(1, ").append(t).append(", ").append(c.numLayers() - t).append(")], 1)\n");
            else s.append("    wp = head\n");
            s.append("    return wp\n\n");
        }
        s.append("def gf_up(self, x: Tensor) -> Tensor:\n");
        s.append("    b, c, h, w = x.size(0), x.size(1), x.size(2), x.size(3)\n");
        s.append("    return x.reshape(b, c, h, 1, w, 1).expand(b, c, h, 2, w, 2).reshape(b, c, 2 * h, 2 * w)\n\n");
        s.append("def gf_blur(self, x: Tensor) -> Tensor:\n");
        s.append("    c = x.size(1)\n");
        s.append("    return torch.conv2d(x, self.gf_blur_kernel.expand(c, 1, 3, 3), None, [1, 1], [1, 1], [1, 1], c)\n\n");
        s.append("def synthesis(self, ws: Tensor) -> Tensor:\n");
        s.append("    b = ws.size(0)\n");
        s.append("    x = self.layer0_const.unsqueeze(0).expand(b, -1, -1, -1)\n");
        double ag = 1.0 / Math.sqrt(c.wDim());
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "self.layer" + i;
            int C = c.out(i);
            if (i > 0) {
                double scale = sqrt2 / Math.sqrt(9.0 * c.in(i));
                boolean up = i % 2 == 0;
                if (up) s.append("    x = self.gf_up(x)\n");
                s.append("    x = torch.conv2d(x, ").append(p).append("_weight, None, [1, 1], [1, 1], [1, 1], 1) * ").append(f(scale)).append("\n");
                if (up) s.append("    x = self.gf_blur(x)\n");
            }
            s.append("    x = x + ").append(p).append("_noise * ").append(p).append("_noise_strength.reshape(1, -1, 1, 1)\n");
            s.append("    x = torch.leaky_relu(x + ").append(p).append("_bias.reshape(1, -1, 1, 1), 0.2)\n");
            s.append("    x = x - x.mean([2, 3], keepdim=True)\n");
            s.append("    x = x * torch.rsqrt(x.square().mean([2, 3], keepdim=True) + 1e-8)\n");
            s.append("    st = torch.addmm(").append(p).append("_style_bias, ws.select(1, ").append(i).append("), ").append(p).append("_style_weight.t(), beta=1.0, alpha=")
                    .append(f(ag)).append(")\n");
            s.append("    x = x * (st.narrow(1, 0, ").append(C).append(") + 1.0).reshape(b, -1, 1, 1) + st.narrow(1, ").append(C).append(", ").append(C).append(").reshape(b, -1, 1, 1)\n");
        }
        int last = c.channels().length - 1;
        s.append("    return torch.conv2d(x, self.output").append(last).append("_weight, None, [1, 1], [0, 0], [1, 1], 1) * ")
                .append(f(1.0 / Math.sqrt(c.channels()[last]))).append(" + self.output").append(last).append("_bias.reshape(1, -1, 1, 1)\n\n");
        s.append("def style_affines(self) -> List[Tensor]:\n");
        s.append("    out: List[Tensor] = []\n");
        for (int i = 0; i < c.numLayers(); i++) s.append("    out.append(self.layer").append(i).append("_style_weight * ").append(f(ag)).append(")\n");
        s.append("    return out\n\n");
        s.append("def architecture(self) -> str:\n    return \"stylegan\"\n");
        return s.toString();
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
