package ganfactor.generator;

import ganfactor.InputException;
import ganfactor.torch.Torch;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Method;
import org.bytedeco.pytorch.MethodOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.bytedeco.pytorch.global.torch.ScalarType;
import static ganfactor.InputException.ref;

/**
 * A generator behind the ganfactor contract: a TorchScript module with
 * <ul>
 *   <li>{@code synthesis(wp: Tensor[B, L, d]) -> Tensor[B, C, H, W]}, values in [-1, 1];</li>
 *   <li>optional {@code mapping(z: Tensor[B, d]) -> Tensor[B, d]} (identity when absent);</li>
 *   <li>integer attributes {@code num_layers} (L) and {@code latent_dim} (d);</li>
 *   <li>optional tensor attribute {@code w_avg} [d] for truncation.</li>
 * </ul>
 * On load ganfactor adds its own TorchScript methods ({@code gf_wp}, {@code gf_view},
 * {@code gf_jvp}) so that latent-space handling, the Jacobian view and forward-mode dual numbers
 * all run inside one scripted graph.
 */
public final class Generator implements AutoCloseable {
    private final JitModule module;
    private final String source;
    private final int latentDim;
    private final int numLayers;
    private final boolean hasMapping;
    private final int channels, height, width;
    private ScalarType dtype = ScalarType.Float;
    private StyleGan2.Config styleGan2;
    private ganfactor.torch.ComputeDevice device = ganfactor.torch.ComputeDevice.CPU;
    /** Where the conv clamp of a StyleGAN2 built from a weight file came from (null otherwise). */
    private String clampSource;
    private final java.util.List<String> warnings = new java.util.ArrayList<>();
    private volatile boolean closed;

    private Generator(JitModule module, String source) {
        this(module, source, null);
    }

    /**
     * {@code built}: the StyleGAN2 configuration when ganfactor built the module in this process
     * (float32, output [1, 3, res, res] by construction), so the probe forward pass is skipped; null
     * for any other module, which is probed with a zero code.
     */
    private Generator(JitModule module, String source, StyleGan2.Config built) {
        this.module = module;
        this.styleGan2 = built;
        this.source = source;
        this.latentDim = intAttr(module, "latent_dim", source);
        this.numLayers = intAttr(module, "num_layers", source);
        if (latentDim <= 0 || numLayers <= 0)
            throw new InputException(source + ": latent_dim and num_layers must be positive, got " + latentDim + " and " + numLayers);
        if (!has(module, "synthesis"))
            throw new InputException(source + ": the module has no method synthesis(wp) required by the generator contract");
        this.hasMapping = has(module, "mapping");
        module.eval();
        installHelpers();
        long[] shape = built == null ? null : new long[]{1, built.imageChannels(), built.resolution(), built.resolution()};
        RuntimeException failure = null;
        // The module's precision: float32 as usual, float64 when its weights are (the demo is built in float64).
        for (ScalarType t : new ScalarType[]{ScalarType.Float, ScalarType.Double}) {
            if (shape != null) break;
            try (org.bytedeco.pytorch.NoGradGuard ng = new org.bytedeco.pytorch.NoGradGuard()) {
                Tensor img = synthesis(torch.zeros(new long[]{1, numLayers, latentDim}, Torch.options(t)));
                shape = Torch.shape(img);
                dtype = t;
                break;
            } catch (RuntimeException e) {
                if (failure == null) failure = e;
            }
        }
        if (shape == null)
            throw new InputException(source + ": synthesis failed on a zero code of shape [1, " + numLayers + ", " + latentDim + "]: " + oneLine(failure), failure);
        if (shape.length != 4 || shape[0] != 1 || (shape[1] != 1 && shape[1] != 3))
            throw new InputException(source + ": synthesis must return [B, 3, H, W] (or [B, 1, H, W]), got " + Arrays.toString(shape));
        this.channels = (int) shape[1];
        this.height = (int) shape[2];
        this.width = (int) shape[3];
    }

