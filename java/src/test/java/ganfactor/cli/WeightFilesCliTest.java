package ganfactor.cli;

import ganfactor.Engine;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.StyleGan2;
import ganfactor.io.Safetensors;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** StyleGAN2 weight files end to end: export, reload through --model, other layouts, bad files. */
class WeightFilesCliTest {
    @TempDir
    Path tmp;

    static final String SPEC = "stylegan2:32:cbase=256:cmax=16:zdim=16:map=3:seed=11";

    @BeforeAll
    static void init() {
        Engine.init(0);
    }

    static double[] image(Generator g, long seed) {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            torch.manual_seed(seed);
            Tensor z = torch.randn(new long[]{2, g.latentDim()});
            return Torch.toDoubles(g.synthesis(g.toWp(z, LatentSpace.Z)));
        }
    }

    @Test
    void exportedWeightsAndModulesReloadBitwise() throws Exception {
        for (String spec : new String[]{SPEC, SPEC + ":clamp=0.3"}) {
            Generator built = Generator.open(spec);
            double[] want = image(built, 1);
            for (String file : new String[]{"g.safetensors", "g.pt"}) {
                Path f = tmp.resolve(spec.hashCode() + file);
                CliRun r = CliRun.run("export", "--model", spec, "--out", f.toString());
                assertEquals(0, r.code(), r.err());
                Generator loaded = Generator.open(f.toString());
                assertEquals(built.numLayers(), loaded.numLayers());
                assertArrayEquals(want, image(loaded, 1), 0.0, spec + " via " + file);
                assertArrayEquals(Torch.toDoubles(built.wAvg()), Torch.toDoubles(loaded.wAvg()), 0.0, "w_avg carried");
                if (file.endsWith("safetensors")) {
                    assertEquals(built.styleGan2Config(), loaded.styleGan2Config(), "architecture (clamp, lr multiplier) from the metadata");
                }
            }
        }
        // --force semantics: no silent overwrite
        Path f = tmp.resolve("again.pt");
        assertEquals(0, CliRun.run("export", "--model", SPEC, "--out", f.toString()).code());
        // the result has the permissions of any new file here (the umask), not a temporary file's 0600
        Path plain = Files.createFile(tmp.resolve("plain"));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(f));
        CliRun r = CliRun.run("export", "--model", SPEC, "--out", f.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("exists"), r.err());
    }

    /** A rosinality-named file (written here from the NVlabs names by rosinality's module layout) gives the same images. */
    @Test
    void rosinalityNamedSafetensorsLoad() {
        Generator nv = Generator.open(SPEC);
        Map<String, Tensor> ros = rosinality(nv);
        Path f = tmp.resolve("ros.safetensors");
        Safetensors.write(f, ros, Map.of());
        Generator loaded = Generator.open(f.toString());
        assertArrayEquals(image(nv, 2), image(loaded, 2), 0.0);
        assertArrayEquals(Torch.toDoubles(nv.wAvg()), Torch.toDoubles(loaded.wAvg()), 0.0, "latent_avg becomes w_avg");
    }

    /**
     * A rosinality checkpoint as torch.save writes it ({'g_ema': state dict, 'latent_avg': w}; here
     * LibTorch's pickle_save, the same zip + pickle format) through --model FILE.pt: not TorchScript,
     * so it is read as weights, g_ema picked, latent_avg taken as w_avg.
     */
    @Test
    void rosinalityTorchSaveCheckpointLoads() throws Exception {
        Generator nv = Generator.open(SPEC);
        Map<String, Tensor> ros = rosinality(nv);
        Tensor avg = ros.remove("latent_avg");
        org.bytedeco.pytorch.JitModule m = new org.bytedeco.pytorch.JitModule(new org.bytedeco.pytorch.QualifiedName("ckpt"));
        StringBuilder src = new StringBuilder("def sd(self) -> Dict[str, Dict[str, Tensor]]:\n    g: Dict[str, Tensor] = {}\n");
        int i = 0;
        for (Map.Entry<String, Tensor> e : ros.entrySet()) {
            m.register_buffer("t" + i, e.getValue().contiguous());
            src.append("    g['").append(e.getKey()).append("'] = self.t").append(i++).append("\n");
        }
        m.register_buffer("avg", avg.contiguous());
        src.append("    return {'g_ema': g, 'extra': {'latent_avg': self.avg}}\n");
        m.define(src.toString());
        Path f = tmp.resolve("550000.pt");
        Files.write(f, torch.pickle_save(m.get_method("sd").apply(new org.bytedeco.pytorch.IValueVector())).get());
        Generator loaded = Generator.open(f.toString());
        assertArrayEquals(image(nv, 3), image(loaded, 3), 0.0);
        // Without latent_avg beside g_ema the file has no w_avg: the mean of 10,000 mapped z (seeded) instead.
        assertEquals(nv.latentDim(), loaded.wAvg().numel());
        Generator other = Generator.open(f + "#key=g_ema,seed=1");
        assertArrayEquals(image(nv, 3), image(other, 3), 0.0);
    }

    static Map<String, Tensor> rosinality(Generator nv) {
        StyleGan2.Config c = nv.styleGan2Config();
        Map<String, Tensor> w = StyleGan2.weights(nv.module(), c);
        Map<String, Tensor> ros = new LinkedHashMap<>();
        for (int i = 0; i < c.mappingLayers(); i++) {
            ros.put("style." + (i + 1) + ".weight", w.get("mapping.fc" + i + ".weight"));
            ros.put("style." + (i + 1) + ".bias", w.get("mapping.fc" + i + ".bias"));
        }
        ros.put("input.input", w.get("synthesis.b4.const").unsqueeze(0));
        int conv = 0, rgb = 0, noise = 0;
        for (StyleGan2.Layer l : StyleGan2.layers(c)) {
            String dst = l.res() == 4 ? (l.toRgb() ? "to_rgb1" : "conv1") : l.toRgb() ? "to_rgbs." + (rgb++) : "convs." + (conv++);
            ros.put(dst + ".conv.weight", w.get(l.prefix() + ".weight").unsqueeze(0));
            ros.put(dst + ".conv.modulation.weight", w.get(l.prefix() + ".affine.weight"));
            ros.put(dst + ".conv.modulation.bias", w.get(l.prefix() + ".affine.bias"));
            if (l.toRgb()) ros.put(dst + ".bias", w.get(l.prefix() + ".bias").reshape(1, 3, 1, 1));
            else {
                ros.put(dst + ".noise.weight", w.get(l.prefix() + ".noise_strength").reshape(1));
                ros.put(dst + ".activate.bias", w.get(l.prefix() + ".bias"));
                Tensor n = w.get(l.prefix() + ".noise_const");
                ros.put("noises.noise_" + (noise++), n.reshape(1, 1, n.size(0), n.size(1)));
            }
        }
        ros.put("latent_avg", w.get("mapping.w_avg"));
        return ros;
    }

    /** Opens {@code spec} and returns what the loader printed on System.err (the clamp warning goes there). */
    /**
     * Opens {@code spec}; returns its conv-clamp warnings. The library prints nothing (issue 26): the
     * warning is the generator's, and nothing may reach stderr while it opens.
     */
    static String[] openCapturingStderr(String spec, Generator[] out) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        try {
            System.setErr(new java.io.PrintStream(bytes, true));
            out[0] = Generator.open(spec);
        } finally {
            System.setErr(saved);
        }
        assertEquals("", bytes.toString(), "the library printed");
        return out[0].warnings().stream().filter(l -> l.contains("conv clamp")).toArray(String[]::new);
    }

    /**
     * A model trained with a conv clamp, saved as a plain state dict (no metadata): the clamp cannot
     * be known, so loading warns on one line and the record says "unknown/assumed none"; the images
     * are then wrong (here by far more than float32 noise), and #clamp= or the file's metadata give
     * the right ones (bitwise: the same weights and graph) without a warning.
     */
    @Test
    void clampTrainedModelLoadedWithoutItsClampWarns() throws Exception {
        Generator trained = Generator.open(SPEC + ":clamp=0.5");
        double[] truth = image(trained, 3);
        Map<String, Tensor> w = StyleGan2.weights(trained.module(), trained.styleGan2Config());
        Path plain = tmp.resolve("plain.safetensors"), meta = tmp.resolve("meta.safetensors");
        Safetensors.write(plain, w, Map.of());
        Safetensors.write(meta, w, Map.of("init_kwargs", "{\"synthesis_kwargs\": {\"channel_base\": 256, \"conv_clamp\": 0.5}}"));

        Generator[] g = new Generator[1];
        String[] warn = openCapturingStderr(plain.toString(), g);
        assertEquals(1, warn.length, String.join("\n", warn));
        assertTrue(warn[0].startsWith("conv clamp unknown") && warn[0].contains("#clamp=256"), warn[0]);
        assertEquals("none", g[0].convClampRecord().get("value"));
        assertTrue(g[0].convClampRecord().get("source").toString().startsWith("unknown/assumed none"));
        double[] unclamped = image(g[0], 3);
        double rel = ganfactor.TestSupport.maxAbsDiff(unclamped, truth) / ganfactor.TestSupport.maxAbs(truth);
        assertTrue(rel > 1e-2, "the clamp matters for this model: " + rel);

        assertEquals(0, openCapturingStderr(plain + "#clamp=0.5", g).length, "no warning when the clamp is given");
        assertArrayEquals(truth, image(g[0], 3));
        assertEquals("option #clamp=0.5", g[0].convClampRecord().get("source"));
        assertEquals(0, openCapturingStderr(meta.toString(), g).length, "no warning when the NVlabs init kwargs say it");
        assertArrayEquals(truth, image(g[0], 3));
        assertEquals("file metadata", g[0].convClampRecord().get("source"));
        assertEquals(0.5, ((Number) g[0].convClampRecord().get("value")).doubleValue());

        // the command line says it on stderr, once, and the JSON record of a run says so
        Path out = tmp.resolve("j");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        CliRun r;
        try {
            System.setErr(new java.io.PrintStream(err, true));
            r = CliRun.run("jacobian", "--model", plain.toString(), "--region", "8,8,4,4", "--grid", "16", "--out", out.toString(), "--quiet");
        } finally {
            System.setErr(saved);
        }
        assertEquals(0, r.code(), r.err());
        assertEquals(1, err.toString().lines().filter(l -> l.startsWith("ganfactor: warning: " + plain) && l.contains("conv clamp unknown")).count(), err.toString());
        String json = Files.readString(out.resolve("jacobian.json"));
        assertTrue(json.contains("unknown/assumed none"), json);
    }

    @Test
    void badWeightFilesAreOneLineErrors() throws Exception {
        Generator nv = Generator.open(SPEC);
        Map<String, Tensor> w = new LinkedHashMap<>(StyleGan2.weights(nv.module(), nv.styleGan2Config()));
        w.remove("synthesis.b16.conv1.weight");
        w.put("synthesis.b8.torgb.bias", torch.zeros(new long[]{4}));
        w.put("discriminator.fc.weight", torch.zeros(new long[]{2}));
        Path f = tmp.resolve("bad.safetensors");
        Safetensors.write(f, w, Map.of());
        Path out = tmp.resolve("o");
        CliRun r = CliRun.run("jacobian", "--model", f.toString(), "--region", "ffhq:eyes", "--out", out.toString(), "--quiet");
        assertEquals(2, r.code(), r.err());
        String msg = r.err().strip();
        assertEquals(1, msg.lines().count(), msg);
        assertTrue(msg.contains("missing synthesis.b16.conv1.weight") && msg.contains("synthesis.b8.torgb.bias has shape [4]") && msg.contains("unexpected discriminator.fc.weight"), msg);
        assertFalse(Files.exists(out), "no output on error");

        Path junk = tmp.resolve("junk.pt");
        Files.write(junk, new byte[]{1, 2, 3, 4, 5});
        r = CliRun.run("export", "--model", junk.toString(), "--out", tmp.resolve("x.pt").toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        r = CliRun.run("export", "--model", f + "#colour=red", "--out", tmp.resolve("y.pt").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown generator option"), r.err());
        r = CliRun.run("export", "--model", "demo", "--out", tmp.resolve("demo.safetensors").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("only StyleGAN2"), r.err());
    }
}
