package ganfactor;

import ganfactor.cli.Main;
import ganfactor.embed.NativeApi;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.io.AtomicFile;
import ganfactor.io.Npy;
import ganfactor.io.OutputDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static ganfactor.InputException.ref;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The library names a setting by its registry name ({@link InputException#ref}) and each front end
 * words it: the CLI as its flag ({@code --num}), the studio as its form field in quotes ({@code
 * 'psi'}), the C API as its argument ({@code rpcaLambda}); {@code getMessage()} reads the bare
 * name. And the library's sources quote no CLI flag. (The studio's wording: StudioWordingTest in
 * the studio module.)
 */
class MessagesWordingTest {
    /** The CLI's stderr and exit code for {@code args}, run in-process. */
    private record Run(int code, String err) {}

    private static Run cli(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        return new Run(code, err.toString().strip());
    }

    @Test
    void aRefusalReadsPlainAndAsEachFrontEndNamesTheSetting(@TempDir Path dir) {
        Generator g = TestSupport.demo32();
        InputException e = assertThrows(InputException.class, () -> Latents.fromSeed(g, LatentSpace.W, 0, 0, 1.0, g.numLayers()));
        assertEquals("num must be positive, got 0", e.getMessage());
        assertEquals("num must be positive, got 0", Messages.oneLine(e));
        assertEquals(ref("num") + " must be positive, got 0", e.rawMessage());
        assertEquals(new Failure(Failure.Kind.INPUT, "num must be positive, got 0"), Failure.of(e));
        assertEquals(new Failure(Failure.Kind.INPUT, "--num must be positive, got 0"), Failure.of(e, Main::flag));
        assertEquals("num must be positive, got 0", e.worded(NativeApi::argument));
        assertTrue(e.toString().endsWith(": num must be positive, got 0"), "a stack trace reads it plainly too: " + e);

        // the command line: exactly as before the library stopped quoting flags
        Run r = cli("jacobian", "--region", "eyes", "--num", "0", "--out", dir.resolve("out").toString(), "--quiet");
        assertEquals(2, r.code(), r.err());
        assertEquals("ganfactor: error: --num must be positive, got 0", r.err());

        // a setting the studio sets through a field of another name
        InputException t = assertThrows(InputException.class, () -> Latents.fromSeed(g, LatentSpace.W, 0, 1, Double.NaN, g.numLayers()));
        assertEquals("truncation must be a finite number, got NaN", t.getMessage());
        assertEquals("--truncation must be a finite number, got NaN", t.worded(Main::flag));
    }

    @Test
    void refusingToReplaceAnOutputNamesForceAsEachFrontEndSpellsIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("model.pt");
        Files.writeString(file, "an earlier export");
        InputException a = assertThrows(InputException.class, () -> AtomicFile.check(file, false));
        assertEquals(file + ": exists (use force to replace it)", a.getMessage());
        Run r = cli("export", "--model", "demo", "--out", file.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("ganfactor: error: " + file + ": exists (use --force to replace it)", r.err());

        Path folder = dir.resolve("results");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("notes.txt"), "the user's own file");
        InputException o = assertThrows(InputException.class, () -> new OutputDir(folder, false, "test").close());
        assertEquals(folder + ": folder exists and is not empty (force replaces an earlier ganfactor output folder)", o.getMessage());
        Run j = cli("jacobian", "--region", "eyes", "--out", folder.toString(), "--quiet");
        assertEquals(2, j.code(), j.err());
        assertEquals("ganfactor: error: " + folder + ": folder exists and is not empty (--force replaces an earlier ganfactor output folder)", j.err());
        assertEquals("the user's own file", Files.readString(folder.resolve("notes.txt")));

        // a lost race names its setting too, and keeps its kind
        ConflictException c = new ConflictException(folder + ": another ganfactor run is writing this folder now; choose another " + ref("out"));
        assertEquals(folder + ": another ganfactor run is writing this folder now; choose another out", c.getMessage());
        assertEquals(new Failure(Failure.Kind.CONFLICT, folder + ": another ganfactor run is writing this folder now; choose another --out"), Failure.of(c, Main::flag));
    }

    @Test
    void wrappingKeepsTheReferencesAndSettingRefusalsWordAlike() {
        InputException inner = new InputException(ref("space") + " wp, please\nsecond line");
        InputException outer = new InputException("codes.npy: " + inner.rawMessage(), inner);
        assertEquals("codes.npy: --space wp, please", outer.worded(Main::flag));
        assertEquals("codes.npy: space wp, please\nsecond line", outer.getMessage());
        assertEquals("codes.npy: --space wp, please", Messages.oneLine(new RuntimeException(Messages.oneLine(outer, InputException::ref)), Main::flag));
        assertEquals("no setting here", InputException.worded("no setting here", Main::flag));
        assertEquals("use --grid or --precision", InputException.worded("use " + ref("grid") + " or " + ref("precision"), Main::flag));

        SettingException s = new SettingException("rpca-lambda", "must be positive, got -1");
        assertEquals("rpca-lambda must be positive, got -1", s.getMessage());
        assertEquals("--rpca-lambda must be positive, got -1", s.worded(Main::flag));
        assertEquals("--rpca-lambda must be positive, got -1", s.worded("--rpca-lambda"));
        assertEquals("rpcaLambda must be positive, got -1", s.worded(NativeApi::argument));
    }

    @Test
    void theCApiWordsTheLibrarysRefusals() {
        // the C API: a refused solve names the C argument; a refusal inside the library reads plainly
        RuntimeException lambda = assertThrows(RuntimeException.class, () -> NativeApi.request(NativeApi.METHOD_LOWRANKGAN, 5, null, 0, 0, -1));
        assertTrue(lambda.getMessage().startsWith("rpcaLambda "), lambda.getMessage());
        long[] handle = new long[1];
        assertEquals(NativeApi.OK, NativeApi.open("demo", handle, new int[5]), NativeApi.lastError());
        try {
            ByteBuffer out = ByteBuffer.allocateDirect(8 * TestSupport.demo32().latentDim()).order(ByteOrder.nativeOrder());
            assertEquals(NativeApi.ERR_INPUT, NativeApi.latentFromSeed(handle[0], 1, -1, out));
            assertEquals("seed must be between 0 and 4294967295, got -1", NativeApi.lastError());
        } finally {
            assertEquals(NativeApi.OK, NativeApi.close(handle[0]));
        }
    }

    // ---- the library's sources quote no CLI flag ----

    /** Library files allowed to hold a flag-like literal, with why: none of them names a ganfactor setting to the user. */
    private static final Map<String, String> ALLOWED = Map.of(
            "pipeline/Methods.java --full_rank",
            "help text naming the official ReSeFa code's own flag, which the regularisation reproduces",
            "io/WeightFiles.java --trust-pickle",
            "a shell command line for tools/save_safetensors.py (another program's flag) to copy and run");

    private static final Pattern CHAR = Pattern.compile("'(?:[^'\\\\]|\\\\.)'");
    private static final Pattern LITERAL = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern FLAG = Pattern.compile("--[a-z][a-z0-9_-]*");

    /** The flag-like words in the string literals of one line of Java (comments skipped). */
    static List<String> flags(String line) {
        String t = line.strip();
        if (t.startsWith("*") || t.startsWith("//") || t.startsWith("/*")) return List.of();
        List<String> out = new ArrayList<>();
        Matcher lit = LITERAL.matcher(CHAR.matcher(line).replaceAll("' '"));
        while (lit.find()) {
            Matcher f = FLAG.matcher(lit.group());
            while (f.find()) out.add(f.group());
        }
        return out;
    }

    @Test
    void theLibraryQuotesNoCliFlag() throws IOException {
        assertEquals(List.of("--num"), flags("throw new InputException(\"--num must be positive, got \" + num);"), "the scan finds a quoted flag");
        assertEquals(List.of("--force"), flags("throw new InputException(file + \": exists (use --force to replace it)\");"));
        assertEquals(List.of(), flags("if (--depth == 0 && c == '\"') x = \"a -- b\"; // --debug"));

        Path root = Path.of("src/main/java/ganfactor");
        assertTrue(Files.isDirectory(root.resolve("generator")), "run from the java module: " + root.toAbsolutePath());
        List<String> found = new ArrayList<>();
        TreeSet<String> used = new TreeSet<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        for (Path p : files) {
            String rel = root.relativize(p).toString().replace('\\', '/');
            if (rel.startsWith("cli/") || rel.startsWith("studio/")) continue;   // the front ends word the settings
            List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++)
                for (String f : flags(lines.get(i))) {
                    String key = rel + " " + f;
                    if (ALLOWED.containsKey(key)) used.add(key);
                    else found.add(rel + ":" + (i + 1) + ": " + f + " in " + lines.get(i).strip());
                }
        }
        assertTrue(found.isEmpty(), "library messages name settings with InputException.ref(\"name\"), not as CLI flags:\n" + String.join("\n", found));
        assertEquals(new TreeSet<>(ALLOWED.keySet()), used, "an allowed literal that is gone leaves the allow-list too");
    }
}
