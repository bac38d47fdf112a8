package ganfactor.pipeline;

import ganfactor.edit.Editor;
import ganfactor.linalg.Linalg;
import ganfactor.method.Directions;
import ganfactor.method.GanSpace;

/**
 * GANSpace (PCA of sampled w = mapping(z)): a global baseline, no region. {@link #last()} keeps
 * the full result of the latest solve (per-component stds and the mean w, which its files need).
 */
public final class GanSpaceSolver implements Solver {
    private final GanSpace.Options options;
    private final Linalg linalg;
    private GanSpace.Result last;

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
        if (p.generator() == null) throw new IllegalArgumentException("GANSpace needs the generator");
        java.util.function.BooleanSupplier before = options.cancelled;
        if (p.cancellation() != Cancellation.NEVER) options.cancelled = () -> p.cancellation().isCancelled() || before.getAsBoolean();
        try {
            GanSpace.check(p.generator(), options);
            last = GanSpace.compute(p.generator(), options, linalg);
            return last.directions();
        } finally {
            options.cancelled = before;
        }
    }

    /** The full result of the latest {@link #solve}, or null before one. */
    public GanSpace.Result last() {
        return last;
    }
}
