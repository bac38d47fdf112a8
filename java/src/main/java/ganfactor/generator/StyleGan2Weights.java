package ganfactor.generator;

import ganfactor.InputException;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * StyleGAN2 weights as users have them: the generator state dict of NVlabs/stylegan2-ada-pytorch
 * ({@code mapping.fc0.weight}, {@code synthesis.b4.const}, ...), of rosinality/stylegan2-pytorch
 * ({@code style.1.weight}, {@code input.input}, {@code convs.0.conv.weight}, ...) or of Hammer
 * (bytedance/Hammer, the ReSeFa repository's {@code models/}: {@code mapping.dense0.weight},
 * {@code synthesis.early_layer.const}, {@code synthesis.layer0.style.weight}, {@code
 * synthesis.output0.weight}, a top-level {@code w_avg}). Detects the layout, renames to NVlabs
 * names (reshaping rosinality's [1, O, I, k, k] weights and [1, C, 1, 1] biases, and Hammer's
 * [1, C, 4, 4] constant and [1, 1, r, r] noise), and infers the architecture from the shapes.
 *
 * <p>Hammer stores every tensor as NVlabs does (equalized-lr scales applied at run time, the
 * affine bias with its +1, no kernel flip): its own NVlabs converter copies them verbatim. Its
 * mapping learning-rate multiplier is 0.01 as NVlabs' (the {@code lrmul} option otherwise). The
 * older genforce/genforce layout looks alike but stores the affine bias without the +1 and flips
 * the up-sampling kernels at run time; it is refused by its keys ({@code truncation.w_avg},
 * {@code *.filter.kernel}) rather than read as Hammer's with wrong images.
 */
public final class StyleGan2Weights {
    public enum Layout { NVLABS, ROSINALITY, HAMMER }

    private StyleGan2Weights() {}

    /** The layout named by the keys, or an {@link InputException} saying what was found instead. */
    public static Layout detect(Map<String, Tensor> w, String source) {
        if (w.containsKey("mapping.fc0.weight") || w.containsKey("synthesis.b4.const")) return Layout.NVLABS;
        if (w.containsKey("style.1.weight") || w.containsKey("input.input")) return Layout.ROSINALITY;
        if (w.containsKey("mapping.dense0.weight") || w.containsKey("synthesis.early_layer.const")) {
            for (String k : w.keySet())
                if (k.equals("truncation.w_avg") || k.endsWith(".filter.kernel"))
                    throw new InputException(source + ": a genforce/genforce StyleGAN2 checkpoint (" + k + "), the layout before Hammer's: it stores the style bias"
                            + " without its +1 and flips the up-sampling kernels at run time, which is not read; convert it with Hammer's converter"
                            + " or load it in Hammer and save its state_dict()");
            return Layout.HAMMER;
        }
        List<String> some = new ArrayList<>(w.keySet()).subList(0, Math.min(5, w.size()));
        throw new InputException(source + ": not a StyleGAN2 generator state dict (no mapping.fc0.weight, style.1.weight or mapping.dense0.weight; first keys: " + some
                + "); other generators (StyleGAN3, BigGAN) go through tools/export_torchscript.py");
    }

