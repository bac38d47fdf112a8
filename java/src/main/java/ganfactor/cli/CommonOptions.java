package ganfactor.cli;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.region.View;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options shared by the commands that open a generator and take latent codes. */
final class CommonOptions {
    @Option(names = "--model", defaultValue = "demo", description = ganfactor.generator.Generator.MODEL_SPECS + " (default: ${DEFAULT-VALUE})")
    String model;
    @Option(names = "--space", defaultValue = "w", description = "latent space: z, w or wp (default: ${DEFAULT-VALUE})")
    String space;
    @Option(names = "--seed", defaultValue = "4", description = "seed for z = RandomState(seed).randn(N, d), as NumPy (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--num", defaultValue = "1", description = "number of latent codes from the seed (default: ${DEFAULT-VALUE})")
    int num;
    @Option(names = "--latents", description = "latent codes .npy: [N, d] (z or w) or [N, L, d] (wp)")
    Path latents;
    @Option(names = "--truncation", defaultValue = "1.0", description = "truncation psi (1 = none, the reference's Jacobian setting)")
    double psi;
    @Option(names = "--truncation-layers", defaultValue = "8", description = "truncate the first t layers (default: ${DEFAULT-VALUE})")
    int truncLayers;
    @Option(names = "--precision", defaultValue = "float32", converter = Converters.Precision.class, description = "generator precision: float32 or float64 (default: ${DEFAULT-VALUE})")
    org.bytedeco.pytorch.global.torch.ScalarType precision;
    @Option(names = "--quiet", description = "no progress output (the bar on a terminal, a line every 5 s in a log)")
    boolean quiet;
    @picocli.CommandLine.Mixin RunOptions run = new RunOptions();

    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec mixee;

    /** Whether the user typed this option (not just its default). */
    boolean given(String option) {
        if (mixee == null || mixee.commandLine() == null) return false;
        picocli.CommandLine.ParseResult pr = mixee.commandLine().getParseResult();
        return pr != null && pr.hasMatchedOption(option);
    }

    /** Checks the options that need no generator: contradictions and values no model can use. */
    void check() {
        if (latents != null && (given("--seed") || given("--num")))
            throw new InputException("--latents gives the codes; --seed and --num draw codes instead: give one or the other");
        if (!Double.isFinite(psi)) throw new InputException("--truncation must be a finite number, got " + psi);
        if (truncLayers < 0) throw new InputException("--truncation-layers must be >= 0, got " + truncLayers);
        if (num < 1) throw new InputException("--num must be positive, got " + num);
    }

    /**
     * The layers truncated when codes are drawn from --seed: as {@link #truncationLayers}, except
     * that Z and W codes take all L layers unless --truncation-layers is given (one w truncated on
     * some layers only is no longer a W code, and a given value below L is refused, by {@code
     * Latents}; with the default 8 a StyleGAN2, L >= 10, refused every W-space --truncation).
     */
    int codeTruncationLayers(Generator g, LatentSpace s) {
        return s != LatentSpace.WP && !given("--truncation-layers") ? g.numLayers() : truncationLayers(g);
    }

    /** --truncation-layers checked against the generator's L; the default 8 stands for min(8, L). */
    int truncationLayers(Generator g) {
        if (truncLayers > g.numLayers()) {
            if (given("--truncation-layers"))
                throw new InputException("--truncation-layers " + truncLayers + ": this generator has " + g.numLayers() + " W+ layers");
            return g.numLayers();
        }
        return truncLayers;
    }

    /** The generator in the chosen precision, on the chosen device ({@code --device}). */
    Generator openGenerator() {
        check();
        ganfactor.torch.ComputeDevice dev = run.start();   // a bad --device fails before the model loads
        Generator g = Printing.opened(Generator.open(model));
        g.to(precision);
        return g.to(dev);
    }

    LatentSpace latentSpace() {
        return LatentSpace.parse(space);
    }

    Latents latents(Generator g) {
        LatentSpace s = latentSpace();
        if (latents != null) {
            if (psi != 1.0) throw new InputException("--truncation applies to codes from --seed; truncate the codes in --latents beforehand");
            return Latents.fromFile(g, s, latents);
        }
        return Latents.fromSeed(g, s, seed, num, psi, codeTruncationLayers(g, s));
    }
}

final class ViewOptions {
    @Option(names = "--grid", description = "Jacobian view grid (nearest resize); default: the official rule, the output's own size up to 256 px, else 256")
    Integer grid;
    @Option(names = "--reduce", description = "channel reduction: sum (ReSeFa), mean (LowRankGAN) or none (R, G, B as rows); default: the official rule, none for a native view of up to 256 px, sum for a resized one")
    String reduce;
    @Option(names = "--unscaled-presets", description = "apply preset boxes (ffhq:eyes, ...) in their 256-grid coordinates on any grid, cut to the grid as NumPy slicing does (the official scripts); default: scaled to the grid")
    boolean unscaledPresets;

    /** The view: the official rule for the model's output size, with --grid and --reduce overriding it. */
    View view(Generator g) {
        return View.choose(g.channels(), g.height(), g.width(), grid, reduce);
    }
}
