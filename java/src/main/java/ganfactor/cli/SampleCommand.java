package ganfactor.cli;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.generator.Latents;
import ganfactor.io.OutputDir;
import ganfactor.pipeline.RunRecord;
import ganfactor.pipeline.Sampling;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "sample", header = "Sample latent codes and score them for attributes (InterFaceGAN's training data).", description = {
        "Sample latent codes and score them for attributes (InterFaceGAN's data): codes from --seed (z = RandomState(seed).randn(N, d)) or --latents,",
        "streamed in batches. Writes the codes of --space and every space after it (z.npy [N, d], w.npy [N, d], wp.npy [N, L, d], float64),",
        "scores_<name>.npy [N, 1] float64 per scorer, scores.csv, images/<i>.png with --save-images, and sample.json into --out.",
        "--truncation moves wp (what is rendered and scored) towards w_avg on the first t layers; z.npy and w.npy stay untruncated, as the reference writes them."})
final class SampleCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Option(names = "--attribute", description = "ground-truth attribute of the generator (attributes(wp)), e.g. smile; 'all' for every one; repeatable")
    List<String> attributes = new ArrayList<>();
    @Option(names = "--attribute-model", description = "[NAME=]FILE: TorchScript model, forward(image [B, C, H, W] in [-1, 1]) -> [B] or [B, 1]; repeatable")
    List<String> models = new ArrayList<>();
    @Option(names = "--region-stat", description = "STAT@REGION: mean, std, red, green, blue or dark of the image inside a region (e.g. dark@mouth); repeatable")
    List<String> regionStats = new ArrayList<>();
    @Option(names = "--scores", description = "scores for the codes from a file: .npy [N, 1] or CSV (one score per line)")
    Path scoresFile;
    @Option(names = "--save-images", description = "also write images/<i>.png (000000.png, ...)")
    boolean saveImages;
    @Option(names = "--batch", defaultValue = "64", description = "codes per batch (default: ${DEFAULT-VALUE})")
    int batch;
    @picocli.CommandLine.Mixin OutputOptions output;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin TraceOptions traceOptions;

    @Override
    public Integer call() {
        ganfactor.trace.Trace trace = traceOptions.start(CommandInputs.of(spec, "--trace"));
        if (batch < 1) throw new InputException("--batch must be positive, got " + batch);
        Sampling.Settings s = new Sampling.Settings();
        s.space = common.latentSpace();
        Generator g = common.openGenerator();
        if (common.latents != null) {
            s.given = Latents.fromFile(g, s.space, common.latents);
        } else {
            if (common.seed < 0 || common.seed > 0xffffffffL) throw new InputException("--seed must be between 0 and 4294967295, got " + common.seed);
            s.seed = common.seed;
            s.num = common.num;
        }
        s.psi = common.psi;
        s.truncationLayers = common.truncLayers;
        s.batch = batch;
        s.saveImages = saveImages;
        s.scorers = Sampling.scorers(g, attributes, models, regionStats, scoresFile, s.count());
        s.context = Main.context(common.quiet, trace);
        Sampling.requireRoom(output.out, g, s);
        RunRecord rec = RunRecord.of("ganfactor sample");
        try (OutputDir dir = output.open("ganfactor sample")) {
            Sampling.Result r = Sampling.run(g, s, dir);
            dir.writeString("sample.json", Sampling.record(rec, g, s, r).json());
            dir.commit();
            System.out.printf("%d sample(s), %s codes%s, %d scorer(s)%s: %.2f s%n", r.count(), s.space.label(),
                    s.given != null ? " from " + common.latents : " from seed " + common.seed, s.scorers.size(), saveImages ? ", images saved" : "", rec.seconds());
            Sampling.summary(s, r).forEach(System.out::println);
            System.out.println("wrote " + dir.target());
        }
        String traced = traceOptions.finish();
        if (traced != null) System.out.println(traced);
        return 0;
    }
}
