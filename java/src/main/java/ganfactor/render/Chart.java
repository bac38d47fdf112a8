package ganfactor.render;

import ganfactor.edit.Locality;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Line charts drawn with Java2D alone (works with {@code java.awt.headless=true}): one x axis,
 * several series with markers, legend, axis labels, tick labels and a title. The y axis is
 * logarithmic when the positive values span more than two decades, linear otherwise; on a log
 * axis, values <= 0 (the zero change at strength 0) are not drawn and split the line, and a series
 * with no positive value is marked "(all 0)" in the legend.
 */
public final class Chart {
    /** One curve. */
    public record Series(String name, double[] y, Color color) {}

    public static final Color INSIDE = new Color(0xff, 0x8a, 0x3d);
    public static final Color OUTSIDE = new Color(0x4f, 0xa8, 0xff);
    private static final Color PLOT = new Color(0x23, 0x26, 0x2d);
    private static final Color GRIDLINE = new Color(0x33, 0x37, 0x40);

    private Chart() {}

    /** The locality curves of one direction (inside and outside MSE averaged over samples against strength). */
    public static BufferedImage locality(Locality.Measurement m, String title) {
        String t = title != null ? title
                : m.region() + ", direction " + m.direction() + ": inside/outside ratio " + Locality.formatRatio(m.ratio());
        return lines(t, "strength", "MSE (mean over " + m.samples() + " sample" + (m.samples() == 1 ? "" : "s") + ")", m.strengths(),
                List.of(new Series("inside " + m.region(), m.meanInside(), INSIDE), new Series("outside " + m.region(), m.meanOutside(), OUTSIDE)),
                720, 440);
    }

    /** True when the y axis should be logarithmic: positive values spanning more than two decades. */
    public static boolean logScale(List<Series> series) {
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (Series s : series)
            for (double v : s.y())
                if (v > 0 && Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        return hi > 0 && hi / lo > 100;
    }

    public static BufferedImage lines(String title, String xLabel, String yLabel, double[] x, List<Series> series, int width, int height) {
        for (Series s : series)
            if (s.y().length != x.length) throw new IllegalArgumentException("series '" + s.name() + "' has " + s.y().length + " values for " + x.length + " x values");
        if (x.length == 0) throw new IllegalArgumentException("nothing to plot");
        boolean log = logScale(series);

        // ranges
        double xmin = Double.POSITIVE_INFINITY, xmax = Double.NEGATIVE_INFINITY;
        for (double v : x) { xmin = Math.min(xmin, v); xmax = Math.max(xmax, v); }
        if (xmax == xmin) { xmin -= 1; xmax += 1; }
        double ymin = Double.POSITIVE_INFINITY, ymax = Double.NEGATIVE_INFINITY;
        for (Series s : series)
            for (double v : s.y()) {
                if (!Double.isFinite(v) || (log && v <= 0)) continue;
                ymin = Math.min(ymin, v);
                ymax = Math.max(ymax, v);
            }
        if (!(ymax >= ymin)) { ymin = 0; ymax = 1; }
        double[] yt;
        if (log) {
            double a = Math.floor(Math.log10(ymin)), b = Math.ceil(Math.log10(ymax));
            if (b == a) b = a + 1;
            ymin = a;
            ymax = b;
            int every = (int) Math.max(1, Math.ceil((b - a) / 8));
            List<Double> t = new ArrayList<>();
            for (double e = a; e <= b + 1e-9; e += every) t.add(e);
            yt = t.stream().mapToDouble(Double::doubleValue).toArray();
        } else {
            if (ymin > 0 && ymin < 0.5 * ymax) ymin = 0;
            if (ymax == ymin) { ymax = ymin + (ymin == 0 ? 1 : Math.abs(ymin)); }
            double[] nice = niceTicks(ymin, ymax, 6);
            ymin = nice[0];
            ymax = nice[nice.length - 1];
            yt = nice;
        }
        double[] xt = niceTicks(xmin, xmax, 8);
        xmin = Math.min(xmin, xt[0]);
        xmax = Math.max(xmax, xt[xt.length - 1]);

        // layout
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 15);
        FontMetrics fm = Grid.metrics(font), tfm = Grid.metrics(titleFont);
        List<String> ytl = new ArrayList<>();
        for (double v : yt) ytl.add(log ? decade(v) : number(v, yt));
        int ytw = 0;
        for (String s : ytl) ytw = Math.max(ytw, fm.stringWidth(s));
        int left = 14 + fm.getHeight() + 6 + ytw + 8, right = 18, top = 14 + tfm.getHeight() + 6 + fm.getHeight() + 10, bottom = 12 + 2 * fm.getHeight() + 12;
        int legendTop = 14 + tfm.getHeight() + 4;
        int pw = width - left - right, ph = height - top - bottom;
        if (pw < 50 || ph < 50) throw new IllegalArgumentException("chart too small: " + width + "x" + height);
        final double fxmin = xmin, fxmax = xmax, fymin = ymin, fymax = ymax;
        int pad = 9; // keeps markers on the axis limits whole
        java.util.function.DoubleUnaryOperator px = v -> left + pad + (v - fxmin) / (fxmax - fxmin) * (pw - 2 * pad);
        java.util.function.DoubleUnaryOperator pyAxis = v -> top + ph - pad - (v - fymin) / (fymax - fymin) * (ph - 2 * pad);
        java.util.function.DoubleUnaryOperator py = v -> pyAxis.applyAsDouble(log ? Math.log10(v) : v);

        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setColor(Grid.BACKGROUND);
        g.fillRect(0, 0, width, height);
        g.setColor(PLOT);
        g.fillRect(left, top, pw, ph);

        // title
        g.setFont(titleFont);
        g.setColor(Grid.TEXT);
        String t = Grid.fit(title == null ? "" : title, tfm, width - 28);
        g.drawString(t, (width - tfm.stringWidth(t)) / 2, 14 + tfm.getAscent());

        // grid lines and ticks
        g.setFont(font);
        g.setStroke(new BasicStroke(1f));
        for (int i = 0; i < yt.length; i++) {
            int yy = (int) Math.round(pyAxis.applyAsDouble(yt[i]));
            g.setColor(GRIDLINE);
            g.drawLine(left, yy, left + pw, yy);
            g.setColor(Grid.MUTED);
            g.drawString(ytl.get(i), left - 8 - fm.stringWidth(ytl.get(i)), yy + fm.getAscent() / 2 - 1);
        }
        for (double v : xt) {
            int xx = (int) Math.round(px.applyAsDouble(v));
            g.setColor(GRIDLINE);
            g.drawLine(xx, top, xx, top + ph);
            g.setColor(Grid.MUTED);
            String s = number(v, xt);
            g.drawString(s, xx - fm.stringWidth(s) / 2, top + ph + 6 + fm.getAscent());
        }
        g.setColor(Grid.MUTED);
        g.drawRect(left, top, pw, ph);

        // axis labels
        g.setColor(Grid.TEXT);
        g.drawString(xLabel, left + (pw - fm.stringWidth(xLabel)) / 2, height - 12 - fm.getDescent());
        String yl = yLabel + (log ? ", log scale" : "");
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yl, -(top + (ph + fm.stringWidth(yl)) / 2), 14 + fm.getAscent());
        g.setTransform(saved);

