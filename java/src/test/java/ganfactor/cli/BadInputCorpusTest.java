package ganfactor.cli;

import ganfactor.io.Npy;
import ganfactor.io.OutputDir;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The bad-input corpus of the command line (issue 12): every case must end with exit code 2, one
 * line on stderr that starts "ganfactor: error:" and names the offending input, and a file system
 * exactly as it was (no output folder, no staging folder, no input touched).
 */
class BadInputCorpusTest {
    @TempDir
    static Path dir;

    static Path lat, big, empty, dirs, codes, constScores, zeroB, corrupt, out;

    @BeforeAll
    static void files() throws IOException {
        double[] w = new double[2 * 64];
        for (int i = 0; i < w.length; i++) w[i] = Math.sin(i);
        lat = dir.resolve("lat.npy");
        Npy.writeFloat64(lat, w, 2, 64);
        double[] huge = w.clone();
        huge[3] = 1e30;
        big = dir.resolve("big.npy");
        Npy.writeFloat64(big, huge, 2, 64);
        empty = dir.resolve("empty.npy");
        Npy.writeFloat64(empty, new double[0], 0, 64);
        dirs = dir.resolve("dirs.npy");
        double[] n = new double[64];
        n[0] = 1;
        Npy.writeFloat64(dirs, n, 1, 64);
        codes = dir.resolve("codes.npy");
        double[] c = new double[400 * 8];
        for (int i = 0; i < c.length; i++) c[i] = Math.cos(0.37 * i);
        Npy.writeFloat64(codes, c, 400, 8);
        constScores = dir.resolve("scores.npy");
        double[] s = new double[400];
        Arrays.fill(s, 0.5);
        Npy.writeFloat64(constScores, s, 400, 1);
        zeroB = dir.resolve("zeroB.npy");
        Npy.writeFloat64(zeroB, new double[64 * 64], 64, 64);
        corrupt = dir.resolve("corrupt.npy");
        Files.writeString(corrupt, "this is not a numpy file at all");
        out = dir.resolve("out");
    }

    /** {args..., expected fragment of the message}; "OUT" is replaced by the output folder. */
    static Stream<Arguments> cases() {
        String o = out.toString();
        String[][] c = {
                {"jacobian", "--region", "eyes", "--threads", "8000", "--out", o, "--threads 8000"},
                {"jacobian", "--region", "eyes", "--threads", "-1", "--out", o, "--threads -1"},
                {"discover", "--region", "eyes", "--num", "1000000000", "--out", o, "--num 1000000000"},
                {"sample", "--num", "2000000000", "--out", o, "--num 2000000000"},
                {"export", "--model", "demo", "--out", "/proc/ganfactor-test.pt", "/proc/ganfactor-test.pt"},
                {"jacobian", "--region", "eyes", "--truncation", "NaN", "--out", o, "--truncation"},
                {"jacobian", "--region", "eyes", "--latents", big.toString(), "--out", o, big.toString()},
                {"jacobian", "--region", "eyes", "--latents", empty.toString(), "--out", o, empty.toString()},
                {"jacobian", "--region", "eyes", "--latents", dir.toString(), "--out", o, "is a folder"},
                {"jacobian", "--region", "eyes", "--latents", corrupt.toString(), "--out", o, corrupt.toString()},
                {"jacobian", "--region", "eyes", "--latents", lat.toString(), "--seed", "3", "--out", o, "--latents"},
                {"jacobian", "--region", "eyes", "--chunk", "-5", "--out", o, "--chunk"},
                {"jacobian", "--region", "eyes", "--memory-budget", "1k", "--out", o, "--memory-budget must be at least 64m"},
                {"jacobian", "--region", "eyes", "--space", "wp", "--truncation", "0.7", "--truncation-layers", "99", "--out", o, "--truncation-layers 99"},
                {"jacobian", "--region", "eyes", "--num", "abc", "--out", o, "'abc'"},
                {"jacobian", "--region", "eyes", "--bogus", "--out", o, "--bogus"},
                {"jacobian", "--region", "300,300,10,10", "--out", o, "300,300,10,10"},
                {"jacobian", "--region", "eyes", "--model", dir.resolve("missing.safetensors").toString(), "--out", o, "missing.safetensors"},
                {"jacobian", "--region", "eyes", "--model", "stylegan2:64:cbase=-5", "--out", o, "cbase"},
                {"jacobian", "--region", "eyes", "--device", "cuda", "--out", o, "cuda"},
                {"discover", "--region", "eyes", "--method", "lowrankgan", "--regularize", "paper", "--out", o, "--regularize"},
                {"discover", "--region", "eyes", "--rpca-lambda", "0.1", "--out", o, "--rpca-lambda"},
                {"edit", "--direction", dirs.toString(), "--strengths", "1e300,0", "--out", o, "1e300"},
                {"edit", "--direction", dirs.toString(), "--strengths", "NaN", "--out", o, "NaN"},
                {"train-boundary", "--codes", codes.toString(), "--scores", constScores.toString(), "--out", o, "equal"},
                {"localize", "--direction", dirs.toString(), "--bg", zeroB.toString(), "--out", o, zeroB.toString()},
                // sizes that set the work are bounded up front (issue 30: ganspace ran silently until killed, --cell was an internal error)
                {"ganspace", "--samples", "2000000000", "--out", o, "--samples must be between 2 and 10000000, got 2000000000"},
                {"ganspace", "--batch", "2000000000", "--out", o, "--batch"},
                {"discover", "--region", "eyes", "--cell", "2000000000", "--out", o, "--cell"},
                {"edit", "--direction", dirs.toString(), "--cell", "5", "--out", o, "--cell"},
                {"jacobian", "--region", "eyes", "--model", "stylegan2:65536", "--out", o, "65536"},
        };
        return Arrays.stream(c).map(a -> Arguments.of((Object) a));
    }

