package ganfactor.method;

import ganfactor.io.Json;
import ganfactor.io.Npy;
import ganfactor.io.OutputDir;
import ganfactor.torch.Torch;
import org.bytedeco.pytorch.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every discovery method returns: {@code count} unit directions of a {@code dim}-dimensional
 * latent space as rows of {@code vectors} (row-major [count, dim], float64), sorted by descending
 * {@code values} (eigenvalues, variances, singular values: whatever the method ranks by), and a
 * record of how they were made ({@code info}, which also carries any {@code warnings}).
 *
 * <p>Sign convention (all methods): eigenvectors have no intrinsic sign, so each row is flipped
 * if needed to make its entry of largest magnitude positive (the first such entry on ties).
 * Files: {@code directions.npy} [count, dim] float32 (the reference shape), {@code
 * eigenvalues.npy} [count] float64.
 */
public record Directions(double[] vectors, int count, int dim, double[] values, Map<String, Object> info) {

    public Directions {
        if (vectors.length != (long) count * dim) throw new IllegalArgumentException("directions: " + vectors.length + " values for " + count + " x " + dim);
        if (values.length != count) throw new IllegalArgumentException("directions: " + values.length + " values for " + count + " rows");
    }

    /** Rows of a [k, d] tensor (any device or dtype), normalised to unit L2 and sign-fixed. */
    public static Directions of(Tensor rows, Tensor values, Map<String, Object> info) {
        int k = (int) rows.size(0), d = (int) rows.size(1);
        double[] v = Torch.toDoubles(rows);
        normaliseRows(v, k, d);
        canonicalSigns(v, k, d);
        return new Directions(v, k, d, Torch.toDoubles(values), info == null ? new LinkedHashMap<>() : info);
    }

    public double[] row(int i) {
        double[] r = new double[dim];
        System.arraycopy(vectors, i * dim, r, 0, dim);
        return r;
    }

    /** The first {@code k} rows (and values). */
    public Directions top(int k) {
        int n = Math.min(k, count);
        double[] v = new double[n * dim];
        System.arraycopy(vectors, 0, v, 0, v.length);
        double[] val = new double[n];
        System.arraycopy(values, 0, val, 0, n);
        return new Directions(v, n, dim, val, info);
    }

    /** Rows as a CPU float64 tensor [count, dim]. */
    public Tensor tensor() {
        return Torch.of(vectors, count, dim);
    }

    @SuppressWarnings("unchecked")
    public List<String> warnings() {
        Object w = info.get("warnings");
        return w instanceof List<?> l ? (List<String>) l : List.of();
    }

    /** Adds a warning to {@code info.warnings} (created on first use). */
    public static void warn(Map<String, Object> info, String message) {
        @SuppressWarnings("unchecked")
        List<String> w = (List<String>) info.computeIfAbsent("warnings", k -> new ArrayList<String>());
        w.add(message);
    }

    /** Writes {@code <prefix>directions.npy}, {@code <prefix>eigenvalues.npy} and, when asked, {@code <prefix>directions.json}. */
    public void write(OutputDir dir, String prefix, boolean json) {
        Npy.writeFloat32(dir.file(prefix + "directions.npy"), vectors, count, dim);
        Npy.writeFloat64(dir.file(prefix + "eigenvalues.npy"), values, count);
        if (json) dir.writeString(prefix + "directions.json", Json.write(info));
    }

    /** The Euclidean norm, sqrt(dot(v, v)). */
    public static double norm(double[] v) {
        return Math.sqrt(dot(v, v));
    }

    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** |cos| between two vectors. */
    public static double absCos(double[] a, double[] b) {
        return Math.abs(dot(a, b)) / Math.sqrt(dot(a, a) * dot(b, b));
    }

    public static void normaliseRows(double[] v, int k, int d) {
        for (int i = 0; i < k; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) s += v[i * d + j] * v[i * d + j];
            double n = Math.sqrt(s);
            if (!(n > 0) || !Double.isFinite(n)) throw new ArithmeticException("direction " + i + " has norm " + n);
            for (int j = 0; j < d; j++) v[i * d + j] /= n;
        }
    }

    /** Flips each row so that its entry of largest magnitude (the first on ties) is positive. */
    public static void canonicalSigns(double[] v, int k, int d) {
        for (int i = 0; i < k; i++) {
            int arg = 0;
            double best = -1;
            for (int j = 0; j < d; j++) {
                double a = Math.abs(v[i * d + j]);
                if (a > best) { best = a; arg = j; }
            }
            if (v[i * d + arg] < 0) for (int j = 0; j < d; j++) v[i * d + j] = -v[i * d + j];
        }
    }

    /** A random unit vector of dimension d (Box-Muller normals from a SplittableRandom seeded with {@code seed}): the locality baseline. */
    public static double[] randomUnit(int d, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        double[] v = new double[d];
        double n = 0;
        for (int i = 0; i < d; i++) {
            double u = r.nextDouble(), w = r.nextDouble();
            v[i] = Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * w);
            n += v[i] * v[i];
        }
        n = Math.sqrt(n);
        for (int i = 0; i < d; i++) v[i] /= n;
        return v;
    }
}
