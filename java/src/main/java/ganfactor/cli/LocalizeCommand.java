package ganfactor.cli;

import ganfactor.InputException;
import ganfactor.IntRanges;
import ganfactor.generator.Generator;
import ganfactor.generator.Latents;
import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import ganfactor.io.OutputDir;
import ganfactor.pipeline.LocalEdit;
import ganfactor.method.LowRankGan;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import picocli.CommandLine.ArgGroup;
import ganfactor.pipeline.RunRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "localize", header = "Make any direction local (LowRankGAN): project it into a region's background null space.", description = {
        "LowRankGAN's mask-free local editing: project any directions (an InterFaceGAN boundary, a SeFa or GANSpace direction...)",
        "into the null space of a region's background, n' = N N^T n / ||N N^T n||, with N from RPCA of the background Gram B.",
        "Writes directions.npy [k, d] float32 (the projected unit rows), null_space.npy [d - rank, d] float64 and localize.json."})
final class LocalizeCommand implements Callable<Integer>, RegistryOptions.Offers {
    @Override
    public List<ganfactor.pipeline.Setting<?>> registrySettings() {
        return ganfactor.pipeline.Methods.nullSpaceSettings();
    }

    @Option(names = "--direction", required = true, description = "directions .npy: [k, d] or [d] (any float dtype or integers)")
    Path direction;
    @Option(names = "--index", defaultValue = "all", description = "rows to project: all, 0, 0,2, 0-3 (default: ${DEFAULT-VALUE})")
    String index;

    static final class Background {
        @Option(names = "--bg", description = "background Gram B .npy ([d, d], or [N, d, d] with --sample), e.g. from `ganfactor jacobian`")
        Path bg;
        @Option(names = "--region", description = "compute B for this region from the generator (with --model, --space, --seed/--latents, --grid...)")
        String region;
    }

    @ArgGroup(exclusive = true, multiplicity = "1") Background background;
    @Option(names = "--sample", defaultValue = "0", description = "with --bg [N, d, d]: which sample's B (default: ${DEFAULT-VALUE})")
    int sample;
    @Mixin CommonOptions common;
    @Mixin ViewOptions viewOptions;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin TraceOptions traceOptions;
    @picocli.CommandLine.Mixin OutputOptions output;

    @Override
    public Integer call() {
        ganfactor.trace.Trace trace = traceOptions.start(CommandInputs.of(spec, "--trace"));
        common.run.start();   // a bad --device fails before any file is read
        NpyArray dirs = Npy.read(direction).requireExactReal(direction, "directions");
        if (dirs.ndim() != 1 && dirs.ndim() != 2) throw new InputException(direction + ": expected directions [k, d] or [d], got " + dirs.shapeString());
        int k = dirs.ndim() == 1 ? 1 : (int) dirs.shape()[0];
        int d = (int) dirs.shape()[dirs.ndim() - 1];
        int[] rows = IntRanges.parse(index, k, "--index (" + direction + " holds " + k + " direction(s))");
        LowRankGan.Options lo = LowRank.options(spec);
        RunRecord rec = RunRecord.of("ganfactor localize").put("directions", direction.toString());
        LocalEdit.Background bg;
        if (background.bg != null) {
            bg = LocalEdit.Background.fromFile(background.bg, d, sample);
        } else {
            Generator g = common.openGenerator();
            Latents lat = common.latents(g);
            if (lat.dim() != d) throw new InputException(direction + " holds " + d + "-dimensional directions; " + lat.space().label() + " codes of this generator have " + lat.dim());
            View view = viewOptions.view(g);
            Region r = Regions.parseAll(List.of(background.region), view.grid(), g, viewOptions.unscaledPresets).get(0);
            bg = LocalEdit.Background.compute(g, lat, view, r, Main.context(common.quiet, trace));
        }
        rec.put("background", bg.record());
        LocalEdit.Localized res = LocalEdit.localize(bg.b(), d, dirs.data(), rows, lo, bg.label(), bg.fromFile(), Main.context(true, trace));
        res.lines().forEach(System.out::println);
        try (OutputDir dir = output.open("ganfactor localize")) {
            res.write(dir, lo, rec);
            dir.commit();
        }
        System.out.printf(Locale.ROOT, "null space of the background: %d of %d dimensions (background rank %d); wrote %d direction(s) to %s%n",
                res.nullSpace().size(), d, res.nullSpace().rankB(), res.kept().size(), output.out);
        String traced = traceOptions.finish();
        if (traced != null) System.out.println(traced);
        return 0;
    }
}
