package ganfactor.cli;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.generator.NumpyRandom;
import ganfactor.io.Json;
import ganfactor.io.Npy;
import ganfactor.io.OutputDir;
import ganfactor.jacobian.Progress;
import ganfactor.render.Images;
import ganfactor.score.FileScorer;
import ganfactor.score.GroundTruthScorer;
import ganfactor.score.ModelScorer;
import ganfactor.score.RegionStatScorer;
import ganfactor.score.Scorer;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;

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

    /** N samples of {@code bytesPerSample} on disk and {@code scorers} scores each in memory must fit before the work starts. */
    private void requireRoom(long n, long bytesPerSample, int scorers) {
        long heap = Runtime.getRuntime().maxMemory() / 4;
        if (n * 8L * Math.max(1, scorers) > heap || n > Integer.MAX_VALUE - 16)
            throw new InputException(String.format(java.util.Locale.ROOT, "--num %d: the scores of that many samples do not fit this JVM's memory (%.1f GiB heap); sample in several runs",
                    n, Runtime.getRuntime().maxMemory() / (double) (1L << 30)));
        java.nio.file.Path p = output.out.toAbsolutePath();
        while (p != null && !java.nio.file.Files.exists(p)) p = p.getParent();
        try {
            long free = p == null ? Long.MAX_VALUE : java.nio.file.Files.getFileStore(p).getUsableSpace();
            if (n * (double) bytesPerSample > free)
                throw new InputException(String.format(java.util.Locale.ROOT, "--num %d: the codes and scores need %.1f GiB, and %s has %.1f GiB free",
                        n, n * (double) bytesPerSample / (1L << 30), p, free / (double) (1L << 30)));
        } catch (java.io.IOException e) {
            // no file store information: the writes themselves will say so
        }
    }

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        if (batch < 1) throw new InputException("--batch must be positive, got " + batch);
        LatentSpace space = common.latentSpace();
        Generator g = common.openGenerator();
        int d = g.latentDim(), L = g.numLayers();
        Latents given = null;
        int N;
        if (common.latents != null) {
            given = Latents.fromFile(g, space, common.latents);
            N = given.count();
        } else {
            if (common.num <= 0) throw new InputException("--num must be positive, got " + common.num);
            if (common.seed < 0 || common.seed > 0xffffffffL) throw new InputException("--seed must be between 0 and 4294967295, got " + common.seed);
            N = common.num;
        }
        double[] wAvg = null;
        if (common.psi != 1.0) {
            try (PointerScope s = new PointerScope()) {
                Tensor a = g.wAvg();
                if (a == null) throw new InputException(g.source() + ": truncation needs a w_avg attribute, which this generator lacks");
                wAvg = Torch.toDoubles(a);
            }
        }
        List<Scorer> scorers = scorers(g, N);
        boolean needImages = saveImages || scorers.stream().anyMatch(Scorer::needsImages);
        boolean writeZ = space == LatentSpace.Z, writeW = space != LatentSpace.WP;
        requireRoom(N, 8L * ((writeZ ? d : 0) + (writeW ? d : 0) + (space == LatentSpace.WP ? (long) L * d : 0) + scorers.size()), scorers.size());
        double[][] scores = new double[scorers.size()][N];
        Progress progress = TerminalProgress.auto(common.quiet);
        try (OutputDir dir = output.open("ganfactor sample")) {
            Npy.Writer zw = writeZ ? new Npy.Writer(dir.file("z.npy"), "<f8", N, d) : null;
            Npy.Writer ww = writeW ? new Npy.Writer(dir.file("w.npy"), "<f8", N, d) : null;
            Npy.Writer pw = new Npy.Writer(dir.file("wp.npy"), "<f8", N, L, d);
            boolean complete = false;
            NumpyRandom rng = given == null ? new NumpyRandom(common.seed) : null;
            progress.begin("sampling", N);
            try (NoGradGuard ng = new NoGradGuard()) {
                for (int b0 = 0; b0 < N; b0 += batch) {
                    int nb = Math.min(batch, N - b0);
                    try (PointerScope scope = new PointerScope()) {
                        double[] wp;
                        if (given != null && space == LatentSpace.WP) {
                            wp = java.util.Arrays.copyOfRange(given.codes(), b0 * L * d, (b0 + nb) * L * d);
                        } else {
                            double[] w;
                            if (given != null && space == LatentSpace.W) w = java.util.Arrays.copyOfRange(given.codes(), b0 * d, (b0 + nb) * d);
                            else {
                                double[] z = new double[nb * d];
                                if (given != null) System.arraycopy(given.codes(), b0 * d, z, 0, nb * d);
                                else for (int i = 0; i < z.length; i++) z[i] = rng.nextGaussian();
                                if (zw != null) zw.write(z, 0, z.length);
                                w = Torch.toDoubles(g.mapping(Torch.of(z, nb, d).to(g.dtype())));
                            }
                            if (ww != null) ww.write(w, 0, w.length);
                            wp = new double[nb * L * d];
                            for (int i = 0; i < nb; i++)
                                for (int l = 0; l < L; l++) System.arraycopy(w, i * d, wp, (i * L + l) * d, d);
                        }
                        if (wAvg != null) truncate(wp, nb, L, d, wAvg, common.psi, Math.min(L, common.truncLayers));
                        pw.write(wp, 0, wp.length);
                        Tensor wpt = Torch.of(wp, nb, L, d).to(g.dtype());
                        Tensor img = needImages ? g.synthesis(wpt) : null;
                        float[] px = img == null ? null : Torch.toFloats(img);
                        Scorer.Batch sb = new Scorer.Batch(b0, nb, wpt, img, px, g.channels(), g.height(), g.width());
                        for (int k = 0; k < scorers.size(); k++) {
                            double[] s = scorers.get(k).score(sb);
                            System.arraycopy(s, 0, scores[k], b0, nb);
                        }
                        if (saveImages)
                            for (int i = 0; i < nb; i++)
                                Images.write(Images.toImage(px, i, g.channels(), g.height(), g.width()), dir.file(String.format("images/%06d.png", b0 + i)));
                    }
                    progress.advance(nb);
                    if (Main.CANCELLED.get()) throw new CancellationException("cancelled");
                }
                complete = true;
            } finally {
                progress.end();
                for (Npy.Writer w : new Npy.Writer[]{zw, ww, pw})
                    if (w != null) { if (complete) w.close(); else w.abandon(); }
            }
            for (int k = 0; k < scorers.size(); k++) Npy.writeFloat64(dir.file("scores_" + scorers.get(k).name() + ".npy"), scores[k], N, 1);
            if (!scorers.isEmpty()) dir.writeString("scores.csv", csv(scorers, scores, N));
            double secs = (System.nanoTime() - t0) / 1e9;
            dir.writeString("sample.json", Json.write(record(g, space, N, given, scorers, scores, writeZ, writeW, secs)));
            dir.commit();
            System.out.printf("%d sample(s), %s codes%s, %d scorer(s)%s: %.2f s%n", N, space.label(),
                    given != null ? " from " + common.latents : " from seed " + common.seed, scorers.size(), saveImages ? ", images saved" : "", secs);
            for (int k = 0; k < scorers.size(); k++) {
                double[] st = stats(scores[k]);
                System.out.printf(Locale.ROOT, "  %-16s mean %.4g  std %.4g  min %.4g  max %.4g%s%n", scorers.get(k).name(), st[0], st[1], st[2], st[3],
                        st[4] > 0 ? String.format("  (%d NaN)", (long) st[4]) : "");
            }
            System.out.println("wrote " + dir.target());
        }
        return 0;
    }

    private List<Scorer> scorers(Generator g, int N) {
        List<Scorer> list = new ArrayList<>();
        if (!attributes.isEmpty()) list.addAll(GroundTruthScorer.of(g, attributes));
        for (String m : models) {
            int eq = m.indexOf('=');
            String name = eq > 0 ? m.substring(0, eq) : null;
            list.add(new ModelScorer(Path.of(eq > 0 ? m.substring(eq + 1) : m), name));
        }
        for (String r : regionStats) list.add(new RegionStatScorer(r, g));
        if (scoresFile != null) list.add(new FileScorer(scoresFile, N));
        Set<String> names = new HashSet<>();
        for (Scorer s : list) {
            if (!s.name().matches("[A-Za-z0-9_.-]+"))
                throw new InputException("score name '" + s.name() + "' must use letters, digits, '_', '.' or '-' (name a model with NAME=FILE)");
            if (!names.add(s.name())) throw new InputException("two scores are named '" + s.name() + "' (name a model with NAME=FILE)");
        }
        return list;
    }

    private static void truncate(double[] wp, int n, int L, int d, double[] avg, double psi, int t) {
        for (int i = 0; i < n; i++)
            for (int l = 0; l < t; l++)
                for (int k = 0; k < d; k++) {
                    int j = (i * L + l) * d + k;
                    wp[j] = avg[k] + psi * (wp[j] - avg[k]);
                }
    }

    private static String csv(List<Scorer> scorers, double[][] scores, int N) {
        StringBuilder sb = new StringBuilder("index");
        for (Scorer s : scorers) sb.append(',').append(s.name());
        sb.append('\n');
        for (int i = 0; i < N; i++) {
            sb.append(i);
            for (double[] s : scores) sb.append(',').append(s[i]);
            sb.append('\n');
        }
        return sb.toString();
    }

    /** mean, std, min, max over the finite values, and the NaN count. */
    private static double[] stats(double[] v) {
        double s = 0, q = 0, mn = Double.POSITIVE_INFINITY, mx = Double.NEGATIVE_INFINITY;
        int n = 0, nan = 0;
        for (double x : v) {
            if (Double.isNaN(x)) { nan++; continue; }
            s += x; q += x * x; n++;
            mn = Math.min(mn, x); mx = Math.max(mx, x);
        }
        double mean = n == 0 ? Double.NaN : s / n;
        return new double[]{mean, n == 0 ? Double.NaN : Math.sqrt(Math.max(0, q / n - mean * mean)), mn, mx, nan};
    }

    private static Object jsonNumber(double v) {
        return Double.isFinite(v) ? (Object) v : (Object) String.valueOf(v);
    }

    private Map<String, Object> record(Generator g, LatentSpace space, int N, Latents given, List<Scorer> scorers, double[][] scores,
                                       boolean writeZ, boolean writeW, double secs) {
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("tool", "ganfactor sample");
        rec.put("created", Instant.now().toString());
        rec.put("model", g.source());
        rec.put("generator", Map.of("latent_dim", g.latentDim(), "num_layers", g.numLayers(), "output", List.of(g.channels(), g.height(), g.width()),
                "precision", g.dtype().toString().toLowerCase(Locale.ROOT)));
        rec.put("space", space.label());
        rec.put("samples", N);
        rec.put("latents", given != null ? given.origin() : "seed " + common.seed + ": z = RandomState(seed).randn(N, d)");
        Map<String, Object> tr = new LinkedHashMap<>();
        tr.put("psi", common.psi);
        tr.put("layers", Math.min(g.numLayers(), common.truncLayers));
        tr.put("applies_to", "wp.npy and what is rendered and scored; z.npy and w.npy are untruncated");
        rec.put("truncation", tr);
        Map<String, Object> files = new LinkedHashMap<>();
        if (writeZ) files.put("z", "z.npy [N, d] float64");
        if (writeW) files.put("w", "w.npy [N, d] float64");
        files.put("wp", "wp.npy [N, L, d] float64");
        if (!scorers.isEmpty()) files.put("scores", "scores_<name>.npy [N, 1] float64 and scores.csv");
        if (saveImages) files.put("images", "images/<i>.png (zero-padded to 6 digits)");
        rec.put("files", files);
        List<Map<String, Object>> sc = new ArrayList<>();
        for (int k = 0; k < scorers.size(); k++) {
            double[] st = stats(scores[k]);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", scorers.get(k).name());
            m.put("definition", scorers.get(k).definition());
            m.put("file", "scores_" + scorers.get(k).name() + ".npy");
            m.put("mean", jsonNumber(st[0]));
            m.put("std", jsonNumber(st[1]));
            m.put("min", jsonNumber(st[2]));
            m.put("max", jsonNumber(st[3]));
            m.put("nan", (long) st[4]);
            sc.add(m);
        }
        rec.put("scores", sc);
        rec.put("batch", batch);
        rec.put("seconds_total", secs);
        rec.put("versions", ganfactor.Engine.info());
        return rec;
    }
}
