package ganfactor.cli;

import ganfactor.generator.Generator;
import ganfactor.io.OutputDir;
import ganfactor.linalg.Linalg;
import ganfactor.linalg.TorchLinalg;
import ganfactor.method.GanSpace;
import ganfactor.pipeline.BaselineGrids;
import ganfactor.pipeline.Baselines;
import ganfactor.torch.ComputeDevice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "ganspace", header = "GANSpace: the principal axes of w = mapping(z) over sampled codes.", description = {
        "GANSpace: PCA of w = mapping(z) over N samples, z = RandomState(seed).randn(N, d).",
        "Writes directions.npy [k, d] float32, eigenvalues.npy [k] (variances), stds.npy [k], mean.npy [d] and ganspace.json into --out."})
final class GanspaceCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "demo", description = "demo (built-in), stylegan2:RES[:options] (random StyleGAN2), StyleGAN2 weights (.safetensors, torch.save .pt; FILE#key=..,clamp=..) or a TorchScript generator file with mapping(z) (default: ${DEFAULT-VALUE})")
    String model;
    @Option(names = "--samples", defaultValue = "" + GanSpace.DEFAULT_SAMPLES, description = "number of samples N (default: ${DEFAULT-VALUE}; the reference uses 300000)")
    int samples;
    @Option(names = "--batch", defaultValue = "" + GanSpace.DEFAULT_BATCH, description = "samples per mapping pass (default: ${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--seed", defaultValue = "" + GanSpace.DEFAULT_SEED, description = "seed for z, as NumPy's RandomState (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--k", defaultValue = "0", description = "number of components (0 = min(80, d))")
    int k;
    @Option(names = "--precision", defaultValue = "float32", converter = Converters.Precision.class, description = "mapping precision: float32 or float64 (statistics are float64 either way; default: ${DEFAULT-VALUE})")
    org.bytedeco.pytorch.global.torch.ScalarType precision;
    @Option(names = "--quiet", description = "no progress output (the bar on a terminal, a line every 5 s in a log)")
    boolean quiet;
    @Mixin PictureOptions pictures;
    @Mixin RunOptions run;
    @Mixin OutputOptions output;

    @Override
    public Integer call() {
        ComputeDevice dev = run.start();
        Generator g = Printing.opened(Generator.open(model)).to(precision);
        g.to(dev);
        GanSpace.Options o = new GanSpace.Options();
        o.samples = samples;
        o.batch = batch;
        o.seed = seed;
        o.k = k;
        o.progress = TerminalProgress.auto(quiet);
        GanSpace.check(g, o);   // before the output folder exists
        BaselineGrids.Spec spec = pictures.spec();
        try (OutputDir dir = output.open("ganfactor ganspace")) {
            Baselines.Outcome out = Baselines.ganspace(g, o, Linalg.forDevice(dev, TorchLinalg.INSTANCE), spec, Main.CANCEL, dir);
            dir.commit();
            System.out.println(out.line());
            for (String w : out.directions().warnings()) System.out.println("warning: " + w);
            System.out.println("wrote " + dir.target());
        }
        return 0;
    }
}
