package ganfactor.edit;

import ganfactor.region.Region;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How local an edit is (the ReSeFa paper, Fig. 5): for each sample n and strength alpha, the mean
 * squared difference between the edited and the original image inside the region R and outside
 * it, over all channels and pixels, images in [-1, 1]. The region lives on a view grid; an image
 * pixel (r, c) of an H x W image belongs to R when view pixel (floor(r G / H), floor(c G / W))
 * does (nearest neighbour, the inverse of the view's resize).
 *
 * <p>Summary: {@code ratio = sum_{n, alpha} mse_inside / sum_{n, alpha} mse_outside} (equal to the
 * ratio of the curves averaged over samples, summed over strengths). An edit that changes nothing
 * outside (a perfectly local direction, or outside MSE underflowing to exactly 0) gets
 * {@code +Infinity}; one that changes nothing at all gets {@code NaN}. In the JSON summary these
 * become the strings "Infinity" and "NaN" (JSON has no such numbers).
 */
public final class Locality {
    private Locality() {}

    /**
     * One direction's measurement: {@code inside}/{@code outside} are [N, S] row-major (sample-major),
     * MSE per sample and strength.
     */
    public record Measurement(String region, int direction, double[] strengths, int samples,
                              double[] inside, double[] outside, long insidePixels, long outsidePixels) {
        public int steps() { return strengths.length; }

        public double inside(int n, int s) { return inside[n * strengths.length + s]; }
        public double outside(int n, int s) { return outside[n * strengths.length + s]; }

        /** Inside MSE averaged over samples, per strength. */
        public double[] meanInside() { return mean(inside); }
        /** Outside MSE averaged over samples, per strength. */
        public double[] meanOutside() { return mean(outside); }

        private double[] mean(double[] v) {
            int S = strengths.length;
            double[] m = new double[S];
            for (int n = 0; n < samples; n++) for (int s = 0; s < S; s++) m[s] += v[n * S + s] / samples;
            return m;
        }

        /** Sum of inside MSE over samples and strengths divided by the sum outside (see the class comment). */
        public double ratio() {
            double a = 0, b = 0;
            for (double v : inside) a += v;
            for (double v : outside) b += v;
            if (b > 0) return a / b;
            return a > 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        }

        /** A JSON-ready summary: region, direction, ratio, the mean curves and the pixel counts. */
        public Map<String, Object> summary() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("region", region);
            m.put("direction", direction);
            double r = ratio();
            m.put("ratio", Double.isFinite(r) ? (Object) r : (Object) (Double.isNaN(r) ? "NaN" : "Infinity"));
            m.put("ratio_definition", "sum over samples and strengths of mse_inside / the same sum of mse_outside");
            m.put("samples", samples);
            m.put("strengths", strengths.clone());
            m.put("mse_inside_mean", meanInside());
            m.put("mse_outside_mean", meanOutside());
            m.put("inside_pixels", insidePixels);
            m.put("outside_pixels", outsidePixels);
            return m;
        }
    }

    /** Measures the edits of {@code result} against its originals on {@code region}. */
    public static Measurement measure(Editor.Result result, Region region, int direction) {
        int C = result.channels(), H = result.height(), W = result.width(), P = H * W, N = result.count(), S = result.steps();
        boolean[] in = imageMask(region, H, W);
        long nIn = 0;
        for (boolean b : in) if (b) nIn++;
        long nOut = P - nIn;
        double[] inside = new double[N * S], outside = new double[N * S];
        float[] orig = result.originals(), img = result.images();
        for (int n = 0; n < N; n++) {
            int o = n * result.imageSize();
            for (int s = 0; s < S; s++) {
                int e = result.offset(n, s);
                double a = 0, b = 0;
                for (int c = 0; c < C; c++)
                    for (int p = 0; p < P; p++) {
                        double diff = (double) img[e + c * P + p] - orig[o + c * P + p];
                        if (in[p]) a += diff * diff; else b += diff * diff;
                    }
                inside[n * S + s] = nIn == 0 ? 0 : a / (nIn * C);
                outside[n * S + s] = nOut == 0 ? 0 : b / (nOut * C);
            }
        }
        return new Measurement(region.name(), direction, result.strengths(), N, inside, outside, nIn * C, nOut * C);
    }

    /** The region mapped onto an H x W image by nearest neighbour, row-major [H, W]. */
    public static boolean[] imageMask(Region region, int h, int w) {
        int G = region.grid();
        boolean[] m = new boolean[h * w];
        for (int r = 0; r < h; r++) {
            int gr = (int) Math.min(G - 1, (long) r * G / h);
            for (int c = 0; c < w; c++) m[r * w + c] = region.contains(gr * G + (int) Math.min(G - 1, (long) c * G / w));
        }
        return m;
    }

    /** CSV with a header: direction, sample, strength, mse_inside, mse_outside (full precision). */
    public static String csv(List<Measurement> ms) {
        StringBuilder sb = new StringBuilder("direction,sample,strength,mse_inside,mse_outside\n");
        for (Measurement m : ms)
            for (int n = 0; n < m.samples(); n++)
                for (int s = 0; s < m.steps(); s++)
                    sb.append(m.direction()).append(',').append(n).append(',').append(m.strengths()[s]).append(',')
                            .append(m.inside(n, s)).append(',').append(m.outside(n, s)).append('\n');
        return sb.toString();
    }

    public static void writeCsv(Path file, List<Measurement> ms) {
        try {
            Files.writeString(file, csv(ms), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write CSV", e);
        }
    }

    /** Summaries of several directions, for a JSON record. */
    public static List<Map<String, Object>> summaries(List<Measurement> ms) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Measurement m : ms) out.add(m.summary());
        return out;
    }

    /** A ratio in short scientific form: "1.2e4", "3.5", "0.12", "inf", "nan". */
    public static String formatRatio(double r) {
        if (Double.isNaN(r)) return "nan";
        if (Double.isInfinite(r)) return r > 0 ? "inf" : "-inf";
        if (r != 0 && (Math.abs(r) >= 1e3 || Math.abs(r) < 1e-2)) {
            String s = String.format(Locale.ROOT, "%.1e", r); // 1.2e+04
            int e = s.indexOf('e');
            return s.substring(0, e) + "e" + Integer.parseInt(s.substring(e + 1));
        }
        return String.format(Locale.ROOT, "%.3g", r).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
    }
}
