package ganfactor.pipeline;

import ganfactor.edit.Editor;
import ganfactor.method.Directions;
import ganfactor.method.LowRankGan;
import org.bytedeco.javacpp.PointerScope;

/**
 * LowRankGAN: RPCA of both Grams, the background's null space, and the foreground's principal
 * directions projected into it. Solves where the Grams are (device Grams stay on the device).
 */
public final class LowRankGanSolver implements Solver {
    private final LowRankGan.Options options;

    public LowRankGanSolver(LowRankGan.Options options) {
        this.options = options;
    }

    @Override
    public String name() {
        return "lowrankgan";
    }

    @Override
    public boolean regional() {
        return true;
    }

    @Override
    public double[] defaultStrengths() {
        return Editor.linspace(-4, 4, 7);
    }

    public LowRankGan.Options options() {
        return options;
    }

    /**
     * A copy of {@code options} that also stops when {@code context} is cancelled: a call's own
     * options, so the caller's stay as they were and one solver serves several threads.
     */
    static LowRankGan.Options withCancellation(LowRankGan.Options options, RunContext context) {
        LowRankGan.Options o = options.copy();
        java.util.function.BooleanSupplier before = options.rpca.cancelled;
        Cancellation c = context.cancellation();
        if (c != Cancellation.NEVER) o.rpca.cancelled = () -> c.isCancelled() || before.getAsBoolean();
        return o;
    }

    @Override
    public Directions solve(Problem p) {
        var gp = p.requireGrams(name());
        LowRankGan.Options o = withCancellation(options, p.context());
        o.rpca.trace = p.context().trace();
        try (PointerScope s = new PointerScope()) {
            return LowRankGan.solve(gp.aTensor(), gp.bTensor(), o);
        }
    }
}
