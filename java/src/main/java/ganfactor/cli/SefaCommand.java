package ganfactor.cli;

import ganfactor.generator.Generator;
import ganfactor.io.OutputDir;
import ganfactor.linalg.Linalg;
import ganfactor.linalg.TorchLinalg;
import ganfactor.pipeline.BaselineGrids;
import ganfactor.pipeline.Baselines;
import ganfactor.torch.ComputeDevice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "sefa", header = "SeFa: closed-form directions from the eigenvectors of the generator's style weights.", description = {
        "SeFa (closed-form factorisation): eigenvectors of W W^T, W = the selected style affines with unit columns.",
        "Writes directions.npy [k, d] float32, eigenvalues.npy [k] float64 and sefa.json into --out."})
final class SefaCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "demo", description = "demo (built-in), stylegan2:RES[:options] (random StyleGAN2), StyleGAN2 weights (.safetensors, torch.save .pt; FILE#key=..,clamp=..) or a TorchScript generator file with style_affines() (default: ${DEFAULT-VALUE})")
    String model;
    @Option(names = "--layers", defaultValue = "all", description = "style affines to factorise: all, 0-3, 0,2,5-6 (default: ${DEFAULT-VALUE})")
    String layers;
    @Option(names = "--k", defaultValue = "0", description = "number of directions (0 = all d)")
    int k;
    @Mixin PictureOptions pictures;
    @Mixin RunOptions run;
    @Mixin OutputOptions output;

    @Override
    public Integer call() {
        ComputeDevice dev = run.start();
        BaselineGrids.Spec spec = pictures.spec();
        Generator g = Printing.opened(Generator.open(model)).to(dev);
        try (OutputDir dir = output.open("ganfactor sefa")) {
            Baselines.Outcome o = Baselines.sefa(g, layers, k, Linalg.forDevice(dev, TorchLinalg.INSTANCE), spec, Main.CANCEL, dir);
            dir.commit();
            System.out.println(o.line());
            for (String w : o.directions().warnings()) System.out.println("warning: " + w);
            System.out.println("wrote " + dir.target());
        }
        return 0;
    }
}
