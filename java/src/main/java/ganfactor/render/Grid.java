package ganfactor.render;

import ganfactor.edit.Editor;
import ganfactor.region.Region;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static ganfactor.InputException.ref;

/**
 * An edit grid as one PNG-ready image: one row per sample; the first column is the original with
 * the region outlined, then one column per strength, labelled above ("-3.0", "0.0", "+1.5"), on
 * a dark background with thin gaps, an optional title line, and the sample number at the left.
 * Cells can be rescaled ({@code cell} = cell width in pixels, 0 = the image's own size): large
 * images are reduced by repeated halving with bilinear filtering (smooth, no aliasing), small ones
 * enlarged by nearest neighbour (crisp pixels).
 */
public final class Grid {
    static final Color BACKGROUND = new Color(0x1b, 0x1d, 0x22);
    static final Color TEXT = new Color(0xe4, 0xe6, 0xeb);
    static final Color MUTED = new Color(0x9a, 0xa0, 0xab);
    static final Color ACCENT = new Color(0x4f, 0xd1, 0xff);
    /** The region outline drawn on the originals. */
    public static final Color REGION = new Color(0x00, 0xe5, 0xff);

    /** The largest cell (pixels across one image in a grid) a command accepts. */
    public static final int MAX_CELL = 4096;
    /** The largest grid image drawn: 2^28 pixels (1 GiB as ARGB in memory). */
    public static final long MAX_PIXELS = 1L << 28;

    private Grid() {}

    /** Checks a requested cell size (0 = the image's own size where {@code allowZero}). */
    public static void checkCell(int cell, boolean allowZero) {
        if (cell > MAX_CELL || (cell < 16 && !(allowZero && cell == 0)))
            throw new ganfactor.InputException(ref("cell") + " must be between 16 and " + MAX_CELL + " pixels" + (allowZero ? " (or 0, the image size)" : "") + ", got " + cell);
    }

    /** The grid of an edit result; {@code region} may be null (no outline). */
    public static BufferedImage render(Editor.Result r, Region region, String title, int cell) {
        // each image is scaled to its cell at once, so a grid of 1024-px images never holds them all at full size
        int cw = cell > 0 ? cell : r.width();
        int ch = Math.max(1, (int) Math.round(r.height() * (cw / (double) r.width())));
        float[] originalsPx = r.originals(), imagesPx = r.images();
        List<BufferedImage> originals = new ArrayList<>();
        List<List<BufferedImage>> edits = new ArrayList<>();
        for (int n = 0; n < r.count(); n++) {
            originals.add(scale(Images.toImage(originalsPx, n, r.channels(), r.height(), r.width()), cw, ch));
            List<BufferedImage> row = new ArrayList<>();
            for (int s = 0; s < r.steps(); s++) row.add(scale(Images.toImage(imagesPx, n * r.steps() + s, r.channels(), r.height(), r.width()), cw, ch));
            edits.add(row);
        }
        List<String> labels = new ArrayList<>();
        for (double s : r.strengths()) labels.add(label(s));
        return render(originals, edits, labels, region, title, cw);
    }

