package ganfactor.method;

import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Streaming mean and scatter matrix S = sum_i (x_i - mean)(x_i - mean)^T of d-dimensional rows,
 * in float64, with memory O(d^2) whatever the number of rows.
 *
 * <p>Each batch is centred on its own mean before its scatter is formed (so no large mean is ever
 * subtracted from a sum of squares), and batches are combined by Chan, Golub and LeVeque's
 * pairwise update: with counts n_a, n_b, n = n_a + n_b and delta = mean_b - mean_a,
 * mean = mean_a + delta n_b / n and S = S_a + S_b + delta delta^T n_a n_b / n.
 */
public final class Moments {
    private final int dim;
    private long count;
    private final double[] mean;
    private final double[] scatter;

    public Moments(int dim) {
        if (dim < 1) throw new IllegalArgumentException("moments: dimension " + dim);
        this.dim = dim;
        this.mean = new double[dim];
        this.scatter = new double[dim * dim];
    }

    /** Adds the rows of a [b, d] floating tensor (any dtype or device); the tensor is not modified. */
    public void add(Tensor batch) {
        if (batch.dim() != 2 || batch.size(1) != dim)
            throw new IllegalArgumentException("moments: rows of " + dim + " values are needed, got " + Torch.shapeString(batch));
        long b = batch.size(0);
        if (b == 0) return;
        double[] m, s;
        try (PointerScope scope = new PointerScope()) {
            Tensor x = batch.to(torch.ScalarType.Double);
            Tensor mb = x.mean(new long[]{0}, true, new ScalarTypeOptional());
            Tensor xc = x.sub(mb);
            m = Torch.toDoubles(mb);
            s = Torch.toDoubles(xc.t().mm(xc));
        }
        merge(b, m, s);
    }

    /** Adds {@code b} rows given row-major in {@code rows}. */
    public void add(double[] rows, int b) {
        if (rows.length != (long) b * dim) throw new IllegalArgumentException("moments: " + rows.length + " values for " + b + " rows of " + dim);
        try (PointerScope scope = new PointerScope()) {
            add(Torch.of(rows, b, dim));
        }
    }

    /** Adds everything another accumulator has seen (the result is independent of the order, up to rounding). */
    public void merge(Moments other) {
        if (other.dim != dim) throw new IllegalArgumentException("moments: dimensions " + dim + " and " + other.dim);
        merge(other.count, other.mean.clone(), other.scatter.clone());
    }

    private void merge(long nb, double[] mb, double[] sb) {
        if (nb == 0) return;
        if (count == 0) {
            System.arraycopy(mb, 0, mean, 0, dim);
            System.arraycopy(sb, 0, scatter, 0, dim * dim);
            count = nb;
            return;
        }
        long n = count + nb;
        double[] delta = new double[dim];
        for (int i = 0; i < dim; i++) delta[i] = mb[i] - mean[i];
        double f = (double) count * (double) nb / (double) n;
        for (int i = 0; i < dim; i++) {
            double di = delta[i] * f;
            for (int j = 0; j < dim; j++) scatter[i * dim + j] += sb[i * dim + j] + di * delta[j];
        }
        double w = (double) nb / (double) n;
        for (int i = 0; i < dim; i++) mean[i] += delta[i] * w;
        count = n;
    }

    public int dim() { return dim; }

    public long count() { return count; }

    public double[] mean() { return mean.clone(); }

    /** The scatter matrix S [d, d], row-major. */
    public double[] scatter() { return scatter.clone(); }

    /** The sample covariance S / (n - 1) [d, d], row-major, exactly symmetric. */
    public double[] covariance() {
        if (count < 2) throw new IllegalStateException("moments: a covariance needs at least 2 rows, got " + count);
        double[] c = new double[dim * dim];
        double inv = 1.0 / (count - 1);
        for (int i = 0; i < dim; i++)
            for (int j = 0; j < dim; j++) c[i * dim + j] = 0.5 * (scatter[i * dim + j] + scatter[j * dim + i]) * inv;
        return c;
    }
}
