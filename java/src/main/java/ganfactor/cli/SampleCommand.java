package ganfactor.cli;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.io.OutputDir;
import ganfactor.pipeline.RunRecord;
import ganfactor.pipeline.Sampling;
import ganfactor.score.Scorer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "sample", description = {
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

    @Override
    public Integer call() {
        if (batch < 1) throw new InputException("--batch must be positive, got " + batch);
        Sampling.Settings s = new Sampling.Settings();
        s.space = common.latentSpace();
        Generator g = common.openGenerator();
        if (common.latents != null) {
            s.given = Latents.fromFile(g, s.space, common.latents);
        } else {
            if (common.num <= 0) throw new InputException("--num must be positive, got " + common.num);
            if (common.seed < 0 || common.seed > 0xffffffffL) throw new InputException("--seed must be between 0 and 4294967295, got " + common.seed);
            s.seed = common.seed;
            s.num = common.num;
        }
        s.psi = common.psi;
        s.truncationLayers = common.truncLayers;
        s.batch = batch;
        s.saveImages = saveImages;
        s.scorers = scorers(g, s.count());
        s.progress = TerminalProgress.auto(common.quiet);
        s.cancellation = Main.CANCEL;
        int d = g.latentDim(), L = g.numLayers(), k = s.scorers.size();
        Sampling.requireRoom(output.out, s.count(), 8L * ((s.space == LatentSpace.Z ? d : 0) + (s.space != LatentSpace.WP ? d : 0) + (s.space == LatentSpace.WP ? (long) L * d : 0) + k), k);
        RunRecord rec = RunRecord.of("ganfactor sample");
        try (OutputDir dir = output.open("ganfactor sample")) {
            Sampling.Result r = Sampling.run(g, s, dir);
            dir.writeString("sample.json", record(rec, g, s, r).json());
            dir.commit();
            System.out.printf("%d sample(s), %s codes%s, %d scorer(s)%s: %.2f s%n", r.count(), s.space.label(),
                    s.given != null ? " from " + common.latents : " from seed " + common.seed, k, saveImages ? ", images saved" : "", rec.seconds());
            for (int i = 0; i < k; i++) {
                double[] st = Sampling.stats(r.scores()[i]);
                System.out.printf(Locale.ROOT, "  %-16s mean %.4g  std %.4g  min %.4g  max %.4g%s%n", s.scorers.get(i).name(), st[0], st[1], st[2], st[3],
                        st[4] > 0 ? String.format("  (%d NaN)", (long) st[4]) : "");
            }
            System.out.println("wrote " + dir.target());
        }
        return 0;
    }

    private List<Scorer> scorers(Generator g, int N) {
        return Sampling.scorers(g, attributes, models, regionStats, scoresFile, N);
    }

    private static Object jsonNumber(double v) {
        return Double.isFinite(v) ? (Object) v : (Object) String.valueOf(v);
    }

    private RunRecord record(RunRecord rec, Generator g, Sampling.Settings s, Sampling.Result r) {
        rec.generator(g);
        rec.put("space", s.space.label());
        rec.put("samples", r.count());
        rec.put("latents", s.given != null ? s.given.origin() : "seed " + s.seed + ": z = RandomState(seed).randn(N, d)");
        rec.put("truncation", RunRecord.ordered("psi", s.psi, "layers", Math.min(g.numLayers(), s.truncationLayers),
                "applies_to", "wp.npy and what is rendered and scored; z.npy and w.npy are untruncated"));
        Map<String, Object> files = new LinkedHashMap<>();
        if (r.wroteZ()) files.put("z", "z.npy [N, d] float64");
        if (r.wroteW()) files.put("w", "w.npy [N, d] float64");
        files.put("wp", "wp.npy [N, L, d] float64");
        if (!s.scorers.isEmpty()) files.put("scores", "scores_<name>.npy [N, 1] float64 and scores.csv");
        if (saveImages) files.put("images", "images/<i>.png (zero-padded to 6 digits)");
        rec.put("files", files);
        List<Map<String, Object>> sc = new ArrayList<>();
        for (int k = 0; k < s.scorers.size(); k++) {
            double[] st = Sampling.stats(r.scores()[k]);
            sc.add(RunRecord.ordered("name", s.scorers.get(k).name(), "definition", s.scorers.get(k).definition(), "file", "scores_" + s.scorers.get(k).name() + ".npy",
                    "mean", jsonNumber(st[0]), "std", jsonNumber(st[1]), "min", jsonNumber(st[2]), "max", jsonNumber(st[3]), "nan", (long) st[4]));
        }
        rec.put("scores", sc);
        rec.put("batch", s.batch);
        rec.put("seconds_total", r.seconds());
        return rec;
    }
}
