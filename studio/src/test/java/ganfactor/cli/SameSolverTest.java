package ganfactor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import ganfactor.method.ReSeFa;
import ganfactor.pipeline.LowRankGanSolver;
import ganfactor.pipeline.MethodRequest;
import ganfactor.pipeline.Methods;
import ganfactor.pipeline.ReSeFaSolver;
import ganfactor.pipeline.Solver;
import ganfactor.studio.Body;
import ganfactor.studio.Studio;
import ganfactor.embed.NativeApi;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 26: the CLI, the studio and the C API build the same solver (same settings, same defaults)
 * for the same request, all through the method registry. (Spark's launcher: SparkSameSolverTest in
 * the spark module, against this test's CLI side.) Each case is given the way each front end takes
 * it: flags, a JSON body, gf_solve's arguments.
 */
class SameSolverTest {

    /** One request: the method and its settings as text (registry names). */
    record Case(String method, Map<String, String> settings) {}

    static List<Case> cases() {
        List<Case> cs = new ArrayList<>();
        cs.add(new Case("resefa", Map.of()));
        cs.add(new Case("resefa", ordered("k", "5", "regularize", "paper", "eps", "0.01", "tau", "0.002")));
        cs.add(new Case("resefa", ordered("regularize", "reference")));
        cs.add(new Case("lowrankgan", Map.of()));
        cs.add(new Case("lowrankgan", ordered("k", "3", "rpca-lambda", "0.125")));
        return cs;
    }

    static Map<String, String> ordered(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    /** The request the command line's discover builds from flags (parsed, not run). */
    static MethodRequest cli(Case c) {
        List<String> args = new ArrayList<>(List.of("discover", "--region", "eyes", "--out", "unused", "--method", c.method()));
        c.settings().forEach((k, v) -> { args.add("--" + k); args.add(v); });
        CommandLine cl = Main.commandLine();
        CommandLine.ParseResult pr = cl.parseArgs(args.toArray(String[]::new));
        DiscoverCommand d = (DiscoverCommand) pr.subcommand().commandSpec().userObject();
        return d.methodOptions.request();
    }

    static MethodRequest studio(Case c) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("method", c.method());
        c.settings().forEach((k, v) -> body.put(k, k.equals("regularize") ? v : Double.parseDouble(v)));   // numbers as JSON numbers, as the page sends
        ObjectMapper om = new ObjectMapper();
        return Studio.request(Methods.named(c.method()), Body.of(om.readTree(om.writeValueAsString(body))), Methods.named(c.method()).settings());
    }

    /** gf_solve's arguments: its struct's defaults (gf_solve_options_init) where the case gives none. */
    static MethodRequest capi(Case c) {
        Map<String, String> s = c.settings();
        int method = c.method().equals("resefa") ? NativeApi.METHOD_RESEFA : NativeApi.METHOD_LOWRANKGAN;
        return NativeApi.request(method, Integer.parseInt(s.getOrDefault("k", "0")), s.getOrDefault("regularize", "none"),
                Double.parseDouble(s.getOrDefault("eps", "1e-3")), Double.parseDouble(s.getOrDefault("tau", "1e-3")),
                Double.parseDouble(s.getOrDefault("rpca-lambda", "0")));
    }

    /** What a solver will do, from its options: the fields a solve reads. */
    static Map<String, Object> describe(Solver s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        if (s instanceof ReSeFaSolver r) {
            ReSeFa.Options o = r.options();
            m.put("regularization", o.regularization);
            m.put("eps", o.eps);
            m.put("tau", o.tau);
            m.put("k", o.k);
            m.put("path", o.path);
            m.put("fast_rank", o.fastRank);
            m.put("linalg", o.linalg.getClass().getName());
        } else if (s instanceof LowRankGanSolver l) {
            m.put("options", l.options().describe());
            m.put("auto_lambda", l.options().autoLambda);
            m.put("lambda", l.options().rpca.lambda);
        } else {
            fail("unexpected solver " + s);
        }
        return m;
    }

    @Test
    void cliStudioAndCApiBuildTheSameSolver() throws Exception {
        for (Case c : cases()) {
            MethodRequest a = cli(c), b = studio(c), d = capi(c);
            // the effective settings (given or defaulted) are the same in all three
            assertEquals(a.describe().get("settings"), b.describe().get("settings"), c + ": studio");
            assertEquals(a.describe().get("settings"), d.describe().get("settings"), c + ": C API");
            // and so are the solvers built from them
            assertEquals(describe(a.solver(null)), describe(b.solver(null)), c + ": studio solver");
            assertEquals(describe(a.solver(null)), describe(d.solver(null)), c + ": C API solver");
            // the CLI and the studio record what the user gave, nothing more
            assertEquals(c.settings().keySet(), new java.util.HashSet<>(a.givenTexts().keySet()), c + ": cli given");
            assertEquals(c.settings().keySet(), new java.util.HashSet<>(b.givenTexts().keySet()), c + ": studio given");
        }
    }

    /** One default per setting: a request with nothing given is the registry's defaults, and those are the library's options' own where both exist. */
    @Test
    void defaultsAreTheRegistrysAndTheLibrarys() {
        MethodRequest r = MethodRequest.of(Methods.RESEFA);
        ReSeFa.Options lib = new ReSeFa.Options();
        ReSeFa.Options reg = Methods.resefa(r, null);
        assertEquals(lib.regularization, reg.regularization);
        assertEquals(lib.eps, reg.eps);
        assertEquals(lib.tau, reg.tau);
        assertEquals(lib.k, reg.k);
        assertEquals(lib.path, reg.path);
        assertEquals(lib.fastRank, reg.fastRank);
        ganfactor.method.LowRankGan.Options llib = new ganfactor.method.LowRankGan.Options();
        ganfactor.method.LowRankGan.Options lreg = Methods.lowRankGan(MethodRequest.of(Methods.LOWRANKGAN));
        assertEquals(llib.rpca.solver, lreg.rpca.solver);
        assertEquals(llib.rpca.tol, lreg.rpca.tol);
        assertEquals(llib.rpca.maxIterations, lreg.rpca.maxIterations);
        assertEquals(llib.rpca.certifiedSvt, lreg.rpca.certifiedSvt);
        assertEquals(llib.numRelax, lreg.numRelax);
        assertEquals(llib.maxDirections, lreg.maxDirections);
        // the one registry default that is not the library options' own: lambda chosen from d
        assertTrue(lreg.autoLambda);
        assertEquals(1.0 / 60, lreg.forDim(512).rpca.lambda, 0.0);
        assertEquals(0.125, lreg.forDim(64).rpca.lambda, 0.0);
        ganfactor.method.GanSpace.Options glib = new ganfactor.method.GanSpace.Options();
        ganfactor.method.GanSpace.Options greg = Methods.ganSpace(MethodRequest.of(Methods.GANSPACE));
        assertEquals(glib.samples, greg.samples);
        assertEquals(glib.batch, greg.batch);
        assertEquals(glib.seed, greg.seed);
        assertEquals(glib.k, greg.k);
    }

    /** Every registry setting is a flag of the commands that offer it, with the registry's default in its help; a foreign one is refused by name. */
    @Test
    void theCommandLineIsBuiltFromTheRegistry() {
        CommandLine cl = Main.commandLine();
        for (String cmd : List.of("discover", "solve")) {
            CommandLine.Model.CommandSpec spec = cl.getSubcommands().get(cmd).getCommandSpec();
            for (var s : Methods.settingsOf(Methods.regionalMethods())) {
                CommandLine.Model.OptionSpec o = spec.findOption("--" + s.name());
                assertNotNull(o, cmd + " --" + s.name());
                assertTrue(String.join(" ", o.description()).contains("(default: " + s.defaultLabel() + ")"), cmd + " --" + s.name());
            }
        }
        for (var s : Methods.GANSPACE.settings()) assertNotNull(cl.getSubcommands().get("ganspace").getCommandSpec().findOption("--" + s.name()), s.name());
        for (var s : Methods.SEFA.settings()) assertNotNull(cl.getSubcommands().get("sefa").getCommandSpec().findOption("--" + s.name()), s.name());
        for (var s : Methods.nullSpaceSettings()) {
            assertNotNull(cl.getSubcommands().get("localize").getCommandSpec().findOption("--" + s.name()), s.name());
            assertNotNull(cl.getSubcommands().get("edit").getCommandSpec().findOption("--" + s.name()), s.name());
        }
        ganfactor.SettingException e = assertThrows(ganfactor.SettingException.class,
                () -> cli(new Case("resefa", Map.of("rpca-lambda", "0.1"))));
        assertEquals("rpca-lambda", e.setting());
        assertEquals("--rpca-lambda is a setting of lowrankgan; this run's method is resefa", Main.worded(e));
    }
}
