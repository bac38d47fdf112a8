package ganfactor.cli;

import ganfactor.Engine;
import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.generator.StyleGan2;
import ganfactor.io.Safetensors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "export", description = {
        "Writes a generator as one file: FILE.pt = a TorchScript module with ganfactor's generator contract (loads with --model FILE.pt,",
        "or torch.jit.load in Python); FILE.safetensors = StyleGAN2 weights in NVlabs names with the architecture in the metadata",
        "(loads with --model FILE.safetensors). For example: export --model stylegan2:1024 --out random1024.safetensors,",
        "or export --model rosinality-ffhq.pt --out ffhq.pt."})
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "demo, stylegan2:RES[:options], a TorchScript file or StyleGAN2 weights (.safetensors / torch.save .pt)")
    String model;

    @Option(names = "--out", required = true, description = "output file: .pt (TorchScript) or .safetensors (StyleGAN2 weights)")
    Path out;

    @Option(names = "--force", description = "replace an existing file")
    boolean force;

    @Override
    public Integer call() throws IOException {
        String name = out.getFileName().toString();
        boolean st = name.endsWith(".safetensors");
        if (!st && !name.endsWith(".pt"))
            throw new InputException(out + ": the output must end in .pt (TorchScript) or .safetensors (weights)");
        Path parent = ganfactor.io.AtomicFile.check(out, force).getParent();
        if (!Files.isDirectory(parent)) throw new InputException(parent + ": no such folder");
        Engine.init(0);
        Generator g = Generator.open(model);
        if (st) {
            StyleGan2.Config c = g.styleGan2Config();
            if (c == null)
                throw new InputException(model + ": only StyleGAN2 generators can be written as safetensors weights; write a .pt (TorchScript) instead");
            Map<String, String> meta = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : c.describe().entrySet())
                meta.put(e.getKey(), e.getValue() == null ? "none" : String.valueOf(e.getValue()));
            meta.put("layout", "nvlabs");
            meta.put("written_by", "ganfactor export");
            meta.put("source", g.source());
            Safetensors.write(out, StyleGan2.weights(g.module(), c), meta);
        } else {
            ganfactor.io.AtomicFile.write(out, force, tmp -> {
                try {
                    g.module().save(tmp.toString());
                } catch (RuntimeException e) {   // LibTorch's file writer: a c10 error naming the path
                    throw new IOException(Generator.oneLine(e), e);
                }
            });
        }
        System.out.printf("wrote %s (%s, %d W+ layers, d = %d, %dx%d)%n", out, g.source(), g.numLayers(), g.latentDim(), g.height(), g.width());
        return 0;
    }
}
