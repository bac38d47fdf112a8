package ganfactor.cli;

import ganfactor.ConflictException;
import ganfactor.Failure;
import ganfactor.InputException;
import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import ganfactor.io.OutputDir;
import ganfactor.jacobian.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The defects of the second newcomer's trial (issue 30), one test each: nothing lost, nothing
 * silent, no misleading message. Each test was written against the behaviour the trial saw.
 */
class ReliabilityTest {
    @TempDir
    Path dir;

    /**
     * --force never replaces a folder that holds one of the command's own inputs (the trial's
     * `edit --direction killed/eyes/directions.npy --out killed --force` deleted its directions),
     * nor writes a file over one (project-boundary --out = --primal): exit 2, the input named,
     * nothing changed.
     */
    @Test
    void forceNeverReplacesTheCommandsOwnInput() throws IOException {
        Path f = dir.resolve("killed");
        assertEquals(0, CliRun.run("jacobian", "--region", "eyes", "--grid", "32", "--quiet", "--out", f.toString()).code());
        Path lat = f.resolve("latents.npy");
        TreeMap<String, String> before = snapshot(f);
        for (String out : List.of(f.toString(), f + "/")) {
            CliRun r = CliRun.run("jacobian", "--region", "eyes", "--grid", "32", "--quiet", "--latents", lat.toString(), "--force", "--out", out);
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("an input of this command (--latents)") && r.err().contains("latents.npy"), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        assertEquals(before, snapshot(f), "the folder and its input are untouched");

        double[] n = new double[64];
        n[3] = 1;
        Path primal = dir.resolve("primal.npy"), cond = dir.resolve("cond.npy");
        Npy.writeFloat64(primal, n, 1, 64);
        double[] c = new double[64];
        c[3] = 0.5;
        c[4] = 0.5;
        Npy.writeFloat64(cond, c, 1, 64);
        byte[] was = Files.readAllBytes(primal);
        CliRun r = CliRun.run("project-boundary", "--primal", primal.toString(), "--condition", cond.toString(), "--out", primal.toString(), "--force");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("is an input of this command (--primal)"), r.err());
        assertArrayEquals(was, Files.readAllBytes(primal));
    }

    /**
     * Off a terminal (a log, a pipe) long stages report a line every {@link
     * TerminalProgress#LINE_INTERVAL_NANOS} with the time left, and a closing line; a stage shorter
     * than that prints nothing; --quiet prints nothing at all. The clock is a fake one.
     */
    @Test
    void progressOffATerminalWritesLinesWithTheEstimate() {
        long[] now = {0};
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TerminalProgress p = new TerminalProgress(new PrintStream(bytes, true), TerminalProgress.Style.LINES, () -> now[0]);
        p.begin("short", 4);
        for (int i = 0; i < 4; i++) { now[0] += 1_000_000_000L; p.advance(1); }
        p.end();
        assertEquals("", bytes.toString(), "a 4 s stage prints nothing");

        p.begin("jacobian", 20);
        for (int i = 0; i < 20; i++) { now[0] += 2_000_000_000L; p.advance(1); }   // 40 s in all
        p.end();
        List<String> lines = bytes.toString().lines().toList();
        // a line at 6, 12, 18, 24, 30, 36 s (every 5 s or more, at the step that crosses it), then the closing line
        assertEquals(7, lines.size(), bytes.toString());
        assertEquals("ganfactor: jacobian: 3/20 (15%), 6.0 s elapsed, about 34.0 s left", lines.get(0));
        assertEquals("ganfactor: jacobian: done, 20/20 in 40.0 s", lines.get(6));

        ByteArrayOutputStream quiet = new ByteArrayOutputStream();
        TerminalProgress q = new TerminalProgress(new PrintStream(quiet, true), TerminalProgress.Style.OFF, () -> now[0]);
        q.begin("jacobian", 20);
        for (int i = 0; i < 20; i++) { now[0] += 2_000_000_000L; q.advance(1); }
        q.end();
        assertEquals("", quiet.toString());
        // surefire's forked JVM writes stderr into a pipe, not a terminal
        assertFalse(TerminalProgress.stderrIsTerminal());
        assertEquals("3 min 05 s", Progress.duration(185));
        assertEquals("sample 2/3: jacobian", prefixedLabel());
    }

