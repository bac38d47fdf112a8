package ganfactor.pipeline;

import ganfactor.TestSupport;
import ganfactor.jacobian.GramPair;
import ganfactor.method.Directions;
import ganfactor.method.GanSpace;
import ganfactor.method.LowRankGan;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Solvers hold no state of a call (issue 26): the cancellation of one call is spliced into that
 * call's own copy of the options, never into the solver's, so one solver serves several threads
 * and a cancelled call cannot stop another. Checked from inside a running solve (the RPCA's
 * per-iteration monitor sees the solver's options as they were) and with a cancelled call beside
 * an uncancelled one.
 */
class SolverSharingTest {
    @Test
    void lowRankGanSolverLeavesItsOptionsAlone() throws Exception {
        GramPair gp = ganfactor.check.Matrices.demoEyes(TestSupport.demo32());
        LowRankGan.Options o = new LowRankGan.Options();
        o.rpca.lambda = 0.125;
        BooleanSupplier original = o.rpca.cancelled;
        LowRankGanSolver solver = new LowRankGanSolver(o);
        AtomicInteger seen = new AtomicInteger(), changed = new AtomicInteger();
        o.rpca.monitor = (it, residual, rank) -> {
            seen.incrementAndGet();
            if (solver.options().rpca.cancelled != original) changed.incrementAndGet();
        };
        Cancellation live = new Cancellation();
        Directions a = solver.solve(new Solver.Problem(gp, null, null, RunContext.of(live)));
        assertTrue(seen.get() > 0, "the monitor ran");
        assertEquals(0, changed.get(), "the solver's options changed during a call");
        assertSame(original, o.rpca.cancelled);

        Cancellation stopped = new Cancellation();
        stopped.cancel();
        assertThrows(CancellationException.class, () -> solver.solve(new Solver.Problem(gp, null, null, RunContext.of(stopped))));
        Directions b = solver.solve(Solver.Problem.of(gp));   // the cancelled call left nothing behind
        assertArrayEquals(a.values(), b.values(), 0.0);
    }

    @Test
    void ganSpaceSolverKeepsNoResult() {
        GanSpace.Options o = new GanSpace.Options();
        o.samples = 2000;
        o.batch = 500;
        BooleanSupplier original = o.cancelled;
        GanSpaceSolver solver = new GanSpaceSolver(o, ganfactor.linalg.TorchLinalg.INSTANCE);
        Cancellation stopped = new Cancellation();
        stopped.cancel();
        assertThrows(CancellationException.class, () -> solver.compute(Solver.Problem.global(TestSupport.demo32(), RunContext.of(stopped))));
        assertSame(original, o.cancelled);
        GanSpace.Result r = solver.compute(Solver.Problem.global(TestSupport.demo32(), RunContext.QUIET));
        assertEquals(r.directions().count(), solver.solve(Solver.Problem.global(TestSupport.demo32(), RunContext.QUIET)).count());
    }
}
