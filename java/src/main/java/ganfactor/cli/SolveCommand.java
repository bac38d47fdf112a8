package ganfactor.cli;

import ganfactor.method.Directions;
import ganfactor.pipeline.SolveJob;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "solve", header = "Solve ReSeFa or LowRankGAN from saved Grams or from the reference's Jacobian file.", description = {
        "Solve ReSeFa or LowRankGAN from saved matrices: Grams (--fg A.npy --bg B.npy, [d, d] or [N, d, d], as `ganfactor jacobian` writes them)",
        "or the reference's Jacobian file (--jacobian J.npy [N, C, G, G, 1, d] or [N, G, G, 1, d]; ganfactor's older [N, C, G, G, d] too; with --region).",
        "Writes directions.npy [k, d] float32 and eigenvalues.npy per sample (sample_<i>/ when N > 1) and solve.json."})
final class SolveCommand implements Callable<Integer>, RegistryOptions.Offers {
    @Override
    public java.util.List<ganfactor.pipeline.Setting<?>> registrySettings() {
        return MethodOptions.SETTINGS;
    }


    static final class Input {
        @Option(names = "--fg", description = "foreground Gram A .npy ([d, d] or [N, d, d]); needs --bg") Path fg;
        @Option(names = "--jacobian", description = "Jacobian .npy in the official layout [N, C, G, G, 1, d] or [N, G, G, 1, d] (also [G, G, 1, d] and ganfactor's older [N, C, G, G, d]); needs --region") Path jacobian;
    }

    @ArgGroup(exclusive = true, multiplicity = "1") Input input;
    @Option(names = "--bg", description = "background Gram B .npy, same shape as --fg") Path bg;

    @Option(names = "--region", description = "with --jacobian: the region (box cr,cc,h,w on the file's grid, ffhq:preset, ffhqu:preset, biggan:preset, mask .png/.npy)") String region;

    @Option(names = "--aggregate", description = "solve once for the mean of all samples' Grams instead of per sample") boolean aggregate;

    @Mixin MethodOptions methodOptions;
    @Mixin RunOptions run;
    @Mixin OutputOptions output;
    @Mixin TraceOptions traceOptions;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ganfactor.trace.Trace trace = traceOptions.start(CommandInputs.of(spec, "--trace"));
        var device = run.start();
        SolveJob.Input in = new SolveJob.Input(input.fg, bg, input.jacobian, region);
        ganfactor.pipeline.Solver solver = methodOptions.solver(device);
        var outcomes = SolveJob.run(in, aggregate, solver, Main.context(true, trace), () -> output.open("ganfactor solve"));
        for (SolveJob.Outcome o : outcomes) {
            Directions d = o.directions();
            System.out.printf("%s: %d directions of d = %d, %s path, top eigenvalue %.4g%n",
                    o.what(), d.count(), d.dim(), d.info().getOrDefault("path", solver.name()), d.count() == 0 ? Double.NaN : d.values()[0]);
            Printing.warnings(o.what(), d.warnings());
        }
        System.out.println("wrote " + output.out.toAbsolutePath().normalize());
        String t = traceOptions.finish();
        if (t != null) System.out.println(t);
        return 0;
    }
}
