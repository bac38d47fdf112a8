package ganfactor.score;

import ganfactor.InputException;
import ganfactor.edit.Locality;
import ganfactor.generator.Generator;
import ganfactor.region.Region;
import ganfactor.region.Regions;

import java.util.Locale;

import static ganfactor.InputException.ref;

/**
 * A statistic of the image inside a region, as a score: {@code STAT@REGION} with STAT one of
 * <ul>
 *   <li>{@code mean}: mean over the region's pixels and all channels (brightness, in [-1, 1]);</li>
 *   <li>{@code std}: standard deviation over the region's pixels of the channel mean (contrast);</li>
 *   <li>{@code red}, {@code green}, {@code blue}: the mean of one channel;</li>
 *   <li>{@code dark}: the fraction of region pixels whose channel mean is below 0 (e.g. an open mouth).</li>
 * </ul>
 * and REGION any region specification of {@link Regions} on a 256 view grid, mapped onto the image
 * by nearest neighbour (as the locality measurement does).
 */
public final class RegionStatScorer implements Scorer {
    public enum Stat { MEAN, STD, RED, GREEN, BLUE, DARK }

    private final Stat stat;
    private final Region region;
    private final String spec;
    private final boolean[] mask;

    public RegionStatScorer(String spec, Generator g) {
        int at = spec.indexOf('@');
        if (at <= 0 || at == spec.length() - 1)
            throw new InputException(ref("region-stat") + " must be STAT@REGION (STAT: mean, std, red, green, blue or dark), got '" + spec + "'");
        String s = spec.substring(0, at).trim().toLowerCase(Locale.ROOT);
        try {
            this.stat = Stat.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InputException("unknown statistic '" + s + "' in " + ref("region-stat") + " " + spec + ": expected mean, std, red, green, blue or dark");
        }
        this.region = Regions.parse(spec.substring(at + 1), 256, g);
        if ((stat == Stat.GREEN || stat == Stat.BLUE) && g.channels() < 3)
            throw new InputException(ref("region-stat") + " " + spec + ": the generator's images have " + g.channels() + " channel(s)");
        this.spec = spec;
        this.mask = Locality.imageMask(region, g.height(), g.width());
        boolean any = false;
        for (boolean m : mask) any |= m;
        if (!any) throw new InputException(ref("region-stat") + " " + spec + ": the region covers no pixel of the " + g.height() + "x" + g.width() + " image");
    }

    @Override public String name() { return region.name() + "_" + stat.name().toLowerCase(Locale.ROOT); }

    @Override public String definition() { return "region statistic " + spec + " (" + region.origin() + ", 256 view grid, nearest neighbour onto the image)"; }

    @Override public boolean needsImages() { return true; }

    @Override
    public double[] score(Batch b) {
        int C = b.channels(), P = b.height() * b.width();
        float[] px = b.pixels();
        double[] out = new double[b.count()];
        for (int n = 0; n < b.count(); n++) {
            int base = n * C * P;
            double sum = 0, sq = 0;
            long count = 0, dark = 0;
            for (int p = 0; p < P; p++) {
                if (!mask[p]) continue;
                double v;
                switch (stat) {
                    case RED -> v = px[base + p];
                    case GREEN -> v = px[base + P + p];
                    case BLUE -> v = px[base + 2 * P + p];
                    default -> {
                        double m = 0;
                        for (int c = 0; c < C; c++) m += px[base + c * P + p];
                        v = m / C;
                    }
                }
                sum += v;
                sq += v * v;
                if (v < 0) dark++;
                count++;
            }
            double mean = sum / count;
            out[n] = switch (stat) {
                case STD -> Math.sqrt(Math.max(0, sq / count - mean * mean));
                case DARK -> dark / (double) count;
                default -> mean;
            };
        }
        return out;
    }
}
