package ganfactor.pipeline;

import ganfactor.edit.Editor;
import ganfactor.linalg.Linalg;
import ganfactor.method.Directions;
import ganfactor.method.SeFa;

/** SeFa (closed form, from the generator's style-affine weights): a global baseline, no region. */
public final class SeFaSolver implements Solver {
    private final String layers;
    private final int k;
    private final Linalg linalg;

    /** {@code layers}: null or "all" for every layer, else a list or ranges; {@code k}: directions kept (0 = all). */
    public SeFaSolver(String layers, int k, Linalg linalg) {
        this.layers = layers;
        this.k = k;
        this.linalg = linalg;
    }

    @Override
    public String name() {
        return SeFa.METHOD;
    }

    @Override
    public boolean regional() {
        return false;
    }

    @Override
    public double[] defaultStrengths() {
        return Editor.linspace(-3, 3, 11);   // the SeFa reference's
    }

    @Override
    public Directions solve(Problem p) {
        if (p.generator() == null) throw new IllegalArgumentException("SeFa needs the generator");
        return SeFa.compute(p.generator(), layers, k, linalg);
    }
}