    /** Weights in NVlabs names (the input map is not modified; tensors are shared, not copied). */
    public static Map<String, Tensor> toNvlabs(Map<String, Tensor> w, String source) {
        Layout layout = detect(w, source);
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (layout == Layout.NVLABS) {
            for (Map.Entry<String, Tensor> e : w.entrySet()) {
                String k = e.getKey();
                if (k.endsWith(".resample_filter")) { checkFilter(e.getValue(), k, source, 1.0); continue; }
                if (k.startsWith("mapping.embed") )
                    throw new InputException(source + ": class-conditional StyleGAN2 (" + k + ") is not supported; export it with tools/export_torchscript.py and a fixed class");
                out.put(k, e.getValue());
            }
            return out;
        }
        if (layout == Layout.HAMMER) return fromHammer(w, source);
        Pattern style = Pattern.compile("style\\.(\\d+)\\.(weight|bias)");
        Pattern convs = Pattern.compile("convs\\.(\\d+)\\.(.+)");
        Pattern rgbs = Pattern.compile("to_rgbs\\.(\\d+)\\.(.+)");
        Pattern noise = Pattern.compile("noises\\.noise_(\\d+)");
        for (Map.Entry<String, Tensor> e : w.entrySet()) {
            String k = e.getKey();
            Tensor t = e.getValue();
            Matcher m;
            if ((m = style.matcher(k)).matches()) {
                out.put("mapping.fc" + (Integer.parseInt(m.group(1)) - 1) + "." + m.group(2), t);
            } else if (k.equals("latent_avg")) {
                out.put("mapping.w_avg", t.reshape(-1)); // rosinality's mean w, saved beside g_ema
            } else if (k.equals("input.input")) {
                out.put("synthesis.b4.const", squeeze0(t));
            } else if (k.startsWith("conv1.")) {
                layer(out, "synthesis.b4.conv1", k.substring(6), t, k, source);
            } else if (k.startsWith("to_rgb1.")) {
                layer(out, "synthesis.b4.torgb", k.substring(8), t, k, source);
            } else if ((m = convs.matcher(k)).matches()) {
                int i = Integer.parseInt(m.group(1));
                int res = 8 << (i / 2);
                layer(out, "synthesis.b" + res + (i % 2 == 0 ? ".conv0" : ".conv1"), m.group(2), t, k, source);
            } else if ((m = rgbs.matcher(k)).matches()) {
                int res = 8 << Integer.parseInt(m.group(1));
                layer(out, "synthesis.b" + res + ".torgb", m.group(2), t, k, source);
            } else if ((m = noise.matcher(k)).matches()) {
                int i = Integer.parseInt(m.group(1));
                String name = i == 0 ? "synthesis.b4.conv1" : "synthesis.b" + (4 << ((i + 1) / 2)) + ((i % 2 == 1) ? ".conv0" : ".conv1");
                out.put(name + ".noise_const", t.reshape(t.size(-2), t.size(-1)));
            } else {
                out.put(k, t); // reported as unexpected by StyleGan2.build
            }
        }
        return out;
    }

    /** The NVlabs name of Hammer's synthesis conv layer {@code i} (the W+ entry it reads is i too). */
    static String hammerConv(int i) {
        if (i == 0) return "synthesis.b4.conv1";
        return "synthesis.b" + (4 << ((i + 1) / 2)) + (i % 2 == 1 ? ".conv0" : ".conv1");
    }

