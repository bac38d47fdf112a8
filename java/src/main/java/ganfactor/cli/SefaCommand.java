package ganfactor.cli;

import ganfactor.generator.Generator;
import ganfactor.io.OutputDir;
import ganfactor.pipeline.MethodRequest;
import ganfactor.pipeline.Methods;
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
final class SefaCommand implements Callable<Integer>, RegistryOptions.Offers {
    @Override
    public java.util.List<ganfactor.pipeline.Setting<?>> registrySettings() {
        return Methods.SEFA.settings();
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin TraceOptions traceOptions;

    @Option(names = "--model", defaultValue = "demo", description = ganfactor.generator.Generator.MODEL_SPECS + "; one with style affines: SeFa reads them (default: ${DEFAULT-VALUE})")
    String model;
    @Mixin PictureOptions pictures;
    @Mixin RunOptions run;
    @Mixin OutputOptions output;

    @Override
    public Integer call() {
        ganfactor.trace.Trace trace = traceOptions.start(CommandInputs.of(spec, "--trace"));
        MethodRequest request = RegistryOptions.request(spec, Methods.SEFA, Methods.SEFA.settings());
        ComputeDevice dev = run.start();
        BaselineGrids.Spec pictureSpec = pictures.spec();
        Generator g = Printing.opened(Generator.open(model)).to(dev);
        try (OutputDir dir = output.open("ganfactor sefa")) {
            Baselines.Outcome o = Baselines.sefa(g, request, dev, pictureSpec, Main.context(true, trace), dir);
            dir.commit();
            System.out.println(o.line());
            for (String w : o.directions().warnings()) System.out.println("warning: " + w);
            System.out.println("wrote " + dir.target());
        }
        String traced = traceOptions.finish();
        if (traced != null) System.out.println(traced);
        return 0;
    }
}
