package ganfactor.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ganfactor.TestSupport;
import ganfactor.jacobian.GramPair;
import ganfactor.method.Directions;
import ganfactor.method.ReSeFa;
import ganfactor.trace.Trace;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 29: the solves' own steps as spans of the run's trace, given through the problem's {@link
 * RunContext}: ReSeFa's input checks and generalized solve, its fast path's five phases (the same
 * names as the record's phase_seconds), LowRankGAN's two RPCAs with their iterations in groups
 * (which together cover exactly the iterations the record reports), its null space and directions.
 */
class SolveSpansTest {
    private static GramPair demoEyes;

    /** The demo's eyes Grams, computed once for both tests. */
    static synchronized GramPair demoEyes() {
        if (demoEyes == null) demoEyes = ganfactor.check.Matrices.demoEyes(TestSupport.demo32());
        return demoEyes;
    }

    static List<JsonNode> spans(Trace t) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : new ObjectMapper().readTree(t.json()).get("traceEvents"))
            if (e.get("ph").asText().equals("X")) out.add(e);
        return out;
    }

    static List<String> names(List<JsonNode> spans) {
        return spans.stream().map(e -> e.get("name").asText()).toList();
    }

    @Test
    void lowRankGanShowsItsRpcasAndTheirIterationsInGroups() throws Exception {
        GramPair gp = demoEyes();
        Trace t = Trace.recording();
        Directions d = new LowRankGanSolver(Methods.lowRankGan(MethodRequest.of(Methods.LOWRANKGAN).with(Methods.RPCA_LAMBDA, 0.125)))
                .solve(new Solver.Problem(gp, null, null, RunContext.QUIET.withTrace(t)));
        List<JsonNode> spans = spans(t);
        List<String> names = names(spans);
        assertEquals(2, names.stream().filter("rpca"::equals).count(), names.toString());
        assertTrue(names.containsAll(List.of("null space of B", "directions in the null space")), names.toString());
        for (String m : List.of("A", "B")) {
            int iterations = ((Number) ((Map<?, ?>) d.info().get("rpca_" + m.toLowerCase())).get("iterations")).intValue();
            int next = 1, groups = 0;
            for (JsonNode e : spans) {
                if (!e.get("name").asText().equals("rpca iterations") || !e.get("args").get("matrix").asText().equals(m)) continue;
                // the groups follow one another without a gap, each at most 25 iterations
                assertEquals(next, e.get("args").get("first").asInt(), m + " group " + groups);
                int last = e.get("args").get("last").asInt();
                assertTrue(last >= next && last - next < ganfactor.trace.IterationSpans.GROUP, e.toString());
                next = last + 1;
                groups++;
            }
            assertTrue(iterations > 1, "RPCA of " + m + " iterated");
            assertEquals(iterations, next - 1, "the groups of " + m + " cover its " + iterations + " iterations");
            assertEquals((iterations + 24) / 25, groups);
        }
    }

    @Test
    void reSeFaShowsItsStepsOnBothPaths() throws Exception {
        GramPair gp = demoEyes();
        Trace t = Trace.recording();
        Directions std = new ReSeFaSolver(Methods.resefa(MethodRequest.of(Methods.RESEFA), null)).solve(new Solver.Problem(gp, null, null, RunContext.QUIET.withTrace(t)));
        // the demo's eyes leave B singular: the default (no regularisation) falls back, and the trace shows the second solve
        assertEquals(Boolean.TRUE, std.info().get("fallback"));
        assertEquals(List.of("input checks", "generalized solve", "generalized solve (fallback)"), t.spanNames());
        Trace tp = Trace.recording();
        Directions paper = new ReSeFaSolver(Methods.resefa(MethodRequest.of(Methods.RESEFA).with(Methods.REGULARIZE, ReSeFa.Regularization.PAPER), null))
                .solve(new Solver.Problem(gp, null, null, RunContext.QUIET.withTrace(tp)));
        assertNull(paper.info().get("fallback"));
        assertEquals(List.of("input checks", "generalized solve"), tp.spanNames());

        // the fast path on random rows: one span per phase, named as the record's phase_seconds
        try (PointerScope s = new PointerScope()) {
            torch.manual_seed(7);
            Tensor f = torch.randn(40, 64).to(torch.ScalarType.Double), g = torch.randn(200, 64).to(torch.ScalarType.Double);
            Tensor b = g.t().mm(g);
            Trace tf = Trace.recording();
            Directions d = ReSeFa.solveFast(f, b, new ReSeFa.Options(), tf);
            List<String> expected = ((Map<?, ?>) d.info().get("phase_seconds")).keySet().stream().map(k -> "resefa fast: " + k.toString().replace('_', ' ')).toList();
            assertEquals(5, expected.size());
            assertEquals(expected, tf.spanNames());
        }
    }
}