    @ParameterizedTest(name = "[{index}] {arguments}")
    @MethodSource("cases")
    void badInputIsOneLineExit2AndTouchesNothing(String[] c) throws IOException {
        String[] args = Arrays.copyOf(c, c.length - 1);
        String expect = c[c.length - 1];
        TreeMap<String, String> before = snapshot(dir);
        StringWriter err = new StringWriter();
        int code = Main.execute(concat(args, "--quiet"), new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        String e = err.toString().strip();
        assertEquals(2, code, String.join(" ", args) + " -> " + e);
        List<String> lines = e.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "one line: " + e);
        assertTrue(lines.get(0).startsWith("ganfactor: error: "), e);
        assertTrue(lines.get(0).contains(expect), "names '" + expect + "': " + e);
        assertEquals(before, snapshot(dir), "the file system is untouched");
        assertFalse(Files.exists(Path.of("/proc/ganfactor-test.pt")));
    }

    private static String[] concat(String[] a, String b) {
        if (List.of("export", "train-boundary").contains(a[0])) return a;   // no progress bar, no --quiet
        String[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = b;
        return r;
    }

    /** Every subcommand's help renders, and cleanly: picocli warns on System.err about unescaped % in descriptions. */
    @Test
    void everySubcommandAnswersHelp() {
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(warnings, true));
        try {
            for (String cmd : List.of("info", "export", "jacobian", "discover", "solve", "localize", "edit", "sefa", "ganspace", "sample",
                    "train-boundary", "project-boundary", "demo", "studio", "gpu-check")) {
                StringWriter o = new StringWriter(), err = new StringWriter();
                int code = Main.execute(new String[]{cmd, "--help"}, new PrintWriter(o, true), new PrintWriter(err, true));
                assertEquals(0, code, cmd + " --help: " + err);
                assertTrue(o.toString().contains("Usage: ganfactor " + cmd), cmd + ": " + o);
                assertFalse(warnings.toString().contains("picocli WARN"), cmd + " --help: " + warnings);
            }
        } finally {
            System.setErr(stderr);
        }
    }

