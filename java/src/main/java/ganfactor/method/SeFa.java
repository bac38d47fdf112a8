package ganfactor.method;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.linalg.Linalg;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static ganfactor.InputException.ref;

/**
 * SeFa, closed-form factorisation of the style affines (a baseline; docs/ALGORITHMS.md "SeFa").
 *
 * <p>Each selected layer l has a style affine A_l [C_l, d] (torch Linear layout: a row per
 * style channel, a column per latent coordinate), read from the generator's
 * {@code style_affines()} method. With W = [A_0^T ... A_m^T] (d x sum C_l) and each column of W
 * normalised to unit L2, the directions are the eigenvectors of W W^T, sorted by DESCENDING
 * eigenvalue (the reference leaves them in LAPACK order), and the values are those eigenvalues.
 * Everything is computed in float64 whatever the generator's precision.
 */
public final class SeFa {
    /** The method name recorded in {@code info.method}. */
    public static final String METHOD = "sefa";
    /** The generator method that supplies the weights. */
    public static final String AFFINES = "style_affines";

    private static final java.util.regex.Pattern RANGE = java.util.regex.Pattern.compile("(\\d+)(?:\\s*-\\s*(\\d+))?");

    private SeFa() {}

    /** Directions of every style affine, all d of them. */
    public static Directions compute(Generator g, Linalg la) {
        return compute(g, null, 0, la);
    }

    /**
     * The top {@code k} directions (0 = all d) of the layers named by {@code layerSpec}
     * ({@code null}, empty or "all" = every layer; otherwise see {@link #parseLayers}).
     */
    public static Directions compute(Generator g, String layerSpec, int k, Linalg la) {
        long t0 = System.nanoTime();
        int d = g.latentDim();
        if (k < 0 || k > d) throw new ganfactor.SettingException("k", "must be between 0 (all) and " + d + " (the latent dimension), got " + k);
        int kk = k == 0 ? d : k;
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            List<Tensor> affines = g.tensorList(AFFINES);
            if (affines.isEmpty()) throw new InputException(g.source() + ": " + AFFINES + "() returned no matrices");
            int[] layers = parseLayers(layerSpec, affines.size());
            Map<String, Object> info = new LinkedHashMap<>();
            Tensor wt = normalisedWeights(g, affines, layers, info);       // W^T: [sum C, d]
            Tensor gram = wt.t().mm(wt);                                     // W W^T: [d, d]
            gram = gram.add(gram.t()).mul(new Scalar(0.5));                  // exactly symmetric
            Linalg.Eigen e = la.eighTop(gram, kk);
            info.put("method", METHOD);
            info.put("model", g.source());
            info.put("layers", layers);
            info.put("layer_spec", layerSpec == null || layerSpec.isBlank() ? "all" : layerSpec);
            List<Long> channels = new ArrayList<>();
            for (int l : layers) channels.add(affines.get(l).size(0));
            info.put("channels", channels);
            info.put("num_affines", affines.size());
            info.put("sum_channels", wt.size(0));
            info.put("latent_dim", d);
            info.put("k", kk);
            info.put("matrix", "eigh(W W^T), W = style affines^T (d x sum C) with unit-L2 columns, float64; descending");
            info.put("trace", ganfactor.torch.Torch.scalar(torch.trace(gram)));
            info.put("linalg", la.name());
            info.put("seconds", (System.nanoTime() - t0) / 1e9);
            return Directions.of(e.vectors(), e.values(), info);
        }
    }

    /**
     * W^T as a float64 tensor [sum C, d]: the rows of the selected affines, stacked in layer order,
     * each scaled to unit L2 (= W's columns normalised). All-zero rows stay zero and are counted in
     * a warning (the reference would divide by zero). Shapes are checked against the latent dim.
     */
    public static Tensor normalisedWeights(Generator g, List<Tensor> affines, int[] layers, Map<String, Object> info) {
        int d = g.latentDim();
        TensorVector parts = new TensorVector();
        for (int l : layers) {
            Tensor a = affines.get(l);
            if (a.dim() != 2 || a.size(1) != d)
                throw new InputException(g.source() + ": " + AFFINES + "()[" + l + "] must be [C, " + d + "] (rows = style channels, columns = latent coordinates), got " + Torch.shapeString(a));
            parts.push_back(a.to(torch.ScalarType.Double).contiguous());
        }
        Tensor wt = torch.cat(parts, 0);
        double[] rows = Torch.toDoubles(wt);
        int n = (int) wt.size(0), zero = 0;
        for (int r = 0; r < n; r++) {
            double s = 0;
            for (int j = 0; j < d; j++) s += rows[r * d + j] * rows[r * d + j];
            if (!Double.isFinite(s)) throw new InputException(g.source() + ": " + AFFINES + "() holds NaN or infinite weights");
            if (s == 0) { zero++; continue; }
            double inv = 1.0 / Math.sqrt(s);
            for (int j = 0; j < d; j++) rows[r * d + j] *= inv;
        }
        if (zero > 0 && info != null) Directions.warn(info, zero + " all-zero style channel(s) left out of the normalisation");
        return Torch.of(rows, n, d);
    }

    /**
     * Layer indices from a spec: "all" (or null/empty), single indices and inclusive ranges
     * separated by commas ("0-3", "4-7", "0,2,5-6"). Returns them sorted and distinct; throws
     * {@link InputException} for anything malformed or outside [0, count).
     */
    public static int[] parseLayers(String spec, int count) {
        return ganfactor.IntRanges.parse(spec, count, ref("layers") + " (the generator has " + count + " style affines)");
    }
}