    private static Map<String, Tensor> fromHammer(Map<String, Tensor> w, String source) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Pattern dense = Pattern.compile("mapping\\.dense(\\d+)\\.(weight|bias)");
        Pattern conv = Pattern.compile("synthesis\\.layer(\\d+)\\.(.+)");
        Pattern rgb = Pattern.compile("synthesis\\.output(\\d+)\\.(.+)");
        for (Map.Entry<String, Tensor> e : w.entrySet()) {
            String k = e.getKey();
            Tensor t = e.getValue();
            Matcher m;
            if ((m = dense.matcher(k)).matches()) {
                out.put("mapping.fc" + m.group(1) + "." + m.group(2), t);
            } else if (k.equals("w_avg")) {
                out.put("mapping.w_avg", t.reshape(-1));   // a [L * w] average (repeat_w off) fails the shape check, naming it
            } else if (k.equals("synthesis.early_layer.const")) {
                out.put("synthesis.b4.const", squeeze0(t));
            } else if (k.equals("synthesis.filter")) {
                checkFilter(t, k, source, 1.0);
            } else if ((m = conv.matcher(k)).matches()) {
                hammerField(out, hammerConv(Integer.parseInt(m.group(1))), m.group(2), t, k, source);
            } else if ((m = rgb.matcher(k)).matches()) {
                hammerField(out, "synthesis.b" + (4 << Integer.parseInt(m.group(1))) + ".torgb", m.group(2), t, k, source);
            } else if (k.startsWith("mapping.embedding")) {
                throw new InputException(source + ": class-conditional StyleGAN2 (" + k + ") is not supported; export it with tools/export_torchscript.py and a fixed class");
            } else if (k.startsWith("synthesis.residual")) {
                throw new InputException(source + ": a Hammer StyleGAN2 of the resnet architecture (" + k + "); only the skip architecture (config F) is built");
            } else if (k.startsWith("synthesis.early_layer.")) {
                throw new InputException(source + ": a Hammer StyleGAN2 without a constant input (" + k + "); only const_input=True is built");
            } else {
                out.put(k, t); // reported as unexpected by StyleGan2.build
            }
        }
        return out;
    }

    private static void hammerField(Map<String, Tensor> out, String prefix, String rest, Tensor t, String key, String source) {
        switch (rest) {
            case "weight", "bias", "noise_strength" -> out.put(prefix + "." + rest, t);
            case "style.weight" -> out.put(prefix + ".affine.weight", t);
            case "style.bias" -> out.put(prefix + ".affine.bias", t);
            case "noise" -> {
                if (t.dim() != 4 || t.size(0) != 1 || t.size(1) != 1)
                    throw new InputException(source + ": " + key + " is " + ganfactor.torch.Torch.shapeString(t) + "; only spatial noise [1, 1, r, r] is built (noise_type 'spatial')");
                out.put(prefix + ".noise_const", t.reshape(t.size(-2), t.size(-1)));
            }
            case "filter" -> checkFilter(t, key, source, 1.0);
            default -> out.put(key, t);
        }
    }

    private static void layer(Map<String, Tensor> out, String prefix, String rest, Tensor t, String key, String source) {
        switch (rest) {
            case "conv.weight" -> out.put(prefix + ".weight", squeeze0(t));
            case "conv.modulation.weight" -> out.put(prefix + ".affine.weight", t);
            case "conv.modulation.bias" -> out.put(prefix + ".affine.bias", t);
            case "noise.weight" -> out.put(prefix + ".noise_strength", t.reshape());
            case "activate.bias" -> out.put(prefix + ".bias", t);
            case "bias" -> out.put(prefix + ".bias", t.reshape(-1));  // ToRGB [1, 3, 1, 1]
            case "conv.blur.kernel", "upsample.kernel" -> checkFilter(t, key, source, 4.0);
            default -> out.put(key, t);
        }
    }

    /** rosinality keeps [1, ...] leading singleton dims on weights and the constant input. */
    private static Tensor squeeze0(Tensor t) {
        return t.dim() > 0 && t.size(0) == 1 ? t.squeeze(0) : t;
    }

    /** Resampling filters are fixed buffers; only the standard [1,3,3,1] filter is supported. */
    private static void checkFilter(Tensor t, String key, String source, double gain) {
        if (t.numel() != 16)
            throw new InputException(source + ": " + key + " is not a 4x4 [1,3,3,1] FIR filter (" + t.numel() + " values); only the standard filter is supported");
        double[] f = {1, 3, 3, 1};
        double[] v = ganfactor.torch.Torch.toDoubles(t.reshape(16));
        double sum = 0;
        for (double x : v) sum += x;
        for (int i = 0; i < 16; i++) {
            double expect = f[i / 4] * f[i % 4] / 64.0 * gain;
            if (Math.abs(v[i] / sum * gain - expect) > 1e-6)
                throw new InputException(source + ": " + key + " is not the [1,3,3,1] FIR filter; only the standard filter is supported");
        }
    }

    /**
     * The architecture of NVlabs-named weights, from their shapes: resolution, z/w dims, mapping
     * depth, channel base and maximum. The mapping learning-rate multiplier and conv clamp cannot be
     * read off shapes: they come from {@code options} (keys lrmul, clamp; defaults 0.01, none).
     */
    public static StyleGan2.Config infer(Map<String, Tensor> w, Map<String, String> options, String source) {
        Tensor fc0 = need(w, "mapping.fc0.weight", source);
        int wDim = (int) fc0.size(0), zDim = (int) fc0.size(1);
        int map = 0;
        while (w.containsKey("mapping.fc" + map + ".weight")) map++;
        int res = 4;
        while (w.containsKey("synthesis.b" + (res * 2) + ".torgb.weight")) res *= 2;
        if (res < 8) throw new InputException(source + ": no synthesis blocks above 4 px (synthesis.b8.*)");
        int cmax = channelsAt(w, 4, source);
        int base = cmax * res;
        for (int r = 8; r <= res; r *= 2) {
            int ch = channelsAt(w, r, source);
            if (ch < cmax) { base = ch * r; break; }
        }
        double lr = 0.01, clamp = Double.NaN;
        String v;
        try {
            if ((v = options.get("lrmul")) != null) lr = Double.parseDouble(v);
            if ((v = options.get("clamp")) != null && !v.isBlank() && !v.equalsIgnoreCase("none")) clamp = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new InputException(source + ": lrmul/clamp options need numbers: " + options);
        }
        StyleGan2.Config c = new StyleGan2.Config(res, zDim, wDim, map, lr, base, cmax, clamp, 3);
        for (int r = 4; r <= res; r *= 2) {
            int ch = channelsAt(w, r, source);
            if (ch != c.channels(r))
                throw new InputException(source + ": channels " + ch + " at " + r + " px do not follow min(base / res, max) with base " + base
                        + " and max " + cmax + "; custom channel schedules are not supported");
        }
        return c;
    }

    /**
     * Channels of the block at {@code res}, from whichever of its tensors is present (so that a
     * missing tensor is reported with all the others by {@link StyleGan2#build}, not here).
     */
    private static int channelsAt(Map<String, Tensor> w, int res, String source) {
        String b = "synthesis.b" + res;
        for (String k : new String[]{".conv1.weight", ".conv1.bias", ".conv0.weight", ".conv0.bias", ".torgb.affine.bias"}) {
            Tensor t = w.get(b + k);
            if (t != null && t.dim() >= 1) return (int) t.size(0);
        }
        Tensor rgb = w.get(b + ".torgb.weight");
        if (rgb != null && rgb.dim() >= 2) return (int) rgb.size(1);
        throw new InputException(source + ": no tensors of block " + b + " (conv1, conv0, torgb) to read its channels from");
    }

    private static Tensor need(Map<String, Tensor> w, String k, String source) {
        Tensor t = w.get(k);
        if (t == null) throw new InputException(source + ": missing " + k);
        return t;
    }

    /** Parses {@code key=value,key=value} generator options (after '#' in a --model spec). */
    public static Map<String, String> options(String s) {
        Map<String, String> m = new LinkedHashMap<>();
        if (s == null || s.isBlank()) return m;
        for (String p : s.split(",")) {
            int eq = p.indexOf('=');
            if (eq < 0) throw new InputException("generator option '" + p + "' must be key=value (key, clamp, lrmul, seed; PGGAN: fused; StyleGAN3: img_size, tx, ty, rotate)");
            String k = p.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (!List.of("key", "clamp", "lrmul", "seed", "fused", "truncation", "img_size", "tx", "ty", "rotate").contains(k))
                throw new InputException("unknown generator option '" + k + "' (key, clamp, lrmul, seed; PGGAN: fused; StyleGAN v1: fused, truncation; StyleGAN3: img_size, tx, ty, rotate)");
            m.put(k, p.substring(eq + 1).trim());
        }
        return m;
    }
}
