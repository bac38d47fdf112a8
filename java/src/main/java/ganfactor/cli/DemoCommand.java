package ganfactor.cli;

import ganfactor.io.OutputDir;
import ganfactor.pipeline.DemoJob;
import ganfactor.torch.ComputeDevice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** The main job on the built-in demo generator ({@link DemoJob}): eye and mouth directions, their edits, and the planted check. */
@Command(name = "demo", description = "Discover eye and mouth directions on the built-in demo generator: grids, locality reports, planted check.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "ganfactor-demo", description = "output folder; an earlier demo output there is replaced (default: ${DEFAULT-VALUE})")
    Path out;
    @Option(names = "--force", description = "replace an earlier ganfactor output folder of another command; a folder holding any file ganfactor did not write is never replaced")
    boolean force;
    @Option(names = "--seed", defaultValue = "4", description = "latent seed (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--method", defaultValue = "resefa", description = "resefa or lowrankgan (default: ${DEFAULT-VALUE})")
    String method;
    @Option(names = "--quiet", description = "no progress output (the bar on a terminal, a line every 5 s in a log)")
    boolean quiet;
    @Mixin RunOptions run;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin TraceOptions traceOptions;

    @Override
    public Integer call() {
        ganfactor.trace.Trace trace = traceOptions.start(CommandInputs.of(spec, "--trace"));
        long t0 = System.nanoTime();
        ComputeDevice dev;
        var request = DemoJob.request(method);
        OutputDir opened;
        try (ganfactor.trace.Span sp = trace.span("engine and output")) {
            dev = run.start();
            // without --force only the demo's own earlier output is replaced (the manifest says which command wrote a folder)
            opened = OutputOptions.open(out, force || "ganfactor demo".equals(OutputDir.writtenBy(out)), "ganfactor demo", ganfactor.io.Inputs.NONE, spec.commandLine().getErr());
        }
        try (OutputDir dir = opened) {
            List<String> lines = DemoJob.run(seed, request, dev, Main.context(quiet, trace), dir);
            dir.commit();
            lines.forEach(System.out::println);
            System.out.printf(Locale.ROOT, "wrote %s: eyes/ and mouth/ with grid_0..2.png (rows: sample, columns: strengths -10..10), locality_0..2.png, locality.csv, directions.npy; discover.json (%.1f s in all)%n",
                    out, (System.nanoTime() - t0) / 1e9);
        }
        String traced = traceOptions.finish();
        if (traced != null) System.out.println(traced);
        return 0;
    }
}
