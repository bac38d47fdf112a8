package ganfactor.region;

import ganfactor.InputException;
import ganfactor.TestSupport;
import ganfactor.generator.Generator;
import ganfactor.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class RegionsTest {
    @TempDir
    Path tmp;

    @Test
    void referenceBoxesMatchTheReferenceRowsAndColumns() {
        // docs/REFERENCE.md: eyes [120,128,20,115] -> rows 110-130, cols 71-186 (half-open)
        Region eyes = Regions.parse("ffhq:eyes", 256, null);
        assertEquals(20 * 115, eyes.count());
        assertTrue(eyes.contains(110 * 256 + 71));
        assertTrue(eyes.contains(129 * 256 + 185));
        assertFalse(eyes.contains(130 * 256 + 71));
        assertFalse(eyes.contains(110 * 256 + 186));
        assertFalse(eyes.contains(109 * 256 + 100));
        Region mouth = Regions.parse("m=184,127,30,70", 256, null);
        assertEquals("m", mouth.name());
        assertEquals(30 * 70, mouth.count());
        assertTrue(mouth.contains(169 * 256 + 92));
    }

    /**
     * The reference's other tables by --data_name: ffhqu (its StyleGAN3 eyes boxes) and biggan, as
     * its get_mask_by_coordinates cuts them: mask[cr - h//2 : + h, cc - w//2 : + w] on the 256 view.
     */
    @Test
    void ffhquAndBigganPresetsAreTheReferenceBoxes() {
        Region r2 = Regions.parse("ffhqu:eyesr2", 256, null);              // [134, 116, 30, 115]: rows 119..148, cols 59..173
        assertEquals(30 * 115, r2.count());
        assertTrue(r2.contains(119 * 256 + 59) && r2.contains(148 * 256 + 173));
        assertFalse(r2.contains(118 * 256 + 59) || r2.contains(149 * 256 + 173) || r2.contains(119 * 256 + 174));
        Region side = Regions.parse("biggan:left_side", 256, null);        // [128, 64, 256, 128]: the left half
        assertEquals(256 * 128, side.count());
        assertTrue(side.contains(0) && side.contains(255 * 256 + 127) && !side.contains(128));
        assertEquals("eyest0", Regions.parse("ffhqu:eyest0", 64, null).name());
        InputException e = assertThrows(InputException.class, () -> Regions.parse("ffhqu:eyes", 256, null));
        assertTrue(e.getMessage().contains("unknown ffhqu preset 'eyes'") && e.getMessage().contains("eyesr2"), e.getMessage());
        assertTrue(Regions.tablePresets().containsAll(java.util.List.of("ffhq:eyes", "ffhqu:eyest3", "biggan:head1")));
    }

    /** The official [cr, cc, h, w] spelling is the same box as cr,cc,h,w. */
    @Test
    void officialBracketBoxesParse() {
        Region a = Regions.parse("box1=[29, 33, 9, 27]", 64, null), b = Regions.parse("box1=29,33,9,27", 64, null);
        assertArrayEquals(a.mask(), b.mask());
        assertEquals(9 * 27, a.count());
        assertTrue(a.contains(25 * 64 + 20) && !a.contains(34 * 64 + 20));   // rows 25..33 (29 - 9//2 = 25), cols 20..46
    }

    /**
     * --unscaled-presets: the official scripts index mask[cr - h//2 : ..., cc - w//2 : ...] on
     * whatever grid, so on 128 the eyes box [120,128,20,115] keeps rows 110..127 and cols 71..127
     * (NumPy cuts the slice); on 64 it is empty, an error (the official code divides by zero).
     * By default the box is scaled to the grid (rows 55..64, cols 36..93 on 128).
     */
    @Test
    void unscaledPresetsFollowNumpySlicing() {
        Region cut = Regions.parse("ffhq:eyes", 128, null, true);
        assertEquals((128 - 110) * (128 - 71), cut.count());
        assertTrue(cut.contains(110 * 128 + 71) && cut.contains(127 * 128 + 127) && !cut.contains(109 * 128 + 71));
        assertTrue(cut.origin().contains("cut to rows 110..127 cols 71..127"), cut.origin());
        Region scaled = Regions.parse("ffhq:eyes", 128, null);
        assertEquals(10 * 58, scaled.count());
        assertTrue(scaled.contains(55 * 128 + 36) && !scaled.contains(55 * 128 + 35));
        assertThrows(InputException.class, () -> Regions.parse("ffhq:eyes", 64, null, true));
        assertArrayEquals(Regions.parse("ffhq:eyes", 256, null, true).mask(), Regions.parse("ffhq:eyes", 256, null).mask());
        assertArrayEquals(new int[]{5, 5}, Regions.numpySlice(5, 5, 8));     // [5:5] is empty
        assertArrayEquals(new int[]{3, 3}, Regions.numpySlice(3, 1, 8));     // [3:1] is empty
        assertArrayEquals(new int[]{6, 8}, Regions.numpySlice(-2, 10, 8));
    }

    /** The official rule: native size with channels as rows up to 256 px, else 256 summed. */
    @Test
    void defaultViewFollowsTheOfficialRule() {
        View v64 = View.defaultFor(3, 64, 64), v256 = View.defaultFor(3, 256, 256), v512 = View.defaultFor(3, 512, 512);
        assertEquals(64, v64.grid());
        assertEquals(View.Reduce.NONE, v64.reduce());
        assertEquals(3 * 64 * 64, v64.rows());
        assertEquals(View.Reduce.NONE, v256.reduce());
        assertEquals(3 * 256 * 256, v256.rows());
        assertEquals(256, v512.grid());
        assertEquals(View.Reduce.SUM, v512.reduce());
        assertEquals(256 * 256, v512.rows());
        assertTrue(v64.basis().startsWith("default rule") && v512.describe().get("chosen_by").toString().contains("RGB summed"));
    }

    @Test
    void indicesCoverEveryRowOnceAcrossChannels() {
        Region r = Regions.parse("4,4,2,2", 8, null);
        long[] in = r.inside(3), out = r.outside(3);
        assertEquals(12, in.length);
        assertEquals(3 * 64 - 12, out.length);
        java.util.Set<Long> all = new java.util.HashSet<>();
        for (long v : in) all.add(v);
        for (long v : out) assertTrue(all.add(v));
        assertEquals(192, all.size());
    }

    @Test
    void generatorPresetsAndMasks() {
        Generator g = TestSupport.demo32();
        Region eyes = Regions.parse("eyes", 256, g);
        assertEquals("generator preset eyes", eyes.origin());
        Region mask = Regions.parse("mask:eyes", 256, g);
        assertEquals(2 * 28 * 44, mask.count());
        Region small = Regions.parse("mask:mouth", 64, g);
        assertEquals(10 * 17, small.count());
        Region scaled = Regions.parse("ffhq:mouth", 64, g);
        assertTrue(scaled.count() > 0 && scaled.count() < 64 * 64);
    }

    @Test
    void badRegionsAreClearErrors() {
        assertTrue(assertThrows(InputException.class, () -> Regions.parse("250,128,20,40", 256, null)).getMessage().contains("outside"));
        assertTrue(assertThrows(InputException.class, () -> Regions.parse("128,128,256,256", 256, null)).getMessage().contains("whole"));
        assertTrue(assertThrows(InputException.class, () -> Regions.parse("10,10,0,5", 256, null)).getMessage().contains("positive"));
        assertTrue(assertThrows(InputException.class, () -> Regions.parse("ears", 256, null)).getMessage().contains("unknown region"));
        assertTrue(assertThrows(InputException.class, () -> Regions.parse("mask:ears", 256, TestSupport.demo32())).getMessage().contains("unknown part"));
        assertTrue(assertThrows(InputException.class, () -> Regions.parse("missing.png", 256, null)).getMessage().contains("no such"));
    }

    @Test
    void maskFiles() throws Exception {
        BufferedImage img = new BufferedImage(512, 512, BufferedImage.TYPE_INT_RGB);
        for (int r = 100; r < 200; r++) for (int c = 300; c < 340; c++) img.setRGB(c, r, 0xffffff);
        Path png = tmp.resolve("m.png");
        ImageIO.write(img, "png", png.toFile());
        Region r = Regions.parse(png.toString(), 256, null);
        assertEquals("m", r.name());
        assertEquals(50 * 20, r.count());
        assertTrue(r.contains(50 * 256 + 150));
        double[] m = new double[64 * 64];
        m[10 * 64 + 10] = 1;
        Path npy = tmp.resolve("z.npy");
        Npy.writeFloat64(npy, m, 64, 64);
        assertEquals(1, Regions.parse("k=" + npy, 64, null).count());
        Npy.writeFloat64(npy, new double[64 * 64], 64, 64);
        assertTrue(assertThrows(InputException.class, () -> Regions.parse(npy.toString(), 64, null)).getMessage().contains("empty"));
        Npy.writeFloat64(npy, new double[8], 2, 2, 2);
        assertTrue(assertThrows(InputException.class, () -> Regions.parse(npy.toString(), 64, null)).getMessage().contains("2-D"));
        Path bad = tmp.resolve("bad.png");
        Files.writeString(bad, "nope");
        assertThrows(InputException.class, () -> Regions.parse(bad.toString(), 64, null));
    }

    @Test
    void nearestViewIndexIsEveryFourthPixelFor1024() {
        View v = new View(256, View.Reduce.SUM, 3, 1024, 1024);
        long[] idx = v.rowIndex();
        assertEquals(256, idx.length);
        for (int i = 0; i < 256; i++) assertEquals(4L * i, idx[i]);
        assertEquals(0, new View(256, View.Reduce.SUM, 3, 256, 256).rowIndex().length);
    }
}
