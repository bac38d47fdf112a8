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
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PGGAN (Karras et al. 2018, progressive growing, at full resolution): the generator InterFaceGAN
 * edits (its {@code pggan_celebahq.pth}, a plain state dict of {@code layerN.conv.weight} /
 * {@code layerN.wscale.bias}) and Hammer's (the ReSeFa repository's {@code models/}, {@code
 * ['models']['generator_smooth']}: {@code layerN.weight} / {@code layerN.bias}), built as a
 * TorchScript module behind the {@link Generator} contract: no mapping (Z is the only latent
 * space; W is Z), one W+ entry.
 *
 * <p>Math, from the paper and the two code bases' documented behaviour, with PN(x) = x /
 * sqrt(mean over channels of x^2 + 1e-8), leaky ReLU slope 0.2 and the equalised-learning-rate
 * scale gain / sqrt(fan_in) applied at run time (gain sqrt(2); 1 for ToRGB):
 * <ul>
 *   <li>layer0, the 4 x 4 "dense": PN(z) as a 1 x 1 image, a 4 x 4 convolution with padding 3
 *       (h[o, y, x] = sum_i W[o, i, 3 - y, 3 - x] z_i), scaled, plus bias, lrelu;</li>
 *   <li>every later conv: PN, nearest 2x up-sampling (the first conv of each block from 8 px),
 *       3 x 3 convolution with padding 1, scaled, plus bias, lrelu;</li>
 *   <li>the image: the last block's ToRGB, PN then a 1 x 1 convolution scaled by 1/sqrt(C), plus
 *       bias, linear (no tanh, no clamp).</li>
 * </ul>
 * A fused-scale up-sampling conv (a transposed 4 x 4 convolution of the 3 x 3 kernel summed over
 * its four taps) equals up-sampling then a 3 x 3 convolution with the kernel transposed and
 * flipped, Wc[o, i, a, c] = w[2 - a, 2 - c, i, o] (TF layout [3, 3, in, out]); fused layers are
 * converted to that form on load, so one graph serves both. Only {@code lod} 0 (the full
 * resolution) is built; a label (conditional Hammer models) is refused.
 */
public final class Pggan {
    private Pggan() {}

    /** Resolution, z dimension, channels at 4, 8, ..., resolution px, image channels. */
    public record Config(int resolution, int zDim, int[] channels, int imageChannels) {
        public int blocks() {
            return channels.length;
        }

        /** Conv layers: two per block (layer0 the 4 x 4 dense, layer1 its 3 x 3). */
        public int convs() {
            return 2 * channels.length;
        }

        int in(int layer) {
            if (layer == 0) return zDim;
            return layer % 2 == 0 ? channels[layer / 2 - 1] : channels[layer / 2];
        }