    private static String prefixedLabel() {
        String[] seen = new String[1];
        Progress base = new Progress() {
            public void begin(String label, long total) { seen[0] = label; }
            public void advance(long steps) {}
            public void end() {}
        };
        base.prefixed("sample 2/3: ").begin("jacobian", 1);
        return seen[0];
    }

    /**
     * A lost race is not bad input: a second run for a folder another live run is writing stops at
     * once, and a run whose target was written by another while it ran discards its results,
     * leaves the other's files as they are, and exits 3 (the trial's loser computed 30 s and exited
     * 2 with "Directory not empty").
     */
    @Test
    void aLostRaceSaysAnotherRunTookTheFolder() throws IOException {
        Path target = dir.resolve("raced");
        try (OutputDir first = new OutputDir(target, false, "test")) {
            ConflictException e = assertThrows(ConflictException.class, () -> new OutputDir(target, false, "test"));
            assertTrue(e.getMessage().contains("another ganfactor run (process " + ProcessHandle.current().pid() + ") is writing"), e.getMessage());
            assertEquals(Failure.Kind.CONFLICT, Failure.of(e).kind());
            CliRun r = CliRun.run("jacobian", "--region", "eyes", "--grid", "32", "--quiet", "--out", target.toString());
            assertEquals(Main.EXIT_CONFLICT, r.code(), r.err());
            assertTrue(r.err().startsWith("ganfactor: error: ") && r.err().contains("another ganfactor run"), r.err());
            first.writeString("a.txt", "first");
        }
        assertStagingGone("raced");

        try (OutputDir mine = new OutputDir(target, false, "test")) {
            mine.writeString("mine.txt", "mine");
            Files.createDirectories(target);
            Files.writeString(target.resolve("theirs.txt"), "theirs");   // another run committed meanwhile
            ConflictException e = assertThrows(ConflictException.class, mine::commit);
            assertTrue(e.getMessage().contains("another run wrote this folder while this one was running"), e.getMessage());
        }
        assertEquals("theirs", Files.readString(target.resolve("theirs.txt")));
        assertFalse(Files.exists(target.resolve("mine.txt")));
        assertStagingGone("raced");
    }

