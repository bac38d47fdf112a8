package ganfactor.cli;

import ganfactor.TestSupport;
import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** sample, train-boundary, project-boundary and edit --boundary in-process: files, shapes, and bad input. */
class InterFaceGanCliTest {
    @TempDir
    Path tmp;

    static CliRun run(String... args) {
        return CliRun.run(args);
    }

    static void ok(CliRun r) {
        assertEquals(0, r.code(), r.err());
    }

    /** Exit 2, one line on stderr containing {@code text}. */
    static void inputError(CliRun r, String text) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(text), r.err());
    }

    /** The whole workflow on the demo: sample 2,000 W codes with two ground-truth scores, train, condition, edit. */
    @Test
    void sampleTrainProjectEdit() throws Exception {
        Path s = tmp.resolve("s");
        CliRun r = run("sample", "--model", "demo", "--space", "w", "--num", "2000", "--seed", "0", "--attribute", "smile", "--attribute", "mouth_width",
                "--batch", "500", "--out", s.toString(), "--quiet");
        ok(r);
        assertArrayEquals(new long[]{2000, 64}, Npy.read(s.resolve("w.npy")).shape());
        assertArrayEquals(new long[]{2000, 8, 64}, Npy.read(s.resolve("wp.npy")).shape());
        assertFalse(Files.exists(s.resolve("z.npy")), "--space w writes w.npy and wp.npy");
        NpyArray smile = Npy.read(s.resolve("scores_smile.npy"));
        assertArrayEquals(new long[]{2000, 1}, smile.shape());
        assertEquals(2001, Files.readAllLines(s.resolve("scores.csv")).size());
        assertTrue(Files.readString(s.resolve("sample.json")).contains("\"name\": \"mouth_width\""));
        assertTrue(r.out().contains("smile") && r.out().contains("mean"), r.out());

        // the same codes from the seed in Z, and the mapping of z.npy is w.npy
        Path sz = tmp.resolve("sz");
        ok(run("sample", "--space", "z", "--num", "20", "--seed", "0", "--batch", "7", "--out", sz.toString(), "--quiet"));
        double[] z = Npy.read(sz.resolve("z.npy")).data();
        assertArrayEquals(ganfactor.generator.NumpyRandom.randn(0, 20 * 64), z, 0.0);
        assertArrayEquals(Arrays.copyOf(Npy.read(s.resolve("w.npy")).data(), 20 * 64), Npy.read(sz.resolve("w.npy")).data(), 1e-5);

        Path smileDir = tmp.resolve("smile"), widthDir = tmp.resolve("width");
        r = run("train-boundary", "--codes", s.resolve("w.npy").toString(), "--scores", s.resolve("scores_smile.npy").toString(),
                "--ratio", "0.1", "--seed", "3", "--out", smileDir.toString());
        ok(r);
        assertTrue(r.out().contains("validation"), r.out());
        NpyArray b = Npy.read(smileDir.resolve("boundary.npy"));
        assertArrayEquals(new long[]{1, 64}, b.shape());
        assertEquals(1.0, Math.sqrt(Arrays.stream(b.data()).map(v -> v * v).sum()), 1e-12);
        String json = Files.readString(smileDir.resolve("boundary.json"));
        assertTrue(json.contains("\"validation_accuracy\"") && json.contains("\"remaining_accuracy\"") && json.contains("\"chosen_per_class\": 200"), json);
        // deterministic with the seed; the CSV column gives the same boundary
        Path again = tmp.resolve("again");
        ok(run("train-boundary", "--codes", s.resolve("w.npy").toString(), "--scores", s.resolve("scores.csv").toString(), "--column", "smile",
                "--ratio", "0.1", "--seed", "3", "--out", again.toString()));
        assertArrayEquals(b.data(), Npy.read(again.resolve("boundary.npy")).data(), 0.0);
        ok(run("train-boundary", "--codes", s.resolve("w.npy").toString(), "--scores", s.resolve("scores_mouth_width.npy").toString(),
                "--ratio", "0.1", "--out", widthDir.toString()));

        Path cond = tmp.resolve("smile_c_width.npy");
        r = run("project-boundary", "--primal", smileDir.resolve("boundary.npy").toString(), "--condition", widthDir.resolve("boundary.npy").toString(),
                "--out", cond.toString());
        ok(r);
        double[] c = Npy.read(cond).data(), wb = Npy.read(widthDir.resolve("boundary.npy")).data();
        double dot = 0;
        for (int j = 0; j < 64; j++) dot += c[j] * wb[j];
        assertEquals(0.0, dot, 1e-12);
        inputError(run("project-boundary", "--primal", smileDir.resolve("boundary.npy").toString(), "--condition", widthDir.resolve("boundary.npy").toString(),
                "--out", cond.toString()), "exists (use --force");

        // edit: W codes -> absolute distances linspace(-3, 3, 10); wp codes -> relative offsets
        Path e = tmp.resolve("e");
        r = run("edit", "--boundary", cond.toString(), "--space", "w", "--num", "2", "--cell", "48", "--out", e.toString(), "--quiet");
        ok(r);
        assertTrue(r.out().contains("absolute mode"), r.out());
        NpyArray edited = Npy.read(e.resolve("edited_0.npy"));
        assertArrayEquals(new long[]{2, 10, 8, 64}, edited.shape());
        for (int st = 0; st < 10; st++) {
            double p = 0;
            for (int j = 0; j < 64; j++) p += edited.data()[(st * 8) * 64 + j] * c[j];
            assertEquals(-3 + st * 6.0 / 9, p, 1e-9, "x . n = distance " + st);
        }
        String ej = Files.readString(e.resolve("edit.json"));
        assertTrue(ej.contains("\"boundary_file\"") && ej.contains("\"mode\": \"absolute\""), ej);
        Path e2 = tmp.resolve("e2");
        r = run("edit", "--boundary", cond.toString(), "--space", "wp", "--num", "1", "--strengths", "-1,1", "--cell", "48", "--out", e2.toString(), "--quiet");
        ok(r);
        assertTrue(r.out().contains("relative mode"), r.out());
        NpyArray e2c = Npy.read(e2.resolve("edited_0.npy")), orig = Npy.read(e2.resolve("originals.npy"));
        for (int l = 0; l < 8; l++)
            for (int j = 0; j < 64; j++) assertEquals(orig.data()[l * 64 + j] + c[j], e2c.data()[512 + l * 64 + j], 1e-12);
    }

    /**
     * The image scorers: a TorchScript model returning the mean of the mouth box equals the
     * region statistic mean@184,128,40,68 (the same pixels) to 1e-6; images and a scores file
     * come along.
     */
    @Test
    void imageScorersAndImages() throws Exception {
        TestSupport.demo32();
        Path model = tmp.resolve("mouth_mean.pt");
        JitModule m = new JitModule(new QualifiedName("test.MouthMean"));
        m.define("""
            def forward(self, x: Tensor) -> Tensor:
                return x[:, :, 164:204, 94:162].mean(dim=[1, 2, 3])
            """);
        m.save(model.toString());
        Path given = tmp.resolve("given.csv");
        Files.writeString(given, "score\n1\n2\n3\n4\n5\n");
        Path s = tmp.resolve("s");
        CliRun r = run("sample", "--space", "z", "--num", "5", "--seed", "2", "--batch", "2", "--attribute-model", model.toString(),
                "--region-stat", "mean@184,128,40,68", "--region-stat", "dark@mask:mouth", "--scores", given.toString(), "--save-images",
                "--out", s.toString(), "--quiet");
        ok(r);
        double[] a = Npy.read(s.resolve("scores_mouth_mean.npy")).data(), b = Npy.read(s.resolve("scores_box_184_128_40_68_mean.npy")).data();
        for (int i = 0; i < 5; i++) assertEquals(a[i], b[i], 1e-6);
        double[] dark = Npy.read(s.resolve("scores_mouth_dark.npy")).data();
        for (double v : dark) assertTrue(v >= 0 && v <= 1, "fraction " + v);
        assertArrayEquals(new double[]{1, 2, 3, 4, 5}, Npy.read(s.resolve("scores_given.npy")).data(), 0.0);
        for (int i = 0; i < 5; i++) assertTrue(Files.isRegularFile(s.resolve(String.format("images/%06d.png", i))));
        assertArrayEquals(new long[]{5, 64}, Npy.read(s.resolve("z.npy")).shape());
    }

    /** Bad input: exit 2, one line, nothing written. */
    @Test
    void badInputExitsTwoAndWritesNothing() throws Exception {
        Path codes = tmp.resolve("w.npy");
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
        double[] w = new double[200 * 8];
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextGaussian();
        Npy.writeFloat64(codes, w, 200, 8);
        double[] sc = new double[200];
        for (int i = 0; i < 200; i++) sc[i] = w[i * 8] + 0.1 * w[i * 8 + 1];
        Path out = tmp.resolve("out");

        Path short_ = tmp.resolve("short.npy");
        Npy.writeFloat64(short_, Arrays.copyOf(sc, 199), 199, 1);
        inputError(run("train-boundary", "--codes", codes.toString(), "--scores", short_.toString(), "--out", out.toString()),
                "shape mismatch: " + codes + " holds 200 codes [200, 8] but " + short_ + " holds 199 scores");
        Path wide = tmp.resolve("wide.npy");
        Npy.writeFloat64(wide, new double[400], 200, 2);
        inputError(run("train-boundary", "--codes", codes.toString(), "--scores", wide.toString(), "--out", out.toString()),
                "expected scores of shape [N, 1], got [200, 2]");
        Path nan = tmp.resolve("nan.npy");
        double[] withNan = sc.clone();
        withNan[5] = Double.NaN;
        Npy.writeFloat64(nan, withNan, 200, 1);
        inputError(run("train-boundary", "--codes", codes.toString(), "--scores", nan.toString(), "--out", out.toString()),
                "score 5 is NaN (pass --invalid nan");
        Path good = tmp.resolve("good.npy");
        Npy.writeFloat64(good, sc, 200, 1);
        // 200 samples at 0.02 is enough (4 per class), 60 is not
        Npy.writeFloat64(tmp.resolve("w60.npy"), Arrays.copyOf(w, 60 * 8), 60, 8);
        Npy.writeFloat64(tmp.resolve("s60.npy"), Arrays.copyOf(sc, 60), 60, 1);
        inputError(run("train-boundary", "--codes", tmp.resolve("w60.npy").toString(), "--scores", tmp.resolve("s60.npy").toString(),
                "--out", out.toString()), "too few samples: 60 sample(s) at ratio 0.02 give 1 per class and 0 to train on (at least 100 samples");
        inputError(run("train-boundary", "--codes", codes.toString(), "--scores", good.toString(), "--ratio", "0", "--out", out.toString()), "--ratio");
        assertFalse(Files.exists(out));

        // singular or degenerate conditions
        Path p = tmp.resolve("p.npy"), c1 = tmp.resolve("c1.npy"), c2 = tmp.resolve("c2.npy"), c3 = tmp.resolve("c3.npy");
        Npy.writeFloat64(p, new double[]{1, 2, 3, 4}, 1, 4);
        Npy.writeFloat64(c1, new double[]{0, 1, 0, 0}, 1, 4);
        Npy.writeFloat64(c2, new double[]{0, -3, 0, 0}, 1, 4);
        Npy.writeFloat64(c3, new double[]{0, 1, 0, 0, 0}, 1, 5);
        Path cond = tmp.resolve("cond.npy");
        inputError(run("project-boundary", "--primal", p.toString(), "--condition", c1.toString(), "--condition", c2.toString(), "--out", cond.toString()),
                "singular conditions: condition 2 is parallel to condition 1");
        inputError(run("project-boundary", "--primal", c2.toString(), "--condition", c1.toString(), "--out", cond.toString()),
                "the primal boundary lies in the span of the conditions");
        inputError(run("project-boundary", "--primal", p.toString(), "--condition", c3.toString(), "--out", cond.toString()), "shape mismatch");
        Npy.writeFloat64(c3, new double[8], 2, 4);
        inputError(run("project-boundary", "--primal", p.toString(), "--condition", c3.toString(), "--out", cond.toString()),
                "expected a boundary of shape [1, d], got [2, 4]");
        assertFalse(Files.exists(cond));

        // sample and edit
        inputError(run("sample", "--num", "3", "--attribute", "grin", "--out", out.toString(), "--quiet"), "unknown attribute 'grin'");
        inputError(run("sample", "--num", "3", "--region-stat", "median@mouth", "--out", out.toString(), "--quiet"), "unknown statistic 'median'");
        inputError(run("sample", "--num", "3", "--scores", good.toString(), "--out", out.toString(), "--quiet"), "200 scores for 3 samples");
        inputError(run("edit", "--boundary", p.toString(), "--out", out.toString(), "--quiet"), "the boundary has 4 values");
        inputError(run("edit", "--boundary", c1.toString(), "--direction", c1.toString(), "--out", out.toString(), "--quiet"),
                "give either --direction or --boundary");
        assertFalse(Files.exists(out));
        try (Stream<Path> st = Files.list(tmp)) {
            List<Path> left = st.filter(x -> x.getFileName().toString().contains("partial")).toList();
            assertTrue(left.isEmpty(), "staging left behind: " + left);
        }
    }
}