    /** --force replaces ganfactor's own earlier output, and never a folder holding a file it did not write. */
    @Test
    void forceNeverDeletesWhatGanfactorDidNotWrite() throws IOException {
        Path f = dir.resolve("forced");
        String[] jac = {"jacobian", "--region", "eyes", "--grid", "32", "--quiet", "--out", f.toString()};
        assertEquals(0, Main.execute(jac, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())));
        assertTrue(Files.isRegularFile(f.resolve(OutputDir.MANIFEST)));
        assertEquals(2, Main.execute(jac, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())), "without --force");
        String[] forced = concat(jac, "--force");
        StringWriter err = new StringWriter();
        assertEquals(0, Main.execute(forced, new PrintWriter(new StringWriter()), new PrintWriter(err, true)), err.toString());
        assertTrue(err.toString().contains("replacing"), "says what it replaces: " + err);
        Files.writeString(f.resolve("notes.txt"), "mine");
        Files.createDirectories(f.resolve("sub"));
        Files.writeString(f.resolve("sub/more.txt"), "mine too");
        TreeMap<String, String> before = snapshot(f);
        err = new StringWriter();
        assertEquals(2, Main.execute(forced, new PrintWriter(new StringWriter()), new PrintWriter(err, true)));
        assertTrue(err.toString().contains("did not write"), err.toString());
        assertEquals(before, snapshot(f), "nothing deleted or changed");

        Path plain = dir.resolve("plain");   // a user's folder without a manifest
        Files.createDirectories(plain);
        Files.writeString(plain.resolve("a.txt"), "a");
        err = new StringWriter();
        String[] p = {"jacobian", "--region", "eyes", "--grid", "32", "--quiet", "--force", "--out", plain.toString()};
        assertEquals(2, Main.execute(p, new PrintWriter(new StringWriter()), new PrintWriter(err, true)));
        assertTrue(err.toString().contains("was not written by ganfactor"), err.toString());
        assertEquals("a", Files.readString(plain.resolve("a.txt")));
    }

    /** The working folder, its parents and home are refused by the constructor, before anything could be deleted. */
    @Test
    void protectedFoldersAreRefused() throws IOException {
        Path cwd = Path.of("").toAbsolutePath();
        for (Path p : List.of(Path.of(""), Path.of("."), cwd, cwd.getParent(), Path.of("/")))
            assertThrows(ganfactor.InputException.class, () -> new OutputDir(p, true, "test").close(), p.toString());
        String home = System.getProperty("user.home");
        Path fakeHome = Files.createDirectories(dir.resolve("home/me"));
        System.setProperty("user.home", fakeHome.toString());
        try {
            assertThrows(ganfactor.InputException.class, () -> new OutputDir(fakeHome, true, "test").close());
            assertThrows(ganfactor.InputException.class, () -> new OutputDir(fakeHome.getParent(), true, "test").close());
        } finally {
            System.setProperty("user.home", home);
        }
    }

    /** A run killed outright leaves .NAME.partial-PID-X; the next run for that target removes it and says so. */
    @Test
    void leftoversOfAKilledRunAreRemoved() throws IOException {
        Path target = dir.resolve("killed");
        long deadPid = ProcessHandle.current().pid() + 1_000_000;   // far above pid_max's usual range: no such process
        Path stale = Files.createDirectories(dir.resolve(".killed.partial-" + deadPid + "-abc"));
        Files.writeString(stale.resolve("half.npy"), "x");
        try (OutputDir d = new OutputDir(target, false, "test")) {
            assertFalse(Files.exists(stale));
            assertTrue(d.notices().stream().anyMatch(n -> n.contains("interrupted")), d.notices().toString());
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".killed.")), "the staging folder is gone after close()");
        }
    }

    static TreeMap<String, String> snapshot(Path root) throws IOException {
        TreeMap<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String k = root.relativize(p).toString();
                m.put(k, Files.isDirectory(p) ? "dir" : Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis());
            }
        }
        return m;
    }

}