    /** Opens {@code demo} (the built-in generator) or a TorchScript file. */
    public static Generator open(String spec) {
        if (spec.equals("demo")) return demo();
        if (spec.startsWith("stylegan2:")) return styleGan2(spec.substring("stylegan2:".length()));
        if (spec.startsWith("stylegan3:")) return styleGan3(spec.substring("stylegan3:".length()));
        int hash = spec.lastIndexOf('#');
        String path = hash > 0 ? spec.substring(0, hash) : spec;
        Map<String, String> options = StyleGan2Weights.options(hash > 0 ? spec.substring(hash + 1) : null);
        Path file = Path.of(path);
        ganfactor.io.InputFiles.requireReadable(file);
        if (options.isEmpty() && !ganfactor.io.Safetensors.looksLike(file)) {
            JitModule m = null;
            try {
                m = torch.load(file.toString());
            } catch (RuntimeException e) {
                // not TorchScript: a torch.save state dict, or something WeightFiles explains
            }
            if (m != null) return new Generator(m, file.toString());
        }
        return fromWeights(file, options);
    }

    /**
     * A StyleGAN2 from a weight file (safetensors or a torch.save state dict) in NVlabs or
     * rosinality names. The architecture is read off the tensor shapes; what shapes cannot say
     * comes from the file's metadata (ganfactor's and tools/save_safetensors.py's) or from
     * {@code options}: {@code key} (sub-dict), {@code clamp} (conv clamp), {@code lrmul} (mapping
     * learning-rate multiplier, default 0.01), {@code seed} (for w_avg when the file has none).
     */
    public static Generator fromWeights(Path file, Map<String, String> options) {
        String source = file.toString();
        JitModule m = StyleGan2.module(); // before the scope: the module outlives it
        JitModule pggan = Pggan.module();
        JitModule styleGan = StyleGan1.module();
        JitModule styleGan3 = StyleGan3.module();
        JitModule own = null;
        StyleGan2.Config c;
        String clampFrom;
        // Closed in reverse order: the scope (renamed and reshaped views of the weights) first, then the weights.
        try (ganfactor.io.WeightFiles.Weights w = ganfactor.io.WeightFiles.read(file, options.get("key"));
             org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            if (StyleGan3.looksLike(w.tensors())) {
                for (String k : options.keySet())
                    if (!List.of("key", "img_size", "tx", "ty", "rotate").contains(k))
                        throw new InputException(source + ": option #" + k + " does not apply to a StyleGAN3 (its options: key, img_size, tx, ty, rotate)");
                StyleGan3.fill(styleGan3, StyleGan3.canonical(w.tensors(), options.get("img_size"), source), StyleGan3.transformOption(options, source), source);
                own = styleGan3;
                c = null;
                clampFrom = null;
            } else if (Pggan.looksLike(w.tensors())) {
                for (String k : options.keySet())
                    if (!k.equals("key") && !k.equals("fused"))
                        throw new InputException(source + ": option #" + k + " does not apply to a PGGAN (its options: key, fused)");
                Pggan.fill(pggan, Pggan.canonical(w.tensors(), options.get("fused"), source), source);
                own = pggan;
                c = null;
                clampFrom = null;
            } else if (StyleGan1.looksLike(w.tensors())) {
                for (String k : options.keySet())
                    if (!List.of("key", "fused", "truncation").contains(k))
                        throw new InputException(source + ": option #" + k + " does not apply to a StyleGAN (v1) (its options: key, fused, truncation)");
                StyleGan1.fill(styleGan, StyleGan1.canonical(w.tensors(), options, source), source);
                own = styleGan;
                c = null;
                clampFrom = null;
            } else {
                if (options.containsKey("truncation")) throw new InputException(source + ": option #truncation applies to StyleGAN (v1) files only; use " + ref("truncation"));
                if (options.containsKey("fused")) throw new InputException(source + ": option #fused applies to PGGAN files only");
                for (String k : List.of("img_size", "tx", "ty", "rotate"))
                    if (options.containsKey(k)) throw new InputException(source + ": option #" + k + " applies to StyleGAN3 files only");
                Map<String, String> fromFile = metadataOptions(w.metadata());
                Map<String, String> o = new java.util.LinkedHashMap<>(fromFile);
                o.putAll(options);
                clampFrom = options.containsKey("clamp") ? "option #clamp=" + options.get("clamp")
                        : fromFile.containsKey("clamp") ? "file metadata"
                        : StyleGan2Weights.detect(w.tensors(), source) == StyleGan2Weights.Layout.HAMMER ? HAMMER_CLAMP : null;
                Map<String, Tensor> nv = StyleGan2Weights.toNvlabs(w.tensors(), source);
                c = StyleGan2Weights.infer(nv, o, source);
                long seed;
                try {
                    seed = Long.parseLong(o.getOrDefault("seed", "0"));
                } catch (NumberFormatException e) {
                    throw new InputException(source + ": seed must be an integer, got " + o.get("seed"));
                }
                StyleGan2.fill(m, c, nv, seed, true);
            }
        }
        if (c == null) return new Generator(own, source);
        Generator g = wrap(m, source, c);
        g.clampSource = clampFrom == null ? UNKNOWN_CLAMP_RECORD : clampFrom;
        if (clampFrom == null)
            g.warnings.add(UNKNOWN_CLAMP + "; a model trained with a clamp (stylegan2-ada: 256) then gives wrong images:"
                    + " give it as " + source + "#clamp=256, or " + source + "#clamp=none to say there is none");
        return g;
    }

