package ganfactor.region;

import ganfactor.InputException;

import java.util.Arrays;

/**
 * A set of view pixels R (its complement is R'), on a {@code grid x grid} view. {@code box} is the
 * reference box [center_row, center_col, height, width] when the region came from one, else null.
 * The mask applies to every view channel alike.
 */
public final class Region {
    private final String name;
    private final int grid;
    private final boolean[] mask;
    private final int[] box;
    private final String origin;
    private final int count;

    public Region(String name, int grid, boolean[] mask, int[] box, String origin) {
        if (mask.length != grid * grid) throw new IllegalArgumentException("mask has " + mask.length + " pixels, grid " + grid + " needs " + grid * grid);
        this.name = name;
        this.grid = grid;
        this.mask = mask;
        this.box = box;
        this.origin = origin;
        int c = 0;
        for (boolean b : mask) if (b) c++;
        this.count = c;
        if (c == 0) throw new InputException("region '" + name + "' (" + origin + ") is empty on the " + grid + "x" + grid + " view");
        if (c == mask.length) throw new InputException("region '" + name + "' (" + origin + ") covers the whole " + grid + "x" + grid + " view: the background R' would be empty");
    }

    /**
     * A reference box: rows [cr - h/2, cr - h/2 + h), cols [cc - w/2, cc - w/2 + w) (integer
     * division, as the reference). Any part outside the grid is an error, not a silent clip.
     */
    public static Region box(String name, int grid, int cr, int cc, int h, int w, String origin) {
        if (h <= 0 || w <= 0) throw new InputException("region '" + name + "': box height and width must be positive, got " + h + "x" + w);
        int r0 = cr - h / 2, c0 = cc - w / 2;
        int r1 = r0 + h, c1 = c0 + w;
        if (r0 < 0 || c0 < 0 || r1 > grid || c1 > grid)
            throw new InputException("region '" + name + "': box [" + cr + "," + cc + "," + h + "," + w + "] spans rows " + r0 + ".." + (r1 - 1)
                    + " and cols " + c0 + ".." + (c1 - 1) + ", outside the " + grid + "x" + grid + " view");
        boolean[] m = new boolean[grid * grid];
        for (int r = r0; r < r1; r++) Arrays.fill(m, r * grid + c0, r * grid + c1, true);
        return new Region(name, grid, m, new int[]{cr, cc, h, w}, origin);
    }

    public String name() { return name; }
    public int grid() { return grid; }
    public int[] box() { return box == null ? null : box.clone(); }
    public String origin() { return origin; }
    /** |R| per view channel. */
    public int count() { return count; }
    public boolean contains(int pixel) { return mask[pixel]; }
    public boolean[] mask() { return mask.clone(); }

    /** Indices of R in a view with {@code channels} view channels, ascending. */
    public long[] inside(int channels) { return indices(channels, true); }

    /** Indices of R' in a view with {@code channels} view channels, ascending. */
    public long[] outside(int channels) { return indices(channels, false); }

    private long[] indices(int channels, boolean in) {
        int per = in ? count : mask.length - count;
        long[] idx = new long[per * channels];
        int k = 0;
        for (int c = 0; c < channels; c++)
            for (int p = 0; p < mask.length; p++)
                if (mask[p] == in) idx[k++] = (long) c * mask.length + p;
        return idx;
    }

    /** The same region with a new name. */
    public Region rename(String newName) {
        return new Region(newName, grid, mask, box, origin);
    }
}