    /**
     * A grid from images: {@code originals.get(n)} and {@code edits.get(n).get(s)}, all of one
     * size; {@code labels} one per edit column.
     */
    public static BufferedImage render(List<BufferedImage> originals, List<List<BufferedImage>> edits, List<String> labels,
                                       Region region, String title, int cell) {
        int N = originals.size();
        if (N == 0) throw new IllegalArgumentException("no samples to draw");
        int S = labels.size();
        for (List<BufferedImage> row : edits)
            if (row.size() != S) throw new IllegalArgumentException("a row has " + row.size() + " edits for " + S + " labels");
        int w0 = originals.get(0).getWidth(), h0 = originals.get(0).getHeight();
        int cw = cell > 0 ? cell : w0;
        int ch = Math.max(1, (int) Math.round(h0 * (cw / (double) w0)));

        int gap = 2, wideGap = 8, margin = 10;
        int fontSize = Math.max(11, Math.min(18, cw / 14));
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, fontSize);
        Font bold = font.deriveFont(Font.BOLD);
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, fontSize + 3);
        FontMetrics fm = metrics(font), tfm = metrics(titleFont);
        int left = fm.stringWidth(String.valueOf(N - 1)) + 10;
        int titleH = title == null || title.isBlank() ? 0 : tfm.getHeight() + 6;
        int labelH = fm.getHeight() + 6;

        // in long: the size is checked before it could overflow an int
        long w = margin + left + cw + wideGap + (long) S * cw + Math.max(0, S - 1) * (long) gap + margin;
        long h = margin + titleH + labelH + (long) N * ch + (N - 1) * (long) gap + margin;
        if (w * h > MAX_PIXELS)
            throw new ganfactor.InputException(String.format(java.util.Locale.ROOT,
                    "the grid of %d sample(s) x %d strength(s) at %d px per cell would be %,d x %,d pixels (at most %,d in all): lower " + ref("cell") + " or the number of strengths or samples",
                    N, S, cw, w, h, MAX_PIXELS));
        int width = (int) w, height = (int) h;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, width, height);

        int y = margin;
        if (titleH > 0) {
            g.setFont(titleFont);
            g.setColor(TEXT);
            g.drawString(fit(title, tfm, width - 2 * margin), margin, y + tfm.getAscent());
            y += titleH;
        }
        int x0 = margin + left, xe = x0 + cw + wideGap;
        g.setFont(bold);
        g.setColor(ACCENT);
        centred(g, "original", x0, cw, y + fm.getAscent());
        g.setFont(font);
        for (int s = 0; s < S; s++) {
            g.setColor(labels.get(s).equals("0.0") ? MUTED : TEXT);
            centred(g, labels.get(s), xe + s * (cw + gap), cw, y + fm.getAscent());
        }
        y += labelH;
        for (int n = 0; n < N; n++) {
            int yr = y + n * (ch + gap);
            g.setColor(MUTED);
            g.setFont(font);
            g.drawString(String.valueOf(n), margin + left - 6 - fm.stringWidth(String.valueOf(n)), yr + ch / 2 + fm.getAscent() / 2 - 1);
            BufferedImage o = scale(originals.get(n), cw, ch);
            if (region != null) {
                if (o == originals.get(n)) o = copy(o);
                Images.drawRegion(o, region, REGION);
            }
            g.drawImage(o, x0, yr, null);
            for (int s = 0; s < S; s++) g.drawImage(scale(edits.get(n).get(s), cw, ch), xe + s * (cw + gap), yr, null);
        }
        // a thin rule between the originals and the edits
        g.setColor(new Color(0x3a, 0x3e, 0x47));
        g.setStroke(new BasicStroke(1f));
        int xr = x0 + cw + wideGap / 2;
        g.drawLine(xr, y, xr, y + N * ch + (N - 1) * gap - 1);
        g.dispose();
        return out;
    }

    /** A strength as a column label: one decimal at least, up to three, explicit sign ("-3.0", "0.0", "+1.5", "+0.125"). */
    public static String label(double s) {
        if (s == 0) return "0.0";
        String t = null;
        for (int dec = 1; dec <= 3; dec++) {
            t = String.format(Locale.ROOT, "%+." + dec + "f", s);
            if (Math.abs(Double.parseDouble(t) - s) <= 1e-9 * Math.max(1, Math.abs(s))) break;
        }
        return t;
    }

    /** The image at w x h: itself when already that size; halving + bilinear to shrink, nearest neighbour to enlarge. */
    public static BufferedImage scale(BufferedImage src, int w, int h) {
        if (src.getWidth() == w && src.getHeight() == h) return src;
        BufferedImage cur = src;
        boolean shrink = w < src.getWidth() || h < src.getHeight();
        while (shrink && (cur.getWidth() / 2 >= w && cur.getHeight() / 2 >= h)) cur = draw(cur, cur.getWidth() / 2, cur.getHeight() / 2, true);
        return draw(cur, w, h, shrink);
    }

    private static BufferedImage draw(BufferedImage src, int w, int h, boolean smooth) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION,
                smooth ? RenderingHints.VALUE_INTERPOLATION_BILINEAR : RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    private static BufferedImage copy(BufferedImage src) {
        return draw(src, src.getWidth(), src.getHeight(), false);
    }

    static FontMetrics metrics(Font f) {
        BufferedImage tmp = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = tmp.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        FontMetrics fm = g.getFontMetrics(f);
        g.dispose();
        return fm;
    }

    static void centred(Graphics2D g, String s, int x, int w, int baseline) {
        FontMetrics fm = g.getFontMetrics();
        String t = fit(s, fm, w);
        g.drawString(t, x + (w - fm.stringWidth(t)) / 2, baseline);
    }

    /** The text, shortened with an ellipsis to fit {@code width} pixels. */
    static String fit(String s, FontMetrics fm, int width) {
        if (fm.stringWidth(s) <= width) return s;
        String t = s;
        while (t.length() > 1 && fm.stringWidth(t + "…") > width) t = t.substring(0, t.length() - 1);
        return t + "…";
    }
}
