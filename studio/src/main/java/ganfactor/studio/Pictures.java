package ganfactor.studio;

import ganfactor.render.Images;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;

/** Generator outputs as PNG data URLs for the page, and the change overlay |edit - original|. */
public final class Pictures {
    private Pictures() {}

    /** Image {@code b} of a [B, C, H, W] batch in [-1, 1] as a PNG data URL. */
    public static String dataUrl(float[] px, int b, int channels, int h, int w) {
        return dataUrl(Images.toImage(px, b, channels, h, w));
    }

    public static String dataUrl(BufferedImage img) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png(img));
    }

    public static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
        try {
            if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * The change map: per pixel the mean over channels of |edit - original| (images in [-1, 1]),
     * as red with opacity proportional to the change, scaled so that {@code scale} is opaque
     * ({@code scale <= 0}: the largest change is). Returns the largest change in {@code max[0]}.
     */
    public static BufferedImage overlay(float[] edit, float[] original, int channels, int h, int w, double scale, double[] max) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        int plane = h * w;
        double m = 0;
        double[] diff = new double[plane];
        for (int p = 0; p < plane; p++) {
            double s = 0;
            for (int c = 0; c < channels; c++) s += Math.abs(edit[c * plane + p] - original[c * plane + p]);
            diff[p] = s / channels;
            m = Math.max(m, diff[p]);
        }
        if (max != null) max[0] = m;
        double opaque = scale > 0 ? scale : m;
        for (int p = 0; p < plane; p++) {
            int a = opaque > 0 ? (int) Math.min(255, Math.round(255 * diff[p] / opaque)) : 0;
            img.setRGB(p % w, p / w, (a << 24) | 0xff2020);
        }
        return img;
    }
}
