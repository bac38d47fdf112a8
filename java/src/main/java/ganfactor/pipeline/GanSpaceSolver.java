package ganfactor.pipeline;

import ganfactor.edit.Editor;
import ganfactor.linalg.Linalg;
import ganfactor.method.Directions;
import ganfactor.method.GanSpace;

/**
 * GANSpace (PCA of sampled w = mapping(z)): a global baseline, no region. {@link #compute} gives
 * the full result (per-component stds and the mean w, which its files need). Holds no state of a
 * call: one solver serves several threads.
 */
public final class GanSpaceSolver implements Solver {
    private final GanSpace.Options options;
    private final Linalg linalg;

    public GanSpaceSolver(GanSpace.Options options, Linalg linalg) {
        this.options = options;
        this.linalg = linalg;
    }

    @Override
    public String name() {
        return GanSpace.METHOD;
    }

    @Override
    public boolean regional() {
        return false;
    }

    @Override
    public double[] defaultStrengths() {
        return Editor.linspace(-2, 2, 5);
    }

    @Override
    public Directions solve(Problem p) {
        return compute(p).directions();
    }

    /** The full result for {@code p}, with this call's own options (the cancellation spliced in). */
    public GanSpace.Result compute(Problem p) {
        if (p.generator() == null) throw new IllegalArgumentException("GANSpace needs the generator");
        GanSpace.Options o = options.copy();
        java.util.function.BooleanSupplier before = options.cancelled;
        Cancellation c = p.cancellation();
        if (c != Cancellation.NEVER) o.cancelled = () -> c.isCancelled() || before.getAsBoolean();
        if (p.context().progress() != ganfactor.jacobian.Progress.NONE) o.progress = p.context().progress();
        GanSpace.check(p.generator(), o);
        return GanSpace.compute(p.generator(), o, linalg);
    }
}
