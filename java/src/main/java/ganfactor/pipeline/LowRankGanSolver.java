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

    @Override
    public Directions solve(Problem p) {
        var gp = p.requireGrams(name());
        // this call's own options: the solver's stay as they were, so one solver serves several threads
        LowRankGan.Options o = options.copy();
        java.util.function.BooleanSupplier before = options.rpca.cancelled;
        if (p.cancellation() != Cancellation.NEVER) o.rpca.cancelled = () -> p.cancellation().isCancelled() || before.getAsBoolean();
        try (PointerScope s = new PointerScope()) {
            return LowRankGan.solve(gp.aTensor(), gp.bTensor(), o);
        }
    }
}
