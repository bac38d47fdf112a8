package ganfactor.io;

import ganfactor.InputException;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * PyTorch checkpoints written by {@code torch.save} (the zip format of PyTorch 1.6 and later, and
 * LibTorch's {@code pickle_save}): a dict of tensors, possibly nested
 * ({@code {'g': ..., 'd': ..., 'g_ema': ..., 'latent_avg': ...}} as rosinality's checkpoints
 * are), unpickled by {@link TorchPickle} without running any code. Other Python objects in the
 * checkpoint (an {@code argparse.Namespace}, optimizer states) are skipped; a state dict that is
 * not a dict of tensors is reported with the keys it has.
 *
 * <p>Use {@link WeightFiles#read(Path, String)}, which also recognises safetensors files and
 * explains the formats it cannot read.
 */
public final class StateDict {
    /**
     * Sub-dicts tried, in order, when no key path is given: rosinality's and NVlabs' EMA generator,
     * a Lightning-style state_dict, and Hammer/genforce checkpoints (the ReSeFa repository's:
     * {@code ['models']['generator_smooth']}, else {@code ['models']['generator']}, as its scripts load them).
     */
    public static final List<String> AUTO_KEYS = List.of("g_ema", "G_ema", "state_dict", "models/generator_smooth", "models/generator");

    private StateDict() {}

    /**
     * Reads {@code file} (already known to be a torch.save zip archive) and picks the state dict
     * at {@code keyPath} ('/'-separated keys into nested dicts, e.g. {@code g_ema}); null or
     * empty picks the first of {@link #AUTO_KEYS} present, else the top level when it holds
     * tensors only. When the pick is a top-level entry, tensors beside it at the top level (such
     * as rosinality's {@code latent_avg}) are added under their own names unless a name is
     * taken. Tensors come back on the CPU, contiguous and retained (close them, or close the
     * returned {@link WeightFiles.Weights}).
     */
    static WeightFiles.Weights read(Path file, String keyPath) {
        String f = file.toString();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String pkl = null;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                String name = en.nextElement().getName();
                if ((name.endsWith("/data.pkl") || name.equals("data.pkl")) && (pkl == null || name.length() < pkl.length())) pkl = name;
            }
            if (pkl == null) throw new InputException(f + ": a zip archive without data.pkl, not a torch.save checkpoint");
            TorchPickle p = TorchPickle.parse(zip, pkl.substring(0, pkl.length() - "data.pkl".length()), f);
            if (!(p.root() instanceof Map<?, ?> m))
                throw new InputException(f + ": the checkpoint holds " + describe(p.root()) + ", expected a dict of tensors (a state dict)");
            Picked pk = pick(toTree(m, f, ""), keyPath, f);
            // only the chosen tensors are read; one tensor object per pickled tensor (shared ones stay shared)
            Map<String, Tensor> out = new LinkedHashMap<>();
            Map<TorchPickle.Lazy, Tensor> made = new IdentityHashMap<>();
            boolean ok = false;
            try (PointerScope scope = new PointerScope()) {
                for (Map.Entry<String, TorchPickle.Lazy> e : pk.chosen().entrySet())
                    out.put(e.getKey(), made.computeIfAbsent(e.getValue(), p::materialize));
                ok = true;
            } finally {
                p.releaseStorages();
                if (!ok) for (Tensor t : made.values()) t.close();
            }
            return new WeightFiles.Weights(f, "torch.save", pk.path(), out, Map.of());
        } catch (ZipException e) {
            throw new InputException(f + ": a damaged zip archive (" + e.getMessage() + "); a torch.save checkpoint is a zip archive");
        } catch (IOException e) {
            throw new InputException(f + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static String describe(Object o) {
        if (o instanceof TorchPickle.Lazy) return "a single tensor";
        if (o instanceof List<?>) return "a list";
        if (o instanceof TorchPickle.Tuple) return "a tuple";
        if (o instanceof String) return "a string";
        if (o == null) return "None";
        if (o instanceof TorchPickle.Opaque op) return "a Python object (" + op + ")";
        return "a " + o.getClass().getSimpleName();
    }

    /**
     * The unpickled dict as a tree of string-keyed maps: tensors and nested dicts kept, anything
     * else replaced by a short description.
     */
    private static Map<String, Object> toTree(Map<?, ?> m, String f, String at) {
        if (at.chars().filter(c -> c == '/').count() > 32)
            throw new InputException(f + ": dicts nested more than 32 deep at '" + at + "'");
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            Object k = e.getKey();
            String key = k instanceof String s ? s : k instanceof Long l ? Long.toString(l) : "<" + describe(k) + " key>";
            Object v = e.getValue();
            if (out.containsKey(key)) continue;
            if (v instanceof TorchPickle.Lazy) out.put(key, v);
            else if (v instanceof Map<?, ?> sub) out.put(key, toTree(sub, f, at.isEmpty() ? key : at + "/" + key));
            else out.put(key, describe(v));
        }
        return out;
    }

    /** The chosen state dict: its key path and its tensors, not read yet. */
    record Picked(String path, Map<String, TorchPickle.Lazy> chosen) {}

    /** The node at a '/'-separated key path, or null. */
    private static Object at(Map<String, Object> tree, String path) {
        Object node = tree;
        for (String k : path.split("/")) {
            if (!(node instanceof Map<?, ?> m)) return null;
            node = m.get(k);
        }
        return node;
    }

    /** Chooses the state dict in a tree of maps, tensors and descriptions of other values. */
    static Picked pick(Map<String, Object> tree, String keyPath, String f) {
        String path = keyPath == null ? "" : keyPath.strip();
        if (path.isEmpty()) {
            for (String k : AUTO_KEYS) {
                if (at(tree, k) instanceof Map<?, ?>) {
                    path = k;
                    break;
                }
            }
        }
        Map<String, Object> node = path.isEmpty() ? tree : descend(tree, path, f);
        Map<String, TorchPickle.Lazy> chosen = new LinkedHashMap<>();
        List<String> subDicts = new ArrayList<>(), others = new ArrayList<>();
        for (Map.Entry<String, Object> e : node.entrySet()) {
            if (e.getValue() instanceof TorchPickle.Lazy t) chosen.put(e.getKey(), t);
            else if (e.getValue() instanceof Map<?, ?>) subDicts.add(e.getKey());
            else others.add(e.getKey() + " (" + e.getValue() + ")");
        }
        String where = path.isEmpty() ? "the top level" : "'" + path + "'";
        if (!subDicts.isEmpty()) {
            throw new InputException(f + ": " + where + " holds dicts, not a state dict: choose one with a key path, e.g. "
                    + (path.isEmpty() ? "" : path + "/") + subDicts.get(0) + " (dicts there: " + String.join(", ", subDicts) + ")");
        }
        if (chosen.isEmpty())
            throw new InputException(f + ": " + where + " holds no tensors" + (others.isEmpty() ? "" : " (only " + String.join(", ", others) + ")"));
        if (!others.isEmpty())
            throw new InputException(f + ": " + where + " mixes tensors with other values, not a state dict: " + String.join(", ", others));
        if (!path.isEmpty() && !path.contains("/")) {
            for (Map.Entry<String, Object> e : tree.entrySet())
                if (e.getValue() instanceof TorchPickle.Lazy t && !chosen.containsKey(e.getKey())) chosen.put(e.getKey(), t);
        }
        return new Picked(path, chosen);
    }

    private static Map<String, Object> descend(Map<String, Object> tree, String path, String f) {
        Map<String, Object> node = tree;
        String walked = "";
        for (String k : path.split("/")) {
            Object v = node.get(k);
            if (!(v instanceof Map<?, ?> m)) {
                String what = v == null ? "no key '" + k + "'" : "'" + k + "' is not a dict";
                throw new InputException(f + ": key path '" + path + "': " + what + (walked.isEmpty() ? " at the top level" : " in '" + walked + "'")
                        + " (keys there: " + keys(node) + ")");
            }
            @SuppressWarnings("unchecked") Map<String, Object> sub = (Map<String, Object>) m;
            node = sub;
            walked = walked.isEmpty() ? k : walked + "/" + k;
        }
        return node;
    }

    private static String keys(Map<String, Object> m) {
        List<String> k = new ArrayList<>(m.keySet());
        if (k.size() > 12) return String.join(", ", k.subList(0, 12)) + ", ... (" + k.size() + " in all)";
        return String.join(", ", k);
    }
}
