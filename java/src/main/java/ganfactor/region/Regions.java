package ganfactor.region;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import ganfactor.torch.Torch;
import org.bytedeco.pytorch.Tensor;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses region specifications:
 * <pre>
 *   [NAME=]cr,cc,h,w        a reference box in view coordinates
 *   [NAME=]eyes             the generator's own preset of that name, else the FFHQ preset
 *   [NAME=]ffhq:eyes        a preset of the reference's tables (ffhq, ffhqu, biggan; boxes in 256-grid coordinates)
 *   [NAME=]mask:eyes        a ground-truth part mask exposed by the generator (part_masks)
 *   [NAME=]FILE.png|FILE.npy  a mask file: nonzero (PNG: brightness > 127) is inside
 * </pre>
 * Presets are defined on a 256 grid and scaled to other grids (or, with {@code unscaledPresets},
 * applied in 256-grid coordinates on any grid and cut to it as NumPy slicing does, which is what
 * the official ReSeFa scripts do); masks of another size are resized to the grid by nearest
 * neighbour. A box may also be written as the official scripts print it, {@code [cr, cc, h, w]}.
 */
public final class Regions {
    /** The reference's FFHQ boxes [center_row, center_col, height, width] on the 256 view (its COORDINATE_ffhq, for FFHQ and MetFaces). */
    public static final Map<String, int[]> FFHQ = new LinkedHashMap<>();
    /** The reference's boxes for unaligned FFHQ (COORDINATE_ffhqu: the eyes of its StyleGAN3 R and T models), on the 256 view. */
    public static final Map<String, int[]> FFHQU = new LinkedHashMap<>();
    /** The reference's BigGAN boxes (COORDINATE_biggan), on the 256 view. */
    public static final Map<String, int[]> BIGGAN = new LinkedHashMap<>();
    /**
     * The reference's box tables by its {@code --data_name} (ReSeFa's coordinate.py), each written
     * {@code NAME:PRESET} in a region spec ({@code ffhq:eyes}, {@code ffhqu:eyesr2}, {@code biggan:center0}).
     */
    public static final Map<String, Map<String, int[]>> TABLES = new LinkedHashMap<>();
    static {
        FFHQ.put("eyes", new int[]{120, 128, 20, 115});
        FFHQ.put("left_eye", new int[]{120, 95, 20, 38});
        FFHQ.put("right_eye", new int[]{120, 159, 20, 38});
        FFHQ.put("nose", new int[]{142, 131, 40, 46});
        FFHQ.put("mouth", new int[]{184, 127, 30, 70});
        FFHQ.put("chin", new int[]{217, 130, 42, 110});
        FFHQ.put("eyebrow", new int[]{126, 105, 15, 118});
        FFHQU.put("eyesr2", new int[]{134, 116, 30, 115});
        FFHQU.put("eyesr3", new int[]{64, 128, 26, 115});
        FFHQU.put("eyest0", new int[]{70, 88, 30, 115});
        FFHQU.put("eyest3", new int[]{108, 142, 26, 115});
        BIGGAN.put("center0", new int[]{120, 120, 80, 80});
        BIGGAN.put("center1", new int[]{120, 120, 130, 130});
        BIGGAN.put("center2", new int[]{120, 120, 200, 200});
        BIGGAN.put("left_side", new int[]{128, 64, 256, 128});
        BIGGAN.put("top_side", new int[]{64, 128, 128, 256});
        BIGGAN.put("head0", new int[]{89, 115, 49, 70});
        BIGGAN.put("head1", new int[]{93, 110, 48, 70});
        TABLES.put("ffhq", FFHQ);
        TABLES.put("ffhqu", FFHQU);
        TABLES.put("biggan", BIGGAN);
    }

    /** What a region spec may be, for every front end's help (one wording). */
    public static final String SPECS = "cr,cc,h,w | preset | ffhq:preset (also ffhqu:, biggan:) | mask:part | mask.png | mask.npy, optionally NAME=...";

    /** Every reference preset as it is written in a region spec ({@code ffhq:eyes}, ...). */
    public static List<String> tablePresets() {
        List<String> out = new java.util.ArrayList<>();
        TABLES.forEach((t, m) -> m.keySet().forEach(k -> out.add(t + ":" + k)));
        return out;
    }

    private Regions() {}

    /** The presets a generator brings (preset_names / preset_boxes), in 256-grid coordinates. */
    public static Map<String, int[]> generatorPresets(Generator g) {
        Map<String, int[]> out = new LinkedHashMap<>();
        List<String> names = g.stringList("preset_names");
        Tensor boxes = g.tensorAttr("preset_boxes");
        if (names.isEmpty() || boxes == null) return out;
        double[] b = Torch.toDoubles(boxes);
        if (b.length != names.size() * 4) return out;
        for (int i = 0; i < names.size(); i++)
            out.put(names.get(i), new int[]{(int) b[4 * i], (int) b[4 * i + 1], (int) b[4 * i + 2], (int) b[4 * i + 3]});
        return out;
    }