    private void assertStagingGone(String name) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("." + name + ".")), "no staging folder left");
        }
    }

    /**
     * Messages that named the wrong thing: a CSV of 18 scores plus the index column, a read-only
     * parent of an existing output folder, an .npz archive, two inputs with the same file name.
     */
    @Test
    void messagesNameWhatIsActuallyWrong() throws IOException {
        StringBuilder csv = new StringBuilder("index");
        for (int k = 0; k < 18; k++) csv.append(",score").append(k);
        csv.append('\n');
        for (int i = 0; i < 40; i++) {
            csv.append(i);
            for (int k = 0; k < 18; k++) csv.append(',').append(Math.sin(i + k));
            csv.append('\n');
        }
        Path scores = dir.resolve("scores.csv");
        Files.writeString(scores, csv);
        InputException e = assertThrows(InputException.class, () -> ganfactor.score.ScoreFiles.read(scores, null));
        assertTrue(e.getMessage().contains("18 score columns (score0, score1,") && e.getMessage().contains("besides 'index'")
                && e.getMessage().contains("read with column NAME") && e.worded(Main::flag).contains("read with --column NAME"), e.getMessage());
        // ganfactor sample's scores.csv with one scorer: index and the score, read without --column
        Path one = dir.resolve("one.csv");
        Files.writeString(one, "index,smile\n0,0.5\n1,-2\n");
        assertArrayEquals(new double[]{0.5, -2}, ganfactor.score.ScoreFiles.read(one, null), 0.0);

        String m = OutputDir.cannotCreate("ro2/res", Path.of("/x/ro2"), true, new AccessDeniedException("/x/ro2/.res.partial-1-2"));
        assertTrue(m.startsWith("ro2/res: cannot write in /x/ro2 (permission denied)") && m.contains("the parent folder must be writable")
                && !m.contains("cannot create the output folder"), m);

        // .npz: the only array is read; several are refused with their names; FILE.npz#NAME picks one
        Path npz = dir.resolve("d.npz"), npz2 = dir.resolve("two.npz");
        writeNpz(npz, "dirs", dir.resolve("a.npy"), new double[]{1, 2, 3, 4, 5, 6});
        NpyArray a = Npy.read(npz);
        assertArrayEquals(new long[]{2, 3}, a.shape());
        assertArrayEquals(new double[]{1, 2, 3, 4, 5, 6}, a.data(), 0.0);
        writeNpz(npz2, "u", dir.resolve("b.npy"), new double[]{1, 2, 3, 4, 5, 6}, "v", dir.resolve("c.npy"), new double[]{7, 8, 9, 10, 11, 12});
        InputException z = assertThrows(InputException.class, () -> Npy.read(npz2));
        assertTrue(z.getMessage().contains("an .npz archive of 2 arrays (u, v)") && z.getMessage().contains(npz2 + "#u"), z.getMessage());
        assertEquals(7.0, Npy.read(Path.of(npz2 + "#v")).data()[0]);

        // two condition files of the same name in different folders are told apart
        Path b1 = Files.createDirectories(dir.resolve("x")).resolve("boundary.npy"), b2 = Files.createDirectories(dir.resolve("y")).resolve("boundary.npy");
        double[] u = new double[64], v = new double[64];
        u[0] = 1;
        u[1] = 1;
        v[1] = 1;
        Npy.writeFloat64(b1, u, 1, 64);
        Npy.writeFloat64(b2, v, 1, 64);
        CliRun r = CliRun.run("project-boundary", "--primal", b1.toString(), "--condition", b2.toString(), "--out", dir.resolve("p.npy").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(b1.toString()) && r.out().contains(b2.toString()), r.out());
    }

    /** Integer direction files are read when every value converts exactly; int64 beyond 2^53 is refused. */
    @Test
    void integerDirectionsAreReadWhenExact() throws IOException {
        Path ints = dir.resolve("ints.npy");
        double[] one = new double[64];
        one[5] = 1;
        Npy.write(ints, new NpyArray(one, new long[]{1, 64}, "<i8"));
        assertEquals("<i8", Npy.read(ints).dtype());
        CliRun r = CliRun.run("edit", "--direction", ints.toString(), "--index", "0", "--grid", "32", "--cell", "32", "--quiet", "--out", dir.resolve("e").toString());
        assertEquals(0, r.code(), r.err());
        double[] big = one.clone();
        big[6] = Math.pow(2, 60);
        Npy.write(ints, new NpyArray(big, new long[]{1, 64}, "<i8"));
        InputException e = assertThrows(InputException.class, () -> Npy.read(ints).requireExactReal(ints, "directions"));
        assertTrue(e.getMessage().contains("cannot hold exactly"), e.getMessage());
    }

    /**
     * --truncation in W space truncates the one w on every layer by default: on a StyleGAN2 (L >= 10)
     * the old default of 8 layers refused every W-space --truncation (found by the README audit);
     * a given count below L is still refused, since the code would then differ per layer.
     */
    @Test
    void truncationInWSpaceWorksOnAStyleGan2() {
        String m = "stylegan2:16:cbase=128:cmax=8:zdim=8:map=2:seed=3";
        CliRun ok = CliRun.run("jacobian", "--model", m, "--region", "8,8,4,4", "--truncation", "0.7", "--quiet", "--out", dir.resolve("t").toString());
        assertEquals(0, ok.code(), ok.err());
        CliRun bad = CliRun.run("jacobian", "--model", m, "--region", "8,8,4,4", "--truncation", "0.7", "--truncation-layers", "4", "--quiet",
                "--out", dir.resolve("t2").toString());
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("use --space wp"), bad.err());
    }

    /**
     * --threads holds for the whole run and is what the record says, also for a second run in the
     * same JVM (issue 26: the record's version block reset LibTorch to one thread per core, so
     * `discover --threads 1` recorded 2 and later work in the JVM ran on all cores).
     */
    @Test
    void threadsHoldThroughTheRecordAndASecondRun() throws Exception {
        try {
            for (String name : List.of("t1", "t2")) {
                Path out = dir.resolve(name);
                CliRun r = CliRun.run("jacobian", "--region", "eyes", "--grid", "32", "--threads", "1", "--quiet", "--out", out.toString());
                assertEquals(0, r.code(), r.err());
                com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("jacobian.json").toFile());
                assertEquals("1", j.get("versions").get("torch threads").asText(), name + ": " + j.get("versions"));
                assertEquals(1, org.bytedeco.pytorch.global.torch.get_num_threads(), name + ": the JVM keeps the command's threads after it");
            }
        } finally {
            ganfactor.Engine.init(0);   // the rest of the suite runs on one thread per core
        }
    }

    /** Every command's summary in `ganfactor --help` is one whole sentence (six stopped mid-sentence). */
    @Test
    void helpSummariesAreWholeSentences() {
        java.io.StringWriter out = new java.io.StringWriter();
        assertEquals(0, Main.execute(new String[]{"--help"}, new java.io.PrintWriter(out, true), new java.io.PrintWriter(new java.io.StringWriter(), true)));
        List<String> entries = new ArrayList<>();
        boolean in = false;
        for (String line : out.toString().lines().toList()) {
            if (line.startsWith("Commands:")) { in = true; continue; }
            if (!in) continue;
            if (line.startsWith("  ") && !line.startsWith("    ")) entries.add(line.strip());
            else entries.set(entries.size() - 1, entries.get(entries.size() - 1) + " " + line.strip());
        }
        assertTrue(entries.size() >= 14, out.toString());
        for (String e : entries) {
            String text = e.replaceFirst("^\\S+\\s+", "");
            assertTrue(text.endsWith("."), "a whole sentence: " + e);
            assertFalse(text.substring(0, text.length() - 1).matches(".*\\.\\s+[A-Z].*"), "one sentence: " + e);
        }
    }

    /** With CI=true a missing test input stops the build before the suite, naming the install line; without, it only says what will skip. */
    @Test
    void thePreflightFailsFastUnderCi() throws Exception {
        Path script = Path.of("src/test/sh/preflight.sh").toAbsolutePath();
        Path tree = Files.createDirectories(dir.resolve("r/java/src/test/sh"));
        Files.copy(script, tree.resolve("preflight.sh"));
        for (String ci : List.of("true", "")) {
            ProcessBuilder pb = new ProcessBuilder("bash", tree.resolve("preflight.sh").toString()).redirectErrorStream(true);
            pb.environment().put("CI", ci);
            Process p = pb.start();
            String text = new String(p.getInputStream().readAllBytes());
            int code = p.waitFor();
            assertEquals(ci.equals("true") ? 1 : 0, code, text);
            assertTrue(text.contains("../shared/fixtures") && text.contains("gf_test"), text);
            if (ci.equals("true")) assertTrue(text.contains("stopping before the suite"), text);
        }
    }

    private static void writeNpz(Path npz, Object... nameFileData) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(npz))) {
            for (int i = 0; i < nameFileData.length; i += 3) {
                Path tmp = (Path) nameFileData[i + 1];
                Npy.writeFloat64(tmp, (double[]) nameFileData[i + 2], 2, 3);
                z.putNextEntry(new ZipEntry(nameFileData[i] + ".npy"));
                z.write(Files.readAllBytes(tmp));
                z.closeEntry();
            }
        }
    }

    private static TreeMap<String, String> snapshot(Path root) throws IOException {
        return BadInputCorpusTest.snapshot(root);
    }
}
