package ganfactor.studio;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import org.bytedeco.javacpp.PointerScope;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The region a request names, on the view grid: {boxes: [[x0, y0, x1, y1], ...] in image pixels}
 * (their union), {preset: NAME} (the generator's or, as ffhq:NAME, the FFHQ presets) or {part:
 * NAME} (a demo part mask). Checked completely before anything uses it; boxes must lie inside
 * the image. Presets and parts are read from the generator's tensors: parse on the worker thread.
 */
final class RegionRequest {
    private static final int MAX_BOXES = 32;

    private RegionRequest() {}

    /** The region {@code r} names (null: 400, a region is required), in its own PointerScope. */
    static Region parse(Body r, Generator g, View view) {
        try (PointerScope s = new PointerScope()) {
            return parseIn(r, g, view);
        }
    }

    private static Region parseIn(Body r, Generator g, View view) {
        if (r == null) throw StudioException.bad("a region is required: boxes, a preset or a part");
        int G = view.grid(), H = g.height(), W = g.width();
        int kinds = (r.has("boxes") ? 1 : 0) + (r.has("preset") ? 1 : 0) + (r.has("part") ? 1 : 0);
        if (kinds != 1) throw StudioException.bad("give the region as exactly one of boxes, preset or part");
        if (r.has("preset")) {
            String p = r.string("preset", null);
            boolean own = Regions.generatorPresets(g).containsKey(p);
            boolean reference = Regions.tablePresets().contains(p);
            if (!own && !reference) throw StudioException.bad("unknown preset '" + p + "'");
            return Regions.parse(p, G, g);
        }
        if (r.has("part")) {
            String p = r.string("part", null);
            if (!g.stringList("part_names").contains(p)) throw StudioException.bad("unknown part '" + p + "': this model has " + g.stringList("part_names"));
            return Regions.parse("mask:" + p, G, g);
        }
        List<double[]> boxes = r.rows("boxes", 4, MAX_BOXES);
        if (boxes.isEmpty()) throw StudioException.bad("draw at least one box");
        boolean[] mask = new boolean[G * G];
        StringBuilder origin = new StringBuilder("studio boxes (image pixels x0,y0,x1,y1):");
        for (double[] bx : boxes) {
            double x0 = bx[0], y0 = bx[1], x1 = bx[2], y1 = bx[3];
            for (double[] c : new double[][]{{x0, W}, {x1, W}, {y0, H}, {y1, H}})
                if (!(c[0] >= 0 && c[0] <= c[1]))
                    throw StudioException.bad(String.format(Locale.ROOT, "box [%.1f, %.1f, %.1f, %.1f] is outside the %dx%d image (x from 0 to %d, y from 0 to %d)", x0, y0, x1, y1, W, H, W, H));
            if (x1 <= x0 || y1 <= y0)
                throw StudioException.bad(String.format(Locale.ROOT, "box [%.1f, %.1f, %.1f, %.1f] is not [x0, y0, x1, y1] with x0 < x1 and y0 < y1", x0, y0, x1, y1));
            if (x1 - x0 < 1 || y1 - y0 < 1)
                throw StudioException.bad(String.format(Locale.ROOT, "box [%.1f, %.1f, %.1f, %.1f] is less than one pixel wide or high", x0, y0, x1, y1));
            int r0 = (int) Math.floor(y0 * G / H), r1 = (int) Math.min(G, Math.ceil(y1 * G / H));
            int c0 = (int) Math.floor(x0 * G / W), c1 = (int) Math.min(G, Math.ceil(x1 * G / W));
            for (int rr = r0; rr < r1; rr++) Arrays.fill(mask, rr * G + c0, rr * G + c1, true);
            origin.append(String.format(Locale.ROOT, " [%.0f,%.0f,%.0f,%.0f]", x0, y0, x1, y1));
        }
        int[] box = null;
        if (boxes.size() == 1) {   // one box: also in the reference format [center_row, center_col, height, width]
            double[] bx = boxes.get(0);
            int r0 = (int) Math.floor(bx[1] * G / H), r1 = (int) Math.min(G, Math.ceil(bx[3] * G / H));
            int c0 = (int) Math.floor(bx[0] * G / W), c1 = (int) Math.min(G, Math.ceil(bx[2] * G / W));
            box = new int[]{r0 + (r1 - r0) / 2, c0 + (c1 - c0) / 2, r1 - r0, c1 - c0};
        }
        try {
            return new Region(boxes.size() == 1 ? "box" : "boxes", G, mask, box, origin.toString());
        } catch (InputException e) {
            throw StudioException.bad(Studio.message(e));
        }
    }

    /** A region as the answers and the export's record describe it. */
    static Map<String, Object> describe(Region r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("origin", r.origin());
        m.put("grid", r.grid());
        m.put("pixels", r.count());
        if (r.box() != null) m.put("box", r.box());
        return m;
    }
}
