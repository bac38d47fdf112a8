package ganfactor.render;

import ganfactor.region.Region;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Generator outputs (values in [-1, 1], [B, C, H, W] row-major) to images, with region overlays. */
public final class Images {
    private Images() {}

    /** Image {@code b} of a batch as RGB. */
    public static BufferedImage toImage(float[] px, int b, int channels, int h, int w) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int plane = h * w;
        int base = b * channels * plane;
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++) {
                int[] v = new int[3];
                for (int ch = 0; ch < 3; ch++) {
                    float x = px[base + Math.min(ch, channels - 1) * plane + r * w + c];
                    v[ch] = Math.max(0, Math.min(255, Math.round((x + 1f) * 127.5f)));
                }
                img.setRGB(c, r, (v[0] << 16) | (v[1] << 8) | v[2]);
            }
        return img;
    }

    /** Draws a region's outline (its box, or its mask boundary) scaled from the view grid onto the image. */
    public static void drawRegion(BufferedImage img, Region region, Color color) {
        Graphics2D g = img.createGraphics();
        g.setColor(color);
        double sy = img.getHeight() / (double) region.grid(), sx = img.getWidth() / (double) region.grid();
        int[] box = region.box();
        if (box != null) {
            int r0 = box[0] - box[2] / 2, c0 = box[1] - box[3] / 2;
            g.setStroke(new BasicStroke(Math.max(1f, (float) sx)));
            g.drawRect((int) Math.round(c0 * sx), (int) Math.round(r0 * sy), (int) Math.round(box[3] * sx) - 1, (int) Math.round(box[2] * sy) - 1);
        } else {
            int n = region.grid();
            for (int r = 0; r < n; r++)
                for (int c = 0; c < n; c++) {
                    if (!region.contains(r * n + c)) continue;
                    boolean edge = r == 0 || c == 0 || r == n - 1 || c == n - 1
                            || !region.contains((r - 1) * n + c) || !region.contains((r + 1) * n + c)
                            || !region.contains(r * n + c - 1) || !region.contains(r * n + c + 1);
                    if (edge) g.fillRect((int) (c * sx), (int) (r * sy), Math.max(1, (int) sx), Math.max(1, (int) sy));
                }
        }
        g.dispose();
    }

    /** The region as a black/white PNG on the view grid. */
    public static BufferedImage mask(Region region) {
        int n = region.grid();
        BufferedImage img = new BufferedImage(n, n, BufferedImage.TYPE_BYTE_GRAY);
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++) img.getRaster().setSample(c, r, 0, region.contains(r * n + c) ? 255 : 0);
        return img;
    }

    public static void write(BufferedImage img, Path file) {
        try {
            if (!ImageIO.write(img, "png", file.toFile())) throw new IOException("no PNG writer");
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write PNG", e);
        }
    }
}