    /** A Hammer checkpoint records no clamp, and the ReSeFa scripts build its generator without one: the official answer, so no warning. */
    static final String HAMMER_CLAMP = "none, as the ReSeFa scripts build a Hammer checkpoint (conv_clamp=None; #clamp= gives one)";
    static final String UNKNOWN_CLAMP = "conv clamp unknown (the file does not record it: a plain state dict, rosinality names or no metadata), assumed none";
    static final String UNKNOWN_CLAMP_RECORD = "unknown/assumed none (not recorded in the file, no #clamp= given)";

    /**
     * The conv clamp for the JSON records: its value and where it came from ("file metadata",
     * "option #clamp=...", "unknown/assumed none ...", "built by ganfactor" for stylegan2:RES);
     * "not applicable" for TorchScript and demo generators, whose modules carry their own.
     */
    /** What the user should hear about this generator (an unknown conv clamp, say): the front end says it; the library prints nothing. */
    public java.util.List<String> warnings() {
        return java.util.List.copyOf(warnings);
    }

    public Map<String, Object> convClampRecord() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        if (styleGan2 == null) {
            m.put("value", null);
            m.put("source", "not applicable (the module's own code)");
            return m;
        }
        m.put("value", styleGan2.clamped() ? styleGan2.convClamp() : "none");
        m.put("source", clampSource != null ? clampSource : "built by ganfactor (" + source + ")");
        return m;
    }

    /** Architecture facts recorded in a weight file's metadata (ganfactor export; NVlabs init_kwargs). */
    static Map<String, String> metadataOptions(Map<String, String> meta) {
        Map<String, String> o = new java.util.LinkedHashMap<>();
        if (meta.containsKey("conv_clamp")) o.put("clamp", meta.get("conv_clamp"));
        if (meta.containsKey("mapping_lr_mul")) o.put("lrmul", meta.get("mapping_lr_mul"));
        String kw = meta.get("init_kwargs");
        if (kw != null) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"conv_clamp\"\\s*:\\s*([-0-9.eE+]+|null)").matcher(kw);
            if (m.find()) o.put("clamp", m.group(1).equals("null") ? "none" : m.group(1));
            else o.put("clamp", "none");   // NVlabs' own default (conv_clamp=None) when the init kwargs do not set it
            m = java.util.regex.Pattern.compile("\"lr_multiplier\"\\s*:\\s*([-0-9.eE+]+)").matcher(kw);
            if (m.find()) o.put("lrmul", m.group(1));
        }
        return o;
    }

    /**
     * A randomly initialised StyleGAN2 (for benchmarks and tests): {@code RES[:key=value]...}, see
     * {@link StyleGan2.Config#parse}; {@code seed=N} picks the weights (default 0).
     */
    public static Generator styleGan2(String spec) {
        StyleGan2.Config c = StyleGan2.Config.parse(spec);
        long seed = StyleGan2.Config.seed(spec, 0);
        return wrap(StyleGan2.random(c, seed), "stylegan2:" + spec, c);
    }

    /** A random StyleGAN3 of the published schedule and sizes, designed filters ({@link StyleGan3Design}): {@code RES[:cfg=t|r][:cbase=..][:cmax=..][:zdim=..][:map=..][:seed=..]}. */
    public static Generator styleGan3(String spec) {
        StyleGan3.Config c = StyleGan3Design.parse(spec);
        return wrap(StyleGan3Design.random(c, StyleGan3Design.seed(spec, 0), "stylegan3:" + spec), "stylegan3:" + spec);
    }

    /** What {@code --model} takes, for every front end's help (one wording). */
    public static final String MODEL_SPECS = "demo (built-in), stylegan2:RES[:key=value...] or stylegan3:RES[:cfg=t|r...] (random, published sizes), "
            + "a checkpoint (StyleGAN2: NVlabs, rosinality, Hammer; StyleGAN3 R/T: Hammer, NVlabs; InterFaceGAN PGGAN, StyleGAN; FILE#key=value,...) "
            + "or a TorchScript generator file";

    /** A generator over a module built in this process (no file round trip). */
    public static Generator wrap(JitModule module, String source) {
        return new Generator(module, source);
    }

    /** A StyleGAN2 built in this process; remembers its configuration (for export). */
    public static Generator wrap(JitModule module, String source, StyleGan2.Config config) {
        return new Generator(module, source, config);
    }

    /** The StyleGAN2 configuration when this generator was built by ganfactor's StyleGAN2 builder, else null. */
    public StyleGan2.Config styleGan2Config() { return styleGan2; }

    /**
     * Whether Z codes of this generator live on the sphere of radius sqrt(d) (InterFaceGAN's
     * preprocess for PGGAN: the model normalises z anyway, so images do not change, but codes,
     * boundaries and edits are on that sphere). Read from the module's {@code gf_z_sphere}.
     */
    /** Whether the module maps W codes to W+ itself ({@code gf_w_to_wp}: InterFaceGAN's StyleGAN truncates there) rather than by copying w to every layer. */
    public boolean ownWToWp() {
        return has(module, "gf_w_to_wp");
    }

    public boolean zSphere() {
        if (!module.hasattr("gf_z_sphere")) return false;
        IValue v = module.attr("gf_z_sphere");
        return v.isInt() && v.toInt() == 1;
    }

    public static Generator load(Path file) {
        ganfactor.io.InputFiles.requireReadable(file);
        JitModule m;
        try {
            m = torch.load(file.toString());
        } catch (RuntimeException e) {
            throw new InputException(file + ": not a TorchScript module (" + oneLine(e) + ")", e);
        }
        return new Generator(m, file.toString());
    }

    /** The built-in demo generator, built in Java, saved and reloaded through the same contract as any file. */
    public static Generator demo() {
        JitModule built = DemoGenerator.build(DemoGenerator.DEFAULT_SEED);
        try {
            Path tmp = Files.createTempFile("ganfactor-demo", ".pt");
            try {
                built.save(tmp.toString());
                Generator g = new Generator(torch.load(tmp.toString()), "demo");
                return g;
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void installHelpers() {
        if (has(module, "gf_view")) return;
        String toW = hasMapping ? "self.mapping(x)" : "x";
        // a module may map W to W+ itself (InterFaceGAN's StyleGAN truncates there, as its wrapper does)
        String toWp = ownWToWp() ? "self.gf_w_to_wp(x)" : "x.unsqueeze(1).expand(x.size(0), %L%, %D%)";
        module.define("""
            def gf_wp(self, x: Tensor, space: int) -> Tensor:
                if space == 2:
                    return x.reshape(x.size(0), %L%, %D%)
                if space == 0:
                    x = %TOW%
                return %TOWP%

            def gf_view(self, x: Tensor, space: int, rows: Tensor, cols: Tensor, reduce: int) -> Tensor:
                return self.gf_reduce(self.synthesis(self.gf_wp(x, space)), rows, cols, reduce)

            def gf_reduce(self, img: Tensor, rows: Tensor, cols: Tensor, reduce: int) -> Tensor:
                if rows.numel() > 0:
                    img = img.index_select(2, rows)
                if cols.numel() > 0:
                    img = img.index_select(3, cols)
                if reduce == 0:
                    img = img.sum(1)
                elif reduce == 1:
                    img = img.mean(1)
                return img.reshape(img.size(0), -1)

            def gf_jvp_dual(self, x: Tensor, v: Tensor, space: int, rows: Tensor, cols: Tensor, reduce: int, level: int) -> Tensor:
                y = self.gf_view(torch._make_dual(x, v, level), space, rows, cols, reduce)
                return torch._unpack_dual(y, level)[1]
            """.replace("%TOWP%", toWp).replace("%L%", String.valueOf(numLayers)).replace("%D%", String.valueOf(latentDim)).replace("%TOW%", toW));
        // Forward-mode Jacobian columns: dual numbers through the whole graph, or, when the module
        // propagates synthesis tangents itself (StyleGAN2's gf_synthesis_jvp), dual numbers only up to
        // the W+ code and the module's own tangent pass from there (primal once, not per column).
        if (has(module, "gf_synthesis_jvp")) {
            module.define("""
                def gf_jvp(self, x: Tensor, v: Tensor, space: int, rows: Tensor, cols: Tensor, reduce: int, level: int) -> Tensor:
                    p = torch._unpack_dual(self.gf_wp(torch._make_dual(x, v, level), space), level)
                    return self.gf_reduce(self.gf_synthesis_jvp(p[0][0:1], p[1]), rows, cols, reduce)
                """);
        } else {
            module.define("""
                def gf_jvp(self, x: Tensor, v: Tensor, space: int, rows: Tensor, cols: Tensor, reduce: int, level: int) -> Tensor:
                    return self.gf_jvp_dual(x, v, space, rows, cols, reduce, level)
                """);
        }
    }

    // ---- contract ----------------------------------------------------------------------------

    /**
     * Frees the module (its parameters and buffers, on the host or the device) now rather than
     * when the garbage collector gets to it. Idempotent; any later use of this generator throws
     * {@link IllegalStateException}.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        module.close();
    }

    public boolean isClosed() { return closed; }

    private JitModule live() {
        if (closed) throw new IllegalStateException(source + ": this generator was closed");
        return module;
    }

    public int latentDim() { return latentDim; }
    public int numLayers() { return numLayers; }
    public boolean hasMapping() { return hasMapping; }
    public int channels() { return channels; }
    public int height() { return height; }
    public int width() { return width; }
    public String source() { return source; }
    public ScalarType dtype() { return dtype; }
    public JitModule module() { return live(); }

    /** Converts parameters and buffers (float64 for exact validation, float32 for speed). */
    public Generator to(ScalarType type) {
        live().to(type, false);
        this.dtype = type;
        return this;
    }

    /** The device the module's parameters and buffers live on. */
    public ganfactor.torch.ComputeDevice device() { return device; }

    /**
     * Moves parameters and buffers to {@code d} (a no-op for the CPU). Tensor arguments of
     * {@link #call} are moved to that device too, so every output of the module lives there.
     */
    public Generator to(ganfactor.torch.ComputeDevice d) {
        if (d.cuda() != device.cuda()) live().to(d.torch(), false);
        this.device = d;
        return this;
    }

    public boolean has(String method) { return has(live(), method); }

    /**
     * The module's optional hint {@code activation_elements}: elements of its widest activation per
     * sample (StyleGAN2 sets it); 0 when absent. The Jacobian engine sizes its chunks with it.
     */
    public long activationElements() {
        if (!live().hasattr("activation_elements")) return 0;
        IValue v = live().attr("activation_elements");
        return v.isInt() ? v.toInt() : 0;
    }

    /**
     * The module's optional hint {@code jacobian_chunk}: the most forward-mode columns per pass
     * that pay on this architecture (StyleGAN3-R sets 8); 0 when absent (the engine's own cap).
     */
    public int chunkHint() {
        if (!live().hasattr("jacobian_chunk")) return 0;
        IValue v = live().attr("jacobian_chunk");
        return v.isInt() ? (int) v.toInt() : 0;
    }

    public Tensor synthesis(Tensor wp) {
        return call("synthesis", wp);
    }

    public Tensor mapping(Tensor z) {
        return hasMapping ? call("mapping", z) : z;
    }

    /** The average w for truncation, or null when the module has no {@code w_avg}. */
    public Tensor wAvg() {
        if (!live().hasattr("w_avg")) return null;
        IValue v = live().attr("w_avg");
        if (!v.isTensor()) return null;
        return Torch.own(v).reshape(latentDim);
    }

    /** Latent code of the given space to W+ [B, L, d]. */
    public Tensor toWp(Tensor x, LatentSpace space) {
        return call("gf_wp", x, new IValue(space.code()));
    }

    /** Runs a scripted method and returns its tensor result as an owning copy (see docs/JAVACPP.md). */
    public Tensor call(String method, Object... args) {
        IValueVector in = new IValueVector();
        for (Object a : args) {
            if (a instanceof Tensor t) in.push_back(new IValue(device.cuda() && !t.is_cuda() ? t.to(device.torch(), t.scalar_type()) : t));
            else if (a instanceof IValue v) in.push_back(v);
            else if (a instanceof Integer i) in.push_back(new IValue((long) i));
            else if (a instanceof Long l) in.push_back(new IValue(l));
            else throw new IllegalArgumentException("unsupported argument " + a);
        }
        try {
            Method m = live().get_method(method);
            // OpenBLAS at one thread while the module runs: its pool and LibTorch's would oversubscribe the cores (ganfactor.torch.BlasPool)
            IValue out = ganfactor.torch.BlasPool.generatorWork(() -> m.apply(in));
            return Torch.own(out);
        } catch (RuntimeException e) {
            throw ganfactor.NativeException.wrap(source + ": " + method + "()", shapes(args), device == null ? null : device.label(), e);
        }
    }

    /** The shapes of a call's tensor arguments, for messages: "[4, 512], [4, 512]". */
    private static String shapes(Object... args) {
        StringBuilder sb = new StringBuilder();
        for (Object a : args)
            if (a instanceof Tensor t) sb.append(sb.length() == 0 ? "" : ", ").append(Torch.shapeString(t)).append(' ').append(t.scalar_type().toString().toLowerCase(java.util.Locale.ROOT));
        return sb.toString();
    }

    /** The value of a string-returning method (for example {@code part_names}), split on commas; empty when absent. */
    public List<String> stringList(String method) {
        if (!has(method)) return List.of();
        IValue out = live().get_method(method).apply(new IValueVector());
        String s = out.toStringRef().getString();
        return s.isEmpty() ? List.of() : new ArrayList<>(Arrays.asList(s.split(",")));
    }

    /**
     * The tensors of a no-argument method returning {@code List[Tensor]} (for example
     * {@code style_affines}), each an owning copy taken before the returned list goes away
     * (docs/JAVACPP.md). Throws {@link InputException} naming the method when the module lacks it
     * or it returns something else.
     */
    public List<Tensor> tensorList(String method) {
        if (!has(method))
            throw new InputException(source + ": the module has no method " + method + "() returning List[Tensor]");
        IValue out = live().get_method(method).apply(new IValueVector());
        if (!out.isTensorList())
            throw new InputException(source + ": " + method + "() must return List[Tensor], got " + out.tagKind().getString());
        org.bytedeco.pytorch.TensorVector v = out.toTensorVector();
        List<Tensor> list = new ArrayList<>((int) v.size());
        for (long i = 0; i < v.size(); i++) list.add(new Tensor(v.get(i)));
        return list;
    }

    /** A named tensor attribute or buffer, or null. */
    public Tensor tensorAttr(String name) {
        if (!live().hasattr(name)) return null;
        IValue v = live().attr(name);
        return v.isTensor() ? Torch.own(v) : null;
    }

    private static boolean has(JitModule m, String name) {
        MethodOptional o = m.find_method(name);
        return o.has_value();
    }

    private static int intAttr(JitModule m, String name, String source) {
        if (!m.hasattr(name))
            throw new InputException(source + ": the module has no integer attribute '" + name + "' required by the generator contract");
        IValue v = m.attr(name);
        if (v.isInt()) return (int) v.toInt();
        if (v.isTensor()) {
            Tensor t = Torch.own(v);
            if (t.numel() == 1) return (int) t.item_long();
        }
        throw new InputException(source + ": attribute '" + name + "' must be an int");
    }

    public static String oneLine(Throwable e) {
        return ganfactor.Messages.oneLine(e);
    }
}