        // curves
        g.setClip(left, top, pw + 1, ph + 1);
        for (Series s : series) {
            g.setColor(s.color());
            g.setStroke(new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            Path2D.Double path = new Path2D.Double();
            boolean pen = false;
            for (int i = 0; i < x.length; i++) {
                double v = s.y()[i];
                if (!Double.isFinite(v) || (log && v <= 0)) { pen = false; continue; }
                double xx = px.applyAsDouble(x[i]), yy = py.applyAsDouble(v);
                if (pen) path.lineTo(xx, yy); else path.moveTo(xx, yy);
                pen = true;
            }
            g.draw(path);
            for (int i = 0; i < x.length; i++) {
                double v = s.y()[i];
                if (!Double.isFinite(v) || (log && v <= 0)) continue;
                int xx = (int) Math.round(px.applyAsDouble(x[i])), yy = (int) Math.round(py.applyAsDouble(v));
                g.setColor(s.color());
                g.fillOval(xx - 4, yy - 4, 9, 9);
                g.setColor(PLOT);
                g.fillOval(xx - 2, yy - 2, 5, 5);
            }
        }
        g.setClip(null);

        // legend: one row between the title and the plot, outside the data
        List<String> names = new ArrayList<>();
        int total = 0;
        for (Series s : series) {
            boolean any = false;
            for (double v : s.y()) if (Double.isFinite(v) && (v > 0 || !log)) any = true;
            String n = s.name() + (any ? "" : " (all 0)");
            names.add(n);
            total += 34 + fm.stringWidth(n) + 18;
        }
        int lx = left + Math.max(0, (pw - total) / 2), yy = legendTop + fm.getHeight() / 2;
        for (int i = 0; i < series.size(); i++) {
            g.setColor(series.get(i).color());
            g.setStroke(new BasicStroke(2.2f));
            g.drawLine(lx, yy, lx + 24, yy);
            g.fillOval(lx + 8, yy - 4, 9, 9);
            g.setColor(PLOT);
            g.fillOval(lx + 10, yy - 2, 5, 5);
            g.setColor(Grid.TEXT);
            g.drawString(names.get(i), lx + 32, yy + fm.getAscent() / 2 - 1);
            lx += 34 + fm.stringWidth(names.get(i)) + 18;
        }
        g.dispose();
        return img;
    }

    /** Ticks at 1, 2 or 5 times a power of ten covering [lo, hi], about {@code target} of them. */
    static double[] niceTicks(double lo, double hi, int target) {
        double span = hi - lo;
        double raw = span / Math.max(1, target);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = mag;
        for (double m : new double[]{1, 2, 2.5, 5, 10}) {
            step = m * mag;
            if (span / step <= target) break;
        }
        double a = Math.floor(lo / step + 1e-9) * step, b = Math.ceil(hi / step - 1e-9) * step;
        int n = (int) Math.round((b - a) / step) + 1;
        double[] t = new double[n];
        for (int i = 0; i < n; i++) t[i] = a + i * step;
        return t;
    }

    private static String decade(double e) {
        return "1e" + (long) e;
    }

    /** A tick value with as few decimals as its neighbours need; scientific for very small or large spans. */
    private static String number(double v, double[] ticks) {
        double step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : Math.max(Math.abs(v), 1);
        double big = Math.max(Math.abs(ticks[0]), Math.abs(ticks[ticks.length - 1]));
        if (Math.abs(v) < step * 1e-6) return "0";
        if (big >= 1e5 || step < 1e-3) {
            String s = String.format(Locale.ROOT, "%.2e", v);
            int e = s.indexOf('e');
            String m = s.substring(0, e).replaceAll("\\.?0+$", "");
            return m + "e" + Integer.parseInt(s.substring(e + 1));
        }
        int dec = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        if (Math.abs(step * Math.pow(10, dec) - Math.round(step * Math.pow(10, dec))) > 1e-6) dec++;
        return String.format(Locale.ROOT, "%." + dec + "f", v);
    }
}
