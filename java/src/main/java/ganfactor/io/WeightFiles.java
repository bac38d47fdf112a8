package ganfactor.io;

import ganfactor.InputException;
import org.bytedeco.pytorch.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import static ganfactor.InputException.ref;

/**
 * One entry point for generator weights, dispatching on the file's content (not its name):
 * <ul>
 *   <li>safetensors ({@link Safetensors});</li>
 *   <li>a {@code torch.save} zip archive holding a (possibly nested) dict of tensors
 *       ({@link StateDict});</li>
 *   <li>recognised but not readable without Python, each with a message saying what to run:
 *       a TorchScript archive, an NVlabs {@code .pkl} (a plain Python pickle), a legacy
 *       (pre-1.6) torch.save file.</li>
 * </ul>
 */
public final class WeightFiles {
    private static final byte[] ZIP = {'P', 'K', 3, 4};
    /** torch.save's legacy format starts with pickle protocol 2 and the long 0x1950a86a20f9469cfc6c. */
    private static final byte[] LEGACY_TORCH = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};
    static final String CONVERT = "convert it where PyTorch is installed: python tools/save_safetensors.py ";

    private WeightFiles() {}

    /**
     * A generator's weights: tensor name to CPU tensor (contiguous, owning and retained), in the
     * file's order. {@code format} is "safetensors" or "torch.save"; {@code keyPath} the sub-dict
     * that was chosen ("" for the top level); {@code metadata} the safetensors metadata (empty for
     * torch.save files). Closing releases every tensor.
     */
    public record Weights(String source, String format, String keyPath, Map<String, Tensor> tensors, Map<String, String> metadata)
            implements AutoCloseable {
        /** The tensor called {@code name}, or an input error naming the file and the tensor. */
        public Tensor require(String name) {
            Tensor t = tensors.get(name);
            if (t == null) throw new InputException(source + ": no tensor '" + name + "'" + (keyPath.isEmpty() ? "" : " in '" + keyPath + "'"));
            return t;
        }

        /** The tensor called {@code name} with exactly {@code shape}, or an input error naming both. */
        public Tensor require(String name, long... shape) {
            Tensor t = require(name);
            long[] have = ganfactor.torch.Torch.shape(t);
            if (!Arrays.equals(have, shape))
                throw new InputException(source + ": tensor '" + name + "' has shape " + Arrays.toString(have) + ", expected " + Arrays.toString(shape));
            return t;
        }

        /**
         * Checks the names and shapes against {@code expected} (name to shape) and throws one
         * input error listing, by name, every missing, mis-shaped and unexpected tensor (extra
         * tensors for which {@code ignoreExtra} is true are allowed, e.g. a discriminator's or
         * buffers the architecture recomputes). Lists longer than 8 are cut with a count.
         */
        public void expect(Map<String, long[]> expected, java.util.function.Predicate<String> ignoreExtra) {
            java.util.List<String> missing = new java.util.ArrayList<>(), shapes = new java.util.ArrayList<>(), extra = new java.util.ArrayList<>();
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                Tensor t = tensors.get(e.getKey());
                if (t == null) missing.add(e.getKey());
                else if (!Arrays.equals(ganfactor.torch.Torch.shape(t), e.getValue()))
                    shapes.add(e.getKey() + " " + Arrays.toString(ganfactor.torch.Torch.shape(t)) + " (expected " + Arrays.toString(e.getValue()) + ")");
            }
            for (String name : tensors.keySet())
                if (!expected.containsKey(name) && (ignoreExtra == null || !ignoreExtra.test(name))) extra.add(name);
            if (missing.isEmpty() && shapes.isEmpty() && extra.isEmpty()) return;
            StringBuilder sb = new StringBuilder(source + ": weights do not match the architecture:");
            list(sb, "missing", missing);
            list(sb, "wrong shape", shapes);
            list(sb, "unexpected", extra);
            throw new InputException(sb.toString());
        }

        private static void list(StringBuilder sb, String what, java.util.List<String> names) {
            if (names.isEmpty()) return;
            sb.append(' ').append(names.size()).append(' ').append(what).append(": ");
            sb.append(String.join(", ", names.subList(0, Math.min(8, names.size()))));
            if (names.size() > 8) sb.append(", ... (").append(names.size() - 8).append(" more)");
            sb.append(';');
        }

        /** Number of scalar values over all tensors. */
        public long numel() {
            long n = 0;
            for (Tensor t : tensors.values()) n += t.numel();
            return n;
        }

        @Override
        public void close() {
            java.util.Set<Tensor> done = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (Tensor t : tensors.values()) if (done.add(t)) t.close();
        }
    }

    /**
     * Reads the weights in {@code file}. {@code keyPath} selects a sub-dict of a torch.save
     * checkpoint ('/'-separated, e.g. {@code g_ema}; null or "" = automatic, see
     * {@link StateDict#AUTO_KEYS}) or, for safetensors, the tensors whose names start with
     * {@code keyPath + "."} (the prefix is removed; null or "" = all tensors).
     */
    public static Weights read(Path file, String keyPath) {
        String f = file.toString();
        if (!Files.exists(file)) throw new InputException(f + ": no such file");
        if (Files.isDirectory(file)) throw new InputException(f + ": is a folder, expected a weight file (.safetensors or a torch.save .pt)");
        byte[] head = new byte[16];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            throw new InputException(f + ": no such file");
        } catch (IOException e) {
            throw new InputException(f + ": cannot read (" + e.getMessage() + ")");
        }
        if (n == 0) throw new InputException(f + ": empty file, expected weights (.safetensors or a torch.save .pt)");
        if (startsWith(head, n, ZIP)) {
            checkZip(file);
            return StateDict.read(file, keyPath);
        }
        if (startsWith(head, n, LEGACY_TORCH))
            throw new InputException(f + ": a torch.save file in the legacy (pre-1.6) format, which LibTorch cannot read; " + CONVERT + f + " OUT.safetensors");
        if ((head[0] & 0xff) == 0x80 && n > 1 && head[1] >= 2 && head[1] <= 5)
            throw new InputException(f + ": a plain Python pickle (" + describePickle(file) + "): its networks are rebuilt by running the source code stored in it, "
                    + "which ganfactor does not do; convert it where PyTorch is installed (the safetensors file then records its conv clamp): "
                    + "PYTHONPATH=/path/to/stylegan2-ada-pytorch python tools/save_safetensors.py " + f + " OUT.safetensors --trust-pickle");
        if (Safetensors.looksLike(file)) return select(Safetensors.read(file), keyPath, f);
        throw new InputException(f + ": not a weight file ganfactor reads (expected safetensors or a torch.save zip archive; first bytes "
                + hex(head, Math.min(n, 8)) + ")");
    }

    private static Weights select(Safetensors.Contents c, String keyPath, String f) {
        String key = keyPath == null ? "" : keyPath.strip();
        if (key.isEmpty()) return new Weights(f, "safetensors", "", c.tensors(), c.metadata());
        Map<String, Tensor> chosen = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
            if (e.getKey().startsWith(key + ".")) chosen.put(e.getKey().substring(key.length() + 1), e.getValue());
            else e.getValue().close();
        }
        if (chosen.isEmpty()) {
            String some = String.join(", ", c.tensors().keySet().stream().limit(5).toList());
            throw new InputException(f + ": no tensor names start with '" + key + ".' (names are like " + some + "); leave the key out for a safetensors file holding one network");
        }
        return new Weights(f, "safetensors", key, chosen, c.metadata());
    }

    /** A zip that is a TorchScript module or not a checkpoint at all is explained before LibTorch sees it. */
    private static void checkZip(Path file) {
        String f = file.toString();
        boolean data = false, code = false;
        try (ZipFile z = new ZipFile(file.toFile())) {
            for (Enumeration<? extends ZipEntry> en = z.entries(); en.hasMoreElements(); ) {
                String name = en.nextElement().getName();
                if (name.endsWith("/data.pkl") || name.equals("data.pkl")) data = true;
                if (name.endsWith("/constants.pkl") || name.contains("/code/")) code = true;
            }
        } catch (ZipException e) {
            throw new InputException(f + ": a damaged zip archive (" + e.getMessage() + "); a torch.save checkpoint is a zip archive");
        } catch (IOException e) {
            throw new InputException(f + ": cannot read (" + e.getMessage() + ")");
        }
        if (code)
            throw new InputException(f + ": a TorchScript module, not a state dict: pass it to ganfactor as the model (" + ref("model") + " " + f
                    + ") if it follows the generator contract (tools/export_torchscript.py makes one), or save its weights with tools/save_safetensors.py");
        if (!data) throw new InputException(f + ": a zip archive without data.pkl, not a torch.save checkpoint");
    }

    /**
     * What a plain pickle holds, read without running code ({@link TorchPickle#scanPlain}): for an
     * NVlabs network pickle, the generator's class and the conv clamp of its init kwargs
     * (synthesis_kwargs.conv_clamp; NVlabs' default None when absent). "an NVlabs network .pkl?"
     * when the scan cannot tell.
     */
    static String describePickle(Path file) {
        try {
            if (Files.size(file) > Integer.MAX_VALUE - 64) return "an NVlabs network .pkl?";
            Object root = TorchPickle.scanPlain(Files.readAllBytes(file), file.toString());
            if (!(root instanceof Map<?, ?> top)) return "an NVlabs network .pkl?";
            for (String key : new String[]{"G_ema", "G"}) {
                if (!(top.get(key) instanceof Map<?, ?> meta) || !(meta.get("state") instanceof Map<?, ?> state)) continue;
                String clamp = "conv clamp not recorded";
                if (state.get("_init_kwargs") instanceof Map<?, ?> kw) {
                    Object syn = kw.get("synthesis_kwargs");
                    Object c = syn instanceof Map<?, ?> sk ? sk.get("conv_clamp") : null;
                    clamp = "conv_clamp " + (c == null ? "None" : c) + " in its init kwargs";
                }
                return "an NVlabs network pickle: " + key + " is " + meta.get("class_name") + ", " + clamp;
            }
            return "no NVlabs G_ema or G in it";
        } catch (IOException | RuntimeException e) {
            return "an NVlabs network .pkl?";
        }
    }

    private static boolean startsWith(byte[] head, int n, byte[] magic) {
        return n >= magic.length && Arrays.equals(head, 0, magic.length, magic, 0, magic.length);
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(String.format("%02x", b[i] & 0xff));
        return sb.toString();
    }

    static String firstLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) return e.getClass().getSimpleName();
        m = m.strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).strip();
    }
}
