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
 * with {@code Options.deviceGrams} so that the solvers read them where they were computed).
 * Nothing copies a device pair to the host behind the caller's back: {@link #a()} and {@link #b()}
 * of a device pair throw, and {@link #toHost()} is the one explicit copy (two counted host copies,
 * {@link Torch#hostCopies()}). {@link #aTensor()} and {@link #bTensor()} give tensors for either kind.
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

    /** A as host values; a device pair must be copied with {@link #toHost()} first. */
    @Override
    public double[] a() {
        if (a == null) throw new IllegalStateException("the Grams of region " + region + " live on the device: call toHost() for a host copy");
        return a;
    }

    /** B as host values; a device pair must be copied with {@link #toHost()} first. */
    @Override
    public double[] b() {
        if (b == null) throw new IllegalStateException("the Grams of region " + region + " live on the device: call toHost() for a host copy");
        return b;
    }

    /** This pair with host arrays: itself when it is one, else one counted copy of A and of B. */
    public GramPair toHost() {
        if (a != null) return this;
        return new GramPair(region, dim, inside, outside, Torch.toDoubles(deviceA), Torch.toDoubles(deviceB));
    }

    /** A as a tensor: the device tensor itself, or a new CPU tensor of the host values. */
    public Tensor aTensor() {
        return deviceA != null ? deviceA : Torch.of(a, dim, dim);
    }

    public Tensor bTensor() {
        return deviceB != null ? deviceB : Torch.of(b, dim, dim);
    }
}
