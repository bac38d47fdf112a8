package ganfactor.generator;

import ganfactor.InputException;
import ganfactor.io.AtomicFile;
import ganfactor.io.Safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A generator written as one file ({@code ganfactor export}): {@code .pt}, a TorchScript module
 * with ganfactor's generator contract, or {@code .safetensors}, StyleGAN2 weights in NVlabs names
 * with the architecture in the metadata. Both are written atomically.
 */
public final class GeneratorFiles {
    private GeneratorFiles() {}

    /** Checks the target before any model is opened: its suffix, its folder, and (without {@code force}) that it does not exist. */
    public static void checkTarget(Path out, boolean force) {
        String name = out.getFileName().toString();
        if (!name.endsWith(".safetensors") && !name.endsWith(".pt"))
            throw new InputException(out + ": the output must end in .pt (TorchScript) or .safetensors (weights)");
        Path parent = AtomicFile.check(out, force).getParent();
        if (!Files.isDirectory(parent)) throw new InputException(parent + ": no such folder");
    }

    /** Writes {@code g} to {@code out} (checked by {@link #checkTarget}); only StyleGAN2 generators have a safetensors form. */
    public static void export(Generator g, Path out, boolean force) throws IOException {
        if (out.getFileName().toString().endsWith(".safetensors")) {
            StyleGan2.Config c = g.styleGan2Config();
            if (c == null)
                throw new InputException(g.source() + ": only StyleGAN2 generators can be written as safetensors weights; write a .pt (TorchScript) instead");
            Map<String, String> meta = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : c.describe().entrySet())
                meta.put(e.getKey(), e.getValue() == null ? "none" : String.valueOf(e.getValue()));
            meta.put("layout", "nvlabs");
            meta.put("written_by", "ganfactor export");
            meta.put("source", g.source());
            Safetensors.write(out, StyleGan2.weights(g.module(), c), meta);
        } else {
            AtomicFile.write(out, force, tmp -> {
                try {
                    g.module().save(tmp.toString());
                } catch (RuntimeException e) {   // LibTorch's file writer: a c10 error naming the path
                    throw new IOException(Generator.oneLine(e), e);
                }
            });
        }
    }
}