        int out(int layer) {
            return channels[layer / 2];
        }

        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("architecture", "pggan");
            m.put("resolution", resolution);
            m.put("z_dim", zDim);
            m.put("channels", Arrays.toString(channels));
            return m;
        }
    }

    /** The two state-dict layouts. */
    public enum Layout { INTERFACEGAN, HAMMER }

    /** Whether the keys are a PGGAN's (either layout), without deciding which. */
    public static boolean looksLike(Map<String, Tensor> w) {
        return w.containsKey("lod") && (w.containsKey("layer0.conv.weight") || (w.containsKey("layer0.weight") && w.containsKey("output0.weight")));
    }

    public static Layout layout(Map<String, Tensor> w) {
        return w.containsKey("layer0.conv.weight") ? Layout.INTERFACEGAN : Layout.HAMMER;
    }

    /**
     * The weights in one canonical form: {@code layerN.weight} [out, in, k, k] (fused up-convs
     * converted), {@code layerN.bias}, {@code outputB.weight} / {@code .bias}, plus the config read
     * off the shapes. {@code fusedOption}: for Hammer files, whose fused kernels [in, out, 3, 3] are
     * told from plain ones [out, in, 3, 3] by shape only when in != out: "auto" (by shape; plain
     * when they cannot be told apart, Hammer's default), "true" or "false".
     */
    public static Canonical canonical(Map<String, Tensor> w, String fusedOption, String source) {
        Layout layout = layout(w);
        Tensor lod = w.get("lod");
        if (lod != null && lod.numel() == 1 && ganfactor.torch.Torch.scalar(lod.to(torch.ScalarType.Double)) != 0)
            throw new InputException(source + ": a PGGAN with lod " + ganfactor.torch.Torch.scalar(lod.to(torch.ScalarType.Double))
                    + " (a model still growing); only lod 0, the full resolution, is built");
        Pattern p = Pattern.compile("(layer|output)(\\d+)\\.(conv\\.weight|wscale\\.bias|weight|bias)");
        Map<String, Tensor> raw = new TreeMap<>();
        Map<Integer, Boolean> fusedIfg = new LinkedHashMap<>();
        List<String> unexpected = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : w.entrySet()) {
            String k = e.getKey();
            if (k.equals("lod")) continue;
            Matcher m = p.matcher(k);
            if (!m.matches()) {
                unexpected.add(k);
                continue;
            }
            String kind = m.group(1), field = m.group(3);
            int n = Integer.parseInt(m.group(2));
            boolean bias = field.endsWith("bias");
            if (layout == Layout.INTERFACEGAN && kind.equals("layer") && field.equals("weight")) fusedIfg.put(n, true);
            raw.put(kind + n + (bias ? ".bias" : ".weight"), e.getValue());
        }
        if (!unexpected.isEmpty())
            throw new InputException(source + ": unexpected keys for a PGGAN generator: " + unexpected.subList(0, Math.min(5, unexpected.size()))
                    + (unexpected.stream().anyMatch(k -> k.contains("label") || k.contains("embed")) ? " (a conditional model is not built)" : ""));
        int blocks = 0;
        while (raw.containsKey("output" + blocks + ".weight")) blocks++;
        if (blocks < 2) throw new InputException(source + ": a PGGAN needs at least two blocks (output0, output1), found " + blocks);
        Tensor l0 = need(raw, "layer0.weight", source);
        if (l0.dim() != 4 || l0.size(2) != 4 || l0.size(3) != 4)
            throw new InputException(source + ": layer0.weight is " + ganfactor.torch.Torch.shapeString(l0) + "; the 4 x 4 first layer of a PGGAN at init resolution 4 is expected");
        int[] ch = new int[blocks];
        for (int b = 0; b < blocks; b++) ch[b] = (int) need(raw, "layer" + (2 * b + 1) + ".weight", source).size(0);
        int imageChannels = (int) need(raw, "output0.weight", source).size(0);
        Config c = new Config(4 << (blocks - 1), (int) l0.size(1), ch, imageChannels);
        boolean hammerFused = layout == Layout.HAMMER && hammerFused(raw, c, fusedOption, source);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < c.convs(); i++) {
            Tensor t = need(raw, "layer" + i + ".weight", source);
            boolean up = i >= 2 && i % 2 == 0;
            if (up && layout == Layout.INTERFACEGAN && fusedIfg.getOrDefault(i, false)) {
                t = t.permute(3, 2, 0, 1).flip(2, 3);                       // [3, 3, in, out] -> [out, in, 3, 3], flipped
            } else if (up && hammerFused) {
                t = t.transpose(0, 1).flip(2, 3);                          // [in, out, 3, 3] -> [out, in, 3, 3], flipped
            }
            out.put("layer" + i + ".weight", t);
            out.put("layer" + i + ".bias", need(raw, "layer" + i + ".bias", source));
        }
        for (int b = 0; b < blocks; b++) {
            out.put("output" + b + ".weight", need(raw, "output" + b + ".weight", source));
            out.put("output" + b + ".bias", need(raw, "output" + b + ".bias", source));
        }
        for (String k : raw.keySet())
            if (!out.containsKey(k)) throw new InputException(source + ": unexpected key " + k + " for a PGGAN of " + blocks + " blocks");
        return new Canonical(c, layout, out);
    }

    /** The canonical weights, the config and the file's layout. */
    public record Canonical(Config config, Layout layout, Map<String, Tensor> weights) {}

    /**
     * Whether a Hammer file's up-sampling convs are fused (one flag for the model, Hammer's
     * {@code fused_scale}): its kernels are [in, out, 3, 3] then, [out, in, 3, 3] otherwise. "auto"
     * decides by the first up-conv whose in and out differ, and says plain (Hammer's default) when
     * every one has in == out; "true" and "false" are checked against the shapes.
     */
    private static boolean hammerFused(Map<String, Tensor> raw, Config c, String option, String source) {
        String o = option == null ? "auto" : option.toLowerCase(java.util.Locale.ROOT);
        Boolean shapes = null;
        for (int i = 2; i < c.convs(); i += 2) {
            Tensor t = need(raw, "layer" + i + ".weight", source);
            int in = c.in(i), out = c.out(i);
            boolean plain = t.size(0) == out && t.size(1) == in, fused = t.size(0) == in && t.size(1) == out;
            if (!plain && !fused)
                throw new InputException(source + ": layer" + i + ".weight is " + ganfactor.torch.Torch.shapeString(t) + "; expected [" + out + ", " + in + ", 3, 3] (or fused [" + in + ", " + out + ", 3, 3])");
            if (plain != fused) {
                if (shapes != null && shapes != fused)
                    throw new InputException(source + ": some up-sampling kernels are fused and some are not; a PGGAN's fused_scale holds for all of them");
                shapes = fused;
            }
        }
        switch (o) {
            case "auto":
                return shapes != null && shapes;
            case "true": case "1": case "yes":
                if (Boolean.FALSE.equals(shapes)) throw new InputException(source + ": #fused=true, but the up-sampling kernels are [out, in, 3, 3]: not fused");
                return true;
            case "false": case "0": case "no":
                if (Boolean.TRUE.equals(shapes)) throw new InputException(source + ": #fused=false, but the up-sampling kernels are [in, out, 3, 3]: fused");
                return false;
            default:
                throw new InputException(source + ": #fused must be auto, true or false, got '" + option + "'");
        }
    }

    private static Tensor need(Map<String, Tensor> w, String k, String source) {
        Tensor t = w.get(k);
        if (t == null) throw new InputException(source + ": missing " + k + " (a PGGAN generator's state dict)");
        return t;
    }

    /**
     * An empty module for {@link #fill}. Create it before opening the {@code PointerScope} that
     * holds the weights, so that the scope does not free the module with them.
     */
    public static JitModule module() {
        return new JitModule(new QualifiedName("ganfactor.PGGAN"));
    }

    /** Fills a module from {@link #module()} with canonical weights (float32 copies). */
    public static void fill(JitModule m, Canonical cw, String source) {
        Config c = cw.config();
        try (PointerScope scope = new PointerScope()) {
            for (int i = 0; i < c.convs(); i++) {
                int k = i == 0 ? 4 : 3;
                register(m, "layer" + i + ".weight", cw.weights().get("layer" + i + ".weight"), new long[]{c.out(i), c.in(i), k, k}, source);
                register(m, "layer" + i + ".bias", cw.weights().get("layer" + i + ".bias"), new long[]{c.out(i)}, source);
            }
            int last = c.blocks() - 1;
            register(m, "output" + last + ".weight", cw.weights().get("output" + last + ".weight"), new long[]{c.imageChannels(), c.channels()[last], 1, 1}, source);
            register(m, "output" + last + ".bias", cw.weights().get("output" + last + ".bias"), new long[]{c.imageChannels()}, source);
            Type.TypePtr intType = new Type.TypePtr(IntType.getIntTypePtr().get());
            m.register_attribute("num_layers", intType, new IValue(1L));
            m.register_attribute("latent_dim", intType, new IValue((long) c.zDim()));
            m.register_attribute("resolution", intType, new IValue((long) c.resolution()));
            m.register_attribute("gf_z_sphere", intType, new IValue(1L));
            m.define(source(c));
        }
    }

    private static void register(JitModule m, String name, Tensor t, long[] shape, String source) {
        if (!Arrays.equals(t.sizes().vec().get(), shape))
            throw new InputException(source + ": " + name + " has shape " + ganfactor.torch.Torch.shapeString(t) + ", expected " + Arrays.toString(shape));
        m.register_parameter(name.replace('.', '_'), t.to(torch.ScalarType.Float).contiguous().clone(), false);
    }

    private static String f(double v) {
        return Double.toString(v);
    }

    static String source(Config c) {
        StringBuilder s = new StringBuilder();
        s.append("def gf_pn(self, x: Tensor) -> Tensor:\n");
        s.append("    return x * torch.rsqrt(x.square().mean(1, keepdim=True) + 1e-8)\n\n");
        s.append("def gf_up(self, x: Tensor) -> Tensor:\n");
        s.append("    b, c, h, w = x.size(0), x.size(1), x.size(2), x.size(3)\n");
        s.append("    return x.reshape(b, c, h, 1, w, 1).expand(b, c, h, 2, w, 2).reshape(b, c, 2 * h, 2 * w)\n\n");
        s.append("def synthesis(self, ws: Tensor) -> Tensor:\n");
        s.append("    z = ws.select(1, 0)\n");
        s.append("    x = self.gf_pn(z).reshape(z.size(0), ").append(c.zDim()).append(", 1, 1)\n");
        double sqrt2 = Math.sqrt(2.0);
        for (int i = 0; i < c.convs(); i++) {
            int k = i == 0 ? 4 : 3, pad = i == 0 ? 3 : 1;
            double scale = sqrt2 / Math.sqrt((double) c.in(i) * k * k);
            if (i > 0) s.append("    x = self.gf_pn(x)\n");
            if (i >= 2 && i % 2 == 0) s.append("    x = self.gf_up(x)\n");
            String p = "self.layer" + i;
            s.append("    x = torch.leaky_relu(torch.conv2d(x, ").append(p).append("_weight, None, [1, 1], [").append(pad).append(", ").append(pad)
                    .append("], [1, 1], 1) * ").append(f(scale)).append(" + ").append(p).append("_bias.reshape(1, -1, 1, 1), 0.2)\n");
        }
        int last = c.blocks() - 1;
        String o = "self.output" + last;
        s.append("    x = self.gf_pn(x)\n");
        s.append("    return torch.conv2d(x, ").append(o).append("_weight, None, [1, 1], [0, 0], [1, 1], 1) * ").append(f(1.0 / Math.sqrt(c.channels()[last])))
                .append(" + ").append(o).append("_bias.reshape(1, -1, 1, 1)\n\n");
        // SeFa on PGGAN (its paper's choice): the first layer, the dense map z -> 4 x 4 x C, as a [16 C, d] matrix
        s.append("def style_affines(self) -> List[Tensor]:\n");
        s.append("    return [self.layer0_weight.permute(0, 2, 3, 1).reshape(-1, ").append(c.zDim()).append(") * ").append(f(sqrt2 / Math.sqrt(16.0 * c.zDim()))).append("]\n\n");
        s.append("def architecture(self) -> str:\n    return \"pggan\"\n");
        return s.toString();
    }
}
