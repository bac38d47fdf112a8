package ganfactor.region;

import ganfactor.InputException;

import java.util.Locale;

/**
 * The Jacobian view of a generator output [C, H, W]: resized to a square {@code grid} by nearest
 * neighbour (source index floor(i * H / grid), as PyTorch's {@code interpolate(mode='nearest')};
 * for 1024 -> 256 these are pixels (4i, 4j)), then reduced over the channels. View pixel p of
 * channel c at (row, col) has index {@code (c * grid + row) * grid + col} (c = 0 when reduced).
 * {@code basis} says how the view was chosen (the default rule, the user's options, or "given"
 * by the caller); it goes into the JSON records.
 *
 * <p>The default ({@link #defaultFor}) is the official ReSeFa rule ({@code compute_jacobian.py}):
 * outputs of at most {@link #NATIVE_LIMIT} px keep their native size and R, G, B as separate
 * rows; larger outputs are resized by nearest neighbour to 256 x 256 and RGB is summed.
 */
public record View(int grid, Reduce reduce, int channels, int height, int width, String basis) {
    /** The largest output side the official rule keeps at native size with the channels as rows. */
    public static final int NATIVE_LIMIT = 256;
    public enum Reduce {
        /** Sum over RGB (ReSeFa, the default). */
        SUM(0),
        /** Mean over RGB (LowRankGAN; same directions). */
        MEAN(1),
        /** Keep each channel as its own rows. */
        NONE(2);

        private final int code;

        Reduce(int code) {
            this.code = code;
        }

        /** The reduction with this stable code (shared with TorchScript and the C API's gf_reduce), or null. */
        public static Reduce fromCode(int code) {
            for (Reduce r : values()) if (r.code == code) return r;
            return null;
        }

        public static Reduce parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "sum" -> SUM;
                case "mean" -> MEAN;
                case "none", "keep", "channels" -> NONE;
                default -> throw new InputException("unknown channel reduction '" + s + "': expected sum, mean or none");
            };
        }

        /** The stable integer code of the TorchScript helpers and the C API (GF_REDUCE_SUM/MEAN/NONE). */
        public int code() { return code; }

        public String label() { return name().toLowerCase(Locale.ROOT); }
    }

    public View {
        if (grid < 2 || grid > 4096) throw new InputException("view grid must be between 2 and 4096, got " + grid);
        if (basis == null) basis = "given";
    }

    /** A view chosen by the caller (basis "given"). */
    public View(int grid, Reduce reduce, int channels, int height, int width) {
        this(grid, reduce, channels, height, width, "given");
    }

    /** True when the official rule keeps this output at native size with its channels as rows. */
    public static boolean nativeRule(int height, int width) {
        return Math.max(height, width) <= NATIVE_LIMIT;
    }

    /** The official rule's grid: the output's side up to 256 px (its larger side if not square), else 256. */
    public static int defaultGrid(int height, int width) {
        return nativeRule(height, width) ? Math.max(height, width) : NATIVE_LIMIT;
    }

    /** The official rule's reduction: none (R, G, B as rows) up to 256 px, else sum. */
    public static Reduce defaultReduce(int height, int width) {
        return nativeRule(height, width) ? Reduce.NONE : Reduce.SUM;
    }

    /** The view the official ReSeFa code uses for an output [channels, height, width]. */
    public static View defaultFor(int channels, int height, int width) {
        return new View(defaultGrid(height, width), defaultReduce(height, width), channels, height, width, defaultRuleText(height, width));
    }

    /**
     * The view for an output [channels, height, width]: the official rule, with {@code grid}
     * and {@code reduce} (each null for the rule's choice) overriding it. A resized view (a grid
     * other than the native size) is summed unless told, as the official code sums whenever it
     * resizes; the basis says which choice came from where.
     */
    public static View choose(int channels, int height, int width, Integer grid, String reduce) {
        int gr = grid != null ? grid : defaultGrid(height, width);
        Reduce red = reduce != null ? Reduce.parse(reduce) : gr == defaultGrid(height, width) ? defaultReduce(height, width) : Reduce.SUM;
        String basis;
        if (grid == null && reduce == null) basis = defaultRuleText(height, width);
        else basis = "user: " + (grid != null ? "grid " + grid : "grid " + gr + " by the default rule") + ", "
                + (reduce != null ? "reduce " + red.label() : "reduce " + red.label() + " by the default rule");
        return new View(gr, red, channels, height, width, basis);
    }

    /** One line explaining the default rule's choice for this output size. */
    public static String defaultRuleText(int height, int width) {
        return nativeRule(height, width)
                ? "default rule (official ReSeFa): output " + height + "x" + width + " <= " + NATIVE_LIMIT + " px, native size, channels kept as separate rows"
                : "default rule (official ReSeFa): output " + height + "x" + width + " > " + NATIVE_LIMIT + " px, nearest resize to 256, RGB summed";
    }

    /** The view's description for the JSON records: grid, reduction, resize, rows and how it was chosen. */
    public java.util.Map<String, Object> describe() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("grid", grid);
        m.put("reduce", reduce.label());
        m.put("resize", "nearest");
        m.put("rows", rows());
        m.put("chosen_by", basis);
        return m;
    }

    /** Rows of the view per channel (grid x grid). */
    public int pixels() { return grid * grid; }

    /** Number of view channels: 1 when reduced, C when kept. */
    public int viewChannels() { return reduce == Reduce.NONE ? channels : 1; }

    /** Total Jacobian rows P. */
    public int rows() { return pixels() * viewChannels(); }

    /** Source row indices for the nearest resize, or an empty array when the output already is grid x grid. */
    public long[] rowIndex() { return index(height); }

    public long[] colIndex() { return index(width); }

    private long[] index(int size) {
        if (size == grid) return new long[0];
        long[] idx = new long[grid];
        for (int i = 0; i < grid; i++) idx[i] = Math.min(size - 1, (long) Math.floor(i * (double) size / grid));
        return idx;
    }
}
