package ganfactor.generator;

import ganfactor.torch.Torch;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Test support: the two forward-mode routes of a generator, side by side, on the same codes and tangents. */
final class JvpPaths {
    private JvpPaths() {}

    /**
     * {@code k} random tangents at one random code of {@code space} (float64, the current torch
     * seed), through {@code gf_jvp} (the module's own tangent pass where it has one) and through
     * {@code gf_jvp_dual} (PyTorch's dual numbers, primal replicated per column); the whole image
     * of each, flattened: {hand-written, dual}.
     */
    static double[][] both(Generator g, LatentSpace space, int k) {
        Tensor empty = torch.zeros(new long[]{0}, Torch.options(torch.ScalarType.Long));
        int D = space.dim(g.latentDim(), g.numLayers());
        Tensor x1 = torch.randn(new long[]{1, D}, Torch.options(torch.ScalarType.Double));
        Tensor X = x1.expand(k, D).contiguous();
        Tensor V = torch.randn(new long[]{k, D}, Torch.options(torch.ScalarType.Double));
        long level = torch.enter_dual_level();
        try {
            return new double[][]{Torch.toDoubles(g.call("gf_jvp", X, V, space.code(), empty, empty, 2, level)),
                    Torch.toDoubles(g.call("gf_jvp_dual", X, V, space.code(), empty, empty, 2, level))};
        } finally {
            torch.exit_dual_level(level);
        }
    }
}
