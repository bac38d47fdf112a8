package ganfactor.generator;

import ganfactor.InputException;

/**
 * The latent spaces a Jacobian or an edit can be taken in. Each has a stable integer {@link
 * #code()}, shared with the TorchScript helpers ({@code gf_wp}, {@code gf_view}, {@code gf_jvp})
 * and the C API ({@code gf_space}): written out, never the enum's declaration order.
 */
public enum LatentSpace {
    /** Gaussian input of the mapping network, d coordinates. */
    Z(0),
    /** Mapping output, one w broadcast to every synthesis layer (as the reference does), d coordinates. */
    W(1),
    /** One w per synthesis layer, L x d free coordinates. */
    WP(2);

    private final int code;

    LatentSpace(int code) {
        this.code = code;
    }

    /** The space with this stable code, or null. */
    public static LatentSpace fromCode(int code) {
        for (LatentSpace s : values()) if (s.code == code) return s;
        return null;
    }

    public static LatentSpace parse(String s) {
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "z": return Z;
            case "w": return W;
            case "wp": case "w+": return WP;
            default: throw new InputException("unknown latent space '" + s + "': expected z, w or wp");
        }
    }

    /** Number of free coordinates in this space for a generator with L layers of d. */
    public int dim(int latentDim, int numLayers) {
        return this == WP ? latentDim * numLayers : latentDim;
    }

    /** The stable integer code of the TorchScript helpers and the C API (GF_SPACE_Z/W/WP). */
    public int code() {
        return code;
    }

    public String label() {
        return this == WP ? "wp" : name().toLowerCase(java.util.Locale.ROOT);
    }
}
