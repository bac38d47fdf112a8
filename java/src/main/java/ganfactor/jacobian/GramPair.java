package ganfactor.jacobian;

import ganfactor.torch.Torch;
import org.bytedeco.pytorch.Tensor;

/**
 * The Gram pair of one region for one latent code: A = J_R^T J_R / |R| and
 * B = J_R'^T J_R' / |R'|, d x d, row-major, float64. {@code inside} and {@code outside} are the
 * Jacobian row counts |R| and |R'| (view pixels times view channels), so that
 * J^T J = inside * A + outside * B.
 *
 * <p>Either on the host ({@code a}, {@code b}) or on the device ({@code deviceA}, {@code
 * deviceB}: float64 tensors in the caller's PointerScope, what {@link JacobianEngine} returns
 * with {@code Options.deviceGrams} so that the solvers read them where they were computed). For a
 * device pair, {@link #a()} and {@link #b()} copy to the host on each call (counted in {@link
 * Torch#hostCopies()}): writers call them once.
 */
public record GramPair(String region, int dim, long inside, long outside, double[] a, double[] b, Tensor deviceA, Tensor deviceB) {

    public GramPair(String region, int dim, long inside, long outside, double[] a, double[] b) {
        this(region, dim, inside, outside, a, b, null, null);
    }

    /** A pair that stays on the device. */
    public static GramPair onDevice(String region, int dim, long inside, long outside, Tensor a, Tensor b) {
        return new GramPair(region, dim, inside, outside, null, null, a, b);
    }

    public boolean isOnDevice() {
        return deviceA != null;
    }

    @Override
    public double[] a() {
        return a != null ? a : Torch.toDoubles(deviceA);
    }

    @Override
    public double[] b() {
        return b != null ? b : Torch.toDoubles(deviceB);
    }

    /** A as a tensor: the device tensor itself, or a new CPU tensor of the host values. */
    public Tensor aTensor() {
        return deviceA != null ? deviceA : Torch.of(a, dim, dim);
    }

    public Tensor bTensor() {
        return deviceB != null ? deviceB : Torch.of(b, dim, dim);
    }
}
