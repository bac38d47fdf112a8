package ganfactor.render;

import ganfactor.edit.Editor;
import ganfactor.edit.Locality;
import ganfactor.region.Region;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Grid and chart PNGs without a display: sizes, content, labels. */
class GridChartTest {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    @TempDir
    Path tmp;

    /** A synthetic edit result: N samples x S strengths of C x H x W gradients that differ per strength. */
    static Editor.Result synthetic(int N, double[] strengths, int H, int W) {
        int C = 3, S = strengths.length, img = C * H * W;
        float[] orig = new float[N * img], imgs = new float[N * S * img];
        for (int n = 0; n < N; n++)
            for (int c = 0; c < C; c++)
                for (int y = 0; y < H; y++)
                    for (int x = 0; x < W; x++) {
                        int p = (c * H + y) * W + x;
                        orig[n * img + p] = (float) Math.sin(0.05 * x + 0.07 * y + c + n);
                        for (int s = 0; s < S; s++)
                            imgs[(n * S + s) * img + p] = (float) Math.max(-1, Math.min(1, orig[n * img + p] + 0.2 * strengths[s] * Math.cos(0.03 * y)));
                    }
        return new Editor.Result(new double[]{1}, strengths, N, 1, 1, new double[N], new double[N * S], orig, imgs, C, H, W);
    }

    static int distinctColours(BufferedImage img) {
        Set<Integer> set = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 2)
            for (int x = 0; x < img.getWidth(); x += 2) set.add(img.getRGB(x, y) & 0xffffff);
        return set.size();
    }

    static boolean contains(BufferedImage img, Color c) {
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xffffff) == (c.getRGB() & 0xffffff)) return true;
        return false;
    }

    @Test
    void gridHasOneCellPerSampleAndStrengthAndIsNotBlank() throws Exception {
        assertTrue(GraphicsEnvironment.isHeadless());
        double[] strengths = {-3, -1.5, 0, 1.5, 3};
        Editor.Result r = synthetic(2, strengths, 128, 128);
        Region region = Region.box("eyes", 256, 120, 128, 16, 100, "test");
        BufferedImage grid = Grid.render(r, region, "test grid", 64);
        // 6 cells of 64 px across plus gaps, labels and margins (< 120 px); 2 rows of 64 px plus title and labels (< 110 px)
        assertTrue(grid.getWidth() >= 6 * 64 && grid.getWidth() < 6 * 64 + 120, "width " + grid.getWidth());
        assertTrue(grid.getHeight() >= 2 * 64 && grid.getHeight() < 2 * 64 + 110, "height " + grid.getHeight());
        assertTrue(distinctColours(grid) > 200, "a grid of images has many colours");
        assertTrue(contains(grid, Grid.REGION), "the region outline is drawn");
        assertEquals(Grid.BACKGROUND.getRGB() & 0xffffff, grid.getRGB(0, 0) & 0xffffff);
        Path file = tmp.resolve("grid.png");
        Images.write(grid, file);
        BufferedImage back = ImageIO.read(file.toFile());
        assertEquals(grid.getWidth(), back.getWidth());
        assertEquals(grid.getHeight(), back.getHeight());
        // native cell size and no title: cells of 128
        BufferedImage nat = Grid.render(r, null, null, 0);
        assertTrue(nat.getWidth() >= 6 * 128 && nat.getWidth() < 6 * 128 + 120, "width " + nat.getWidth());
        assertFalse(contains(nat, Grid.REGION));
    }

    @Test
    void largeImagesAreScaledDownSmoothly() {
        BufferedImage big = new BufferedImage(1024, 1024, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 1024; y++) for (int x = 0; x < 1024; x++) big.setRGB(x, y, ((x + y) & 1) == 0 ? 0xffffff : 0);
        BufferedImage small = Grid.scale(big, 256, 256);
        assertEquals(256, small.getWidth());
        assertEquals(256, small.getHeight());
        int grey = small.getRGB(100, 100) & 0xff; // a checkerboard averages to mid grey, not aliased black/white
        assertTrue(grey > 100 && grey < 155, "grey " + grey);
        assertSame(big, Grid.scale(big, 1024, 1024));
    }

    @Test
    void strengthLabels() {
        assertEquals("-3.0", Grid.label(-3));
        assertEquals("+1.5", Grid.label(1.5));
        assertEquals("0.0", Grid.label(0));
        assertEquals("+0.125", Grid.label(0.125));
        assertEquals("-6.667", Grid.label(-20.0 / 3));
        assertEquals("+10.0", Grid.label(10));
    }

    @Test
    void chartIsDrawnHeadlessOnBothScales() throws Exception {
        double[] x = {-3, -2, -1, 0, 1, 2, 3};
        double[] in = {1e-2, 6e-3, 2e-3, 0, 2e-3, 7e-3, 1.1e-2};
        double[] out = {1e-13, 5e-14, 1e-14, 0, 2e-14, 6e-14, 9e-14};
        List<Chart.Series> s = List.of(new Chart.Series("inside", in, Chart.INSIDE), new Chart.Series("outside", out, Chart.OUTSIDE));
        assertTrue(Chart.logScale(s));
        BufferedImage log = Chart.lines("eyes, direction 0: inside/outside ratio 1.2e11", "strength", "MSE", x, s, 720, 440);
        assertEquals(720, log.getWidth());
        assertEquals(440, log.getHeight());
        assertTrue(contains(log, Chart.INSIDE) && contains(log, Chart.OUTSIDE), "both curves are drawn");
        assertTrue(distinctColours(log) > 20);

        double[] lin = {4e-3, 2e-3, 1e-3, 0, 1e-3, 3e-3, 6e-3};
        List<Chart.Series> s2 = List.of(new Chart.Series("inside", lin, Chart.INSIDE), new Chart.Series("outside", new double[7], Chart.OUTSIDE));
        assertFalse(Chart.logScale(s2));
        BufferedImage linear = Chart.lines("linear", "strength", "MSE", x, s2, 500, 300);
        assertEquals(500, linear.getWidth());
        assertTrue(contains(linear, Chart.INSIDE) && contains(linear, Chart.OUTSIDE));

        // a locality measurement, straight to a PNG
        Editor.Result r = synthetic(2, x, 32, 32);
        Locality.Measurement m = Locality.measure(r, Region.box("mid", 32, 16, 16, 8, 8, "test"), 0);
        Path file = tmp.resolve("chart.png");
        Images.write(Chart.locality(m, null), file);
        BufferedImage back = ImageIO.read(file.toFile());
        assertEquals(720, back.getWidth());
        assertEquals(440, back.getHeight());
        // degenerate inputs do not throw: a single point, NaN values, all zero
        Chart.lines("one", "x", "y", new double[]{1}, List.of(new Chart.Series("a", new double[]{Double.NaN}, Color.RED)), 300, 200);
        Chart.lines("zero", "x", "y", new double[]{0, 1}, List.of(new Chart.Series("a", new double[]{0, 0}, Color.RED)), 300, 200);
    }

    @Test
    void niceTicks() {
        assertArrayEquals(new double[]{-3, -2, -1, 0, 1, 2, 3}, Chart.niceTicks(-3, 3, 8), 1e-12);
        double[] t = Chart.niceTicks(0, 0.0073, 6);
        assertEquals(0, t[0], 1e-15);
        assertTrue(t[t.length - 1] >= 0.0073 && t.length <= 7, java.util.Arrays.toString(t));
    }
}
