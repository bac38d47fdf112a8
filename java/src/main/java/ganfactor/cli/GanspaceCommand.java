package ganfactor.cli;

import ganfactor.generator.Generator;
import ganfactor.io.OutputDir;
import ganfactor.pipeline.MethodRequest;
import ganfactor.pipeline.Methods;
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
final class GanspaceCommand implements Callable<Integer>, RegistryOptions.Offers {
    @Override
    public java.util.List<ganfactor.pipeline.Setting<?>> registrySettings() {
        return Methods.GANSPACE.settings();
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin TraceOptions traceOptions;

    @Option(names = "--model", defaultValue = "demo", description = ganfactor.generator.Generator.MODEL_SPECS + "; one with a mapping(z) (default: ${DEFAULT-VALUE})")
    String model;
    @Option(names = "--precision", defaultValue = "float32", converter = Converters.Precision.class, description = "mapping precision: float32 or float64 (statistics are float64 either way; default: ${DEFAULT-VALUE})")
    org.bytedeco.pytorch.global.torch.ScalarType precision;
    @Option(names = "--quiet", description = "no progress output (the bar on a terminal, a line every 5 s in a log)")
    boolean quiet;
    @Mixin PictureOptions pictures;
    @Mixin RunOptions run;
    @Mixin OutputOptions output;

    @Override
    public Integer call() {
        ganfactor.trace.Trace trace = traceOptions.start(CommandInputs.of(spec, "--trace"));
        MethodRequest request = RegistryOptions.request(spec, Methods.GANSPACE, Methods.GANSPACE.settings());
        ComputeDevice dev = run.start();
        Generator g = Printing.opened(Generator.open(model)).to(precision);
        g.to(dev);
        GanSpace.Options o = Methods.ganSpace(request);
        GanSpace.check(g, o);   // before the output folder exists
        BaselineGrids.Spec pictureSpec = pictures.spec();
        try (OutputDir dir = output.open("ganfactor ganspace")) {
            Baselines.Outcome out = Baselines.ganspace(g, o, request, Methods.linalg(dev), pictureSpec, Main.context(quiet, trace), dir);
            dir.commit();
            System.out.println(out.line());
            for (String w : out.directions().warnings()) System.out.println("warning: " + w);
            System.out.println("wrote " + dir.target());
        }
        String traced = traceOptions.finish();
        if (traced != null) System.out.println(traced);
        return 0;
    }
}
