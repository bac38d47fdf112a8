package ganfactor.cli;

import ganfactor.Engine;
import ganfactor.generator.Generator;
import ganfactor.generator.GeneratorFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "export", header = "Write a generator to one file: a TorchScript module or StyleGAN2 safetensors weights.", description = {
        "Writes a generator as one file: FILE.pt = a TorchScript module with ganfactor's generator contract (loads with --model FILE.pt,",
        "or torch.jit.load in Python); FILE.safetensors = StyleGAN2 weights in NVlabs names with the architecture in the metadata",
        "(loads with --model FILE.safetensors). For example: export --model stylegan2:1024 --out random1024.safetensors,",
        "or export --model rosinality-ffhq.pt --out ffhq.pt."})
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = ganfactor.generator.Generator.MODEL_SPECS)
    String model;
    @Option(names = "--out", required = true, description = "output file: .pt (TorchScript) or .safetensors (StyleGAN2 weights)")
    Path out;
    @Option(names = "--force", description = "replace an existing file")
    boolean force;

    @Override
    public Integer call() throws IOException {
        GeneratorFiles.checkTarget(out, force);
        Engine.init(0);
        Generator g = Printing.opened(Generator.open(model));
        GeneratorFiles.export(g, out, force);
        System.out.printf("wrote %s (%s, %d W+ layers, d = %d, %dx%d)%n", out, g.source(), g.numLayers(), g.latentDim(), g.height(), g.width());
        return 0;
    }
}
