package ganfactor.region;

import ganfactor.InputException;

import java.util.Locale;

/**
 * The Jacobian view of a generator output [C, H, W]: resized to a square {@code grid} by nearest
 * neighbour (source index floor(i * H / grid), as PyTorch's {@code interpolate(mode='nearest')};
 * for 1024 -> 256 these are pixels (4i, 4j)), then reduced over the channels. View pixel p of
 * channel c at (row, col) has index {@code (c * grid + row) * grid + col} (c = 0 when reduced).
 */
public record View(int grid, Reduce reduce, int channels, int height, int width) {
    public enum Reduce {
        /** Sum over RGB (ReSeFa, the default). */
        SUM,
        /** Mean over RGB (LowRankGAN; same directions). */
        MEAN,
        /** Keep each channel as its own rows. */
        NONE;

        public static Reduce parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "sum" -> SUM;
                case "mean" -> MEAN;
                case "none", "keep", "channels" -> NONE;
                default -> throw new InputException("unknown channel reduction '" + s + "': expected sum, mean or none");
            };
        }

        public int code() { return ordinal(); }

        public String label() { return name().toLowerCase(Locale.ROOT); }
    }

    public View {
        if (grid < 2 || grid > 4096) throw new InputException("view grid must be between 2 and 4096, got " + grid);
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