    public static Region parse(String spec, int grid, Generator g) {
        return parse(spec, grid, g, false);
    }

    /** As {@link #parse(String, int, Generator)}; {@code unscaledPresets} applies preset boxes unscaled (the official scripts). */
    public static Region parse(String spec, int grid, Generator g, boolean unscaledPresets) {
        String name = null, body = spec.trim();
        int eq = body.indexOf('=');
        if (eq > 0 && !body.substring(0, eq).contains(",") && !body.substring(0, eq).contains("/")) {
            name = body.substring(0, eq).trim();
            body = body.substring(eq + 1).trim();
        }
        if (body.isEmpty()) throw new InputException("empty region specification '" + spec + "'");
        if (body.matches("\\[[-0-9,\\s]*\\]")) body = body.substring(1, body.length() - 1).trim();   // the official [cr, cc, h, w]
        if (body.matches("-?\\d+\\s*,\\s*-?\\d+\\s*,\\s*-?\\d+\\s*,\\s*-?\\d+")) {
            String[] p = body.split(",");
            int[] v = new int[4];
            for (int i = 0; i < 4; i++) v[i] = Integer.parseInt(p[i].trim());
            return Region.box(name != null ? name : "box_" + String.join("_", body.replace(" ", "").split(",")), grid, v[0], v[1], v[2], v[3], "box " + body);
        }
        String lower = body.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".png") || lower.endsWith(".npy")) {
            Path file = Path.of(body);
            String base = file.getFileName().toString();
            base = base.substring(0, base.lastIndexOf('.'));
            return new Region(name != null ? name : base, grid, lower.endsWith(".png") ? pngMask(file, grid) : npyMask(file, grid), null, "mask " + body);
        }
        if (lower.startsWith("mask:")) {
            String part = body.substring(5);
            return new Region(name != null ? name : part, grid, partMask(g, part, grid), null, "ground-truth mask " + part);
        }
        int colon = lower.indexOf(':');
        if (colon > 0 && TABLES.containsKey(lower.substring(0, colon))) {
            String table = lower.substring(0, colon), key = body.substring(colon + 1);
            int[] b = TABLES.get(table).get(key);
            if (b == null)
                throw new InputException("unknown " + table + " preset '" + key + "': expected one of " + String.join(", ", TABLES.get(table).keySet()));
            return preset(name != null ? name : key, b, grid, table + " preset " + key, unscaledPresets);
        }
        Map<String, int[]> own = g == null ? Map.of() : generatorPresets(g);
        if (own.containsKey(body)) return preset(name != null ? name : body, own.get(body), grid, "generator preset " + body, unscaledPresets);
        if (FFHQ.containsKey(body)) return preset(name != null ? name : body, FFHQ.get(body), grid, "ffhq preset " + body, unscaledPresets);
        StringBuilder known = new StringBuilder();
        for (String k : own.keySet()) known.append(k).append(", ");
        for (String k : tablePresets()) known.append(k).append(", ");
        throw new InputException("unknown region '" + spec + "': expected a box cr,cc,h,w, a mask .png/.npy, mask:PART or a preset (" + known.substring(0, known.length() - 2) + ")");
    }

    private static Region preset(String name, int[] b, int grid, String origin, boolean unscaled) {
        if (grid == 256) return Region.box(name, grid, b[0], b[1], b[2], b[3], origin);
        if (unscaled) return unscaledBox(name, b, grid, origin);
        double s = grid / 256.0;
        int h = Math.max(1, (int) Math.round(b[2] * s)), w = Math.max(1, (int) Math.round(b[3] * s));
        int r0 = (int) Math.round((b[0] - b[2] / 2) * s), c0 = (int) Math.round((b[1] - b[3] / 2) * s);
        return Region.box(name, grid, r0 + h / 2, c0 + w / 2, h, w, origin + " scaled to grid " + grid);
    }

    /**
     * A 256-grid box applied unscaled on another grid, as the official scripts do:
     * {@code mask[r0:r0 + h, c0:c0 + w] = 1} with NumPy's slice rules (a negative bound counts from
     * the end, bounds are cut to the grid). A box that ends up empty is an error (the official
     * code would divide by zero).
     */
    static Region unscaledBox(String name, int[] b, int grid, String origin) {
        int r0 = b[0] - b[2] / 2, c0 = b[1] - b[3] / 2;
        int[] rows = numpySlice(r0, r0 + b[2], grid), cols = numpySlice(c0, c0 + b[3], grid);
        boolean[] m = new boolean[grid * grid];
        for (int r = rows[0]; r < rows[1]; r++)
            for (int c = cols[0]; c < cols[1]; c++) m[r * grid + c] = true;
        boolean cut = rows[0] != r0 || rows[1] != r0 + b[2] || cols[0] != c0 || cols[1] != c0 + b[3];
        String o = origin + " unscaled on grid " + grid + " (official)" + (cut ? ", cut to rows " + rows[0] + ".." + (rows[1] - 1) + " cols " + cols[0] + ".." + (cols[1] - 1) : "");
        return new Region(name, grid, m, b.clone(), o);
    }

    /** NumPy's [start:stop] on an axis of length n (step 1): the half-open range actually taken. */
    static int[] numpySlice(int start, int stop, int n) {
        int a = start < 0 ? Math.max(0, start + n) : Math.min(start, n);
        int e = stop < 0 ? Math.max(0, stop + n) : Math.min(stop, n);
        return new int[]{a, Math.max(a, e)};
    }

    private static boolean[] partMask(Generator g, String part, int grid) {
        List<String> names = g == null ? List.of() : g.stringList("part_names");
        Tensor masks = g == null ? null : g.tensorAttr("part_masks");
        if (names.isEmpty() || masks == null) throw new InputException("mask:" + part + ": this generator exposes no ground-truth part masks");
        int i = names.indexOf(part);
        if (i < 0) throw new InputException("mask:" + part + ": unknown part; this generator has " + String.join(", ", names));
        long[] shape = Torch.shape(masks);
        double[] all = Torch.toDoubles(masks.select(0, i));
        return resize(all, (int) shape[1], (int) shape[2], grid);
    }

    static boolean[] pngMask(Path file, int grid) {
        if (!Files.isRegularFile(file)) throw new InputException(file + ": no such mask file");
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new InputException(file + ": cannot read PNG (" + e.getMessage() + ")");
        }
        if (img == null) throw new InputException(file + ": not a readable PNG image");
        int h = img.getHeight(), w = img.getWidth();
        double[] v = new double[h * w];
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++) {
                int rgb = img.getRGB(c, r);
                int lum = Math.max((rgb >> 16) & 0xff, Math.max((rgb >> 8) & 0xff, rgb & 0xff));
                int alpha = (rgb >>> 24) & 0xff;
                v[r * w + c] = (lum > 127 && alpha > 127) ? 1 : 0;
            }
        return resize(v, h, w, grid);
    }

    static boolean[] npyMask(Path file, int grid) {
        NpyArray a = Npy.read(file);
        long[] s = a.shape();
        int h, w;
        if (s.length == 2) { h = (int) s[0]; w = (int) s[1]; }
        else if (s.length == 3 && s[0] == 1) { h = (int) s[1]; w = (int) s[2]; }
        else if (s.length == 3 && s[2] == 1) { h = (int) s[0]; w = (int) s[1]; }
        else throw new InputException(file + ": a mask must be 2-D [H, W] (or [1, H, W] / [H, W, 1]), got shape " + a.shapeString());
        return resize(a.data(), h, w, grid);
    }

    /** Nearest-neighbour resize of a [h, w] mask to grid x grid; nonzero is inside. */
    static boolean[] resize(double[] v, int h, int w, int grid) {
        boolean[] m = new boolean[grid * grid];
        for (int r = 0; r < grid; r++) {
            int sr = (int) Math.min(h - 1, Math.floor(r * (double) h / grid));
            for (int c = 0; c < grid; c++) {
                int sc = (int) Math.min(w - 1, Math.floor(c * (double) w / grid));
                m[r * grid + c] = v[sr * w + sc] != 0;
            }
        }
        return m;
    }

    /**
     * Several regions for one run: each parsed as {@link #parse(String, int, Generator, boolean)},
     * names unique and made of letters, digits, '_', '.' or '-' (they name files and folders).
     */
    public static java.util.List<Region> parseAll(java.util.List<String> specs, int grid, ganfactor.generator.Generator g, boolean unscaledPresets) {
        java.util.List<Region> rs = new java.util.ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (String s : specs) {
            Region r = parse(s, grid, g, unscaledPresets);
            if (!names.add(r.name())) throw new ganfactor.InputException("two regions are named '" + r.name() + "': name them with NAME=...");
            if (!r.name().matches("[A-Za-z0-9_.-]+")) throw new ganfactor.InputException("region name '" + r.name() + "' must use letters, digits, '_', '.' or '-'");
            rs.add(r);
        }
        return rs;
    }
}
