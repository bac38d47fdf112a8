package ganfactor.jacobian;

import ganfactor.torch.Torch;
import org.bytedeco.pytorch.Tensor;

/**
 * The Gram pair of one region for one latent code: A = J_R^T J_R / |R| and
 * B = J_R'^T J_R' / |R'|, d x d, float64. {@code inside} and {@code outside} are the Jacobian row
 * counts |R| and |R'| (view pixels times view channels), so that J^T J = inside * A + outside * B.
 *
 * <p>Where the matrices live is the type: {@link Host} holds row-major arrays; {@link Device}
 * holds float64 tensors on the device that computed them (what {@link JacobianEngine} returns with
 * {@code Options.deviceGrams}, so that the solvers read them where they were computed), closeable,
 * in the caller's PointerScope. Only a {@link Host} pair has arrays: reading a device pair's values
 * on the host takes {@link #toHost()}, the one explicit copy (two counted host copies, {@link
 * Torch#hostCopies()}), so a host read of device data cannot happen by accident.
 */
public sealed interface GramPair permits GramPair.Host, GramPair.Device {
    String region();

    int dim();

    long inside();

    long outside();

    /** This pair with host arrays: itself when it is one, else one counted copy of A and of B. */
    Host toHost();

    /** A as a tensor: the device tensor itself, or a new CPU tensor of the host values. */
    Tensor aTensor();

    Tensor bTensor();

    default boolean isOnDevice() {
        return this instanceof Device;
    }

    /** A host pair of row-major d x d arrays. */
    static Host of(String region, int dim, long inside, long outside, double[] a, double[] b) {
        return new Host(region, dim, inside, outside, a, b);
    }

    /** A pair that stays on the device. */
    static Device onDevice(String region, int dim, long inside, long outside, Tensor a, Tensor b) {
        return new Device(region, dim, inside, outside, a, b);
    }

    /** Host Grams: row-major d x d arrays. */
    record Host(String region, int dim, long inside, long outside, double[] a, double[] b) implements GramPair {
        public Host {
            long n = (long) dim * dim;
            if (a == null || b == null || a.length != n || b.length != n)
                throw new IllegalArgumentException("Grams of region " + region + ": " + dim + " x " + dim + " = " + n + " values each needed");
        }

        @Override
        public Host toHost() {
            return this;
        }

        @Override
        public Tensor aTensor() {
            return Torch.of(a, dim, dim);
        }

        @Override
        public Tensor bTensor() {
            return Torch.of(b, dim, dim);
        }
    }

    /** Device Grams: float64 [d, d] tensors where they were computed; {@link #close()} frees them. */
    record Device(String region, int dim, long inside, long outside, Tensor a, Tensor b) implements GramPair, AutoCloseable {
        @Override
        public Host toHost() {
            return new Host(region, dim, inside, outside, Torch.toDoubles(a), Torch.toDoubles(b));
        }

        @Override
        public Tensor aTensor() {
            return a;
        }

        @Override
        public Tensor bTensor() {
            return b;
        }

        @Override
        public void close() {
            a.close();
            b.close();
        }
    }
}
