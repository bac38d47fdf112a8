package ganfactor.pipeline;

import ganfactor.edit.Editor;
import ganfactor.method.Directions;
import ganfactor.method.ReSeFa;
import ganfactor.torch.ComputeDevice;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.global.torch;

/**
 * ReSeFa (generalized eigenvectors of the region's Gram pair): the standard path (Cholesky +
 * eigh) or, given the region's Jacobian rows, the fast path (truncated SVD + Woodbury), chosen by
 * {@link ReSeFa#preferFast} from the options.
 */
public final class ReSeFaSolver implements Solver {
    private final ReSeFa.Options options;

    public ReSeFaSolver(ReSeFa.Options options) {
        this.options = options;
    }

    /** The options with the solves placed on {@code device} (the CPU: unchanged). */
    public static ReSeFa.Options onDevice(ReSeFa.Options o, ComputeDevice device) {
        if (device != null && device.cuda()) {
            o.device = device;
            o.linalg = ganfactor.linalg.Linalg.forDevice(device, o.linalg);
        }
        return o;
    }

    @Override
    public String name() {
        return "resefa";
    }

    @Override
    public boolean regional() {
        return true;
    }

    @Override
    public boolean wantsRegionRows(int d, long regionRows) {
        return ReSeFa.preferFast(d, regionRows, options);
    }

    @Override
    public double[] defaultStrengths() {
        return Editor.linspace(-10, 10, 7);
    }

    public ReSeFa.Options options() {
        return options;
    }

    @Override
    public Directions solve(Problem p) {
        var gp = p.requireGrams(name());
        if (p.regionRows() != null && ReSeFa.preferFast(gp.dim(), p.regionRows().size(0), options)) {
            try (PointerScope s = new PointerScope()) {
                var dev = options.device != null ? options.device.torch() : p.regionRows().device();
                return ReSeFa.solveFast(p.regionRows(), gp.bTensor().to(dev, torch.ScalarType.Double), options, p.context().trace());
            }
        }
        if (options.path == ReSeFa.SolvePath.FAST)
            throw new ganfactor.SettingException("solve-path", "fast needs the region's Jacobian rows: a discovery keeps them, and solve does from a Jacobian file (not from Grams)");
        return ReSeFa.solve(gp, options, p.context().trace());
    }
}
