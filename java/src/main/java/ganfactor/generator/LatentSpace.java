package ganfactor.generator;

import ganfactor.InputException;

/** The latent spaces a Jacobian or an edit can be taken in. */
public enum LatentSpace {
    /** Gaussian input of the mapping network, d coordinates. */
    Z,
    /** Mapping output, one w broadcast to every synthesis layer (as the reference does), d coordinates. */
    W,
    /** One w per synthesis layer, L x d free coordinates. */
    WP;

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

    /** The integer code used by the TorchScript helper methods. */
    public int code() {
        return ordinal();
    }

    public String label() {
        return this == WP ? "wp" : name().toLowerCase(java.util.Locale.ROOT);
    }
}
