package ganfactor.studio;

import ganfactor.edit.Editor;
import ganfactor.generator.Generator;
import ganfactor.generator.Latents;
import ganfactor.io.Npy;
import ganfactor.io.OutputDir;
import ganfactor.method.Directions;
import ganfactor.pipeline.EditJob;
import ganfactor.pipeline.RunContext;
import ganfactor.pipeline.RunRecord;
import ganfactor.region.Region;
import ganfactor.render.Images;
import ganfactor.studio.DirectionStore.Discovered;
import ganfactor.studio.DirectionStore.Entry;
import org.bytedeco.javacpp.PointerScope;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An export as the page asks for it, checked before the engine is asked, and its writing. Into
 * {@code target} (new, inside the working folder) go the CLI's files: {@code directions.npy} [k,
 * D] float32 and {@code eigenvalues.npy} (the discovered directions, or the chosen one), {@code
 * latents.npy} (the code, reference shape), the chosen direction's edit as {@code ganfactor edit}
 * writes it (originals.npy [1, L, d], grid_0.png, edited_0.npy [1, S, L, d], and with a region
 * mask_*.png and locality_0.*), {@code image.png} and {@code edited_code.npy} [1, L, d] at the
 * slider's strength, and the record {@code studio.json}.
 *
 * @param folder the target as the answer names it (relative to the working folder)
 * @param min    the grid's first strength
 * @param max    the grid's last strength
 * @param region the request's region, or null (parsed on the worker)
 */
record Export(Path target, String folder, long direction, double strength, double min, double max, int steps, int[] layers, Body region) {
    /** The export {@code b} asks for: {folder, direction, strength, min, max, steps, layers, region}; 400 when the folder exists. */
    static Export of(Body b, WorkFolder work, int numLayers) {
        String folder = b.string("folder", null);
        Path target = work.resolve(folder);
        if (Files.exists(target)) throw StudioException.bad("'" + folder + "' exists already; choose a new folder name");
        long id = b.requiredInteger("direction", 0, Long.MAX_VALUE);
        double strength = b.number("strength", 0, -Editor.MAX_STRENGTH, Editor.MAX_STRENGTH);
        double lo = b.number("min", -5, -Editor.MAX_STRENGTH, Editor.MAX_STRENGTH), hi = b.number("max", 5, -Editor.MAX_STRENGTH, Editor.MAX_STRENGTH);
        if (!(hi > lo)) throw StudioException.bad("the strength range needs min < max");
        int steps = (int) b.integer("steps", 7, 2, 21);
        int[] ls = Session.parseLayers(b.string("layers", "all"), numLayers);
        return new Export(target, work.root().relativize(target).toString(), id, strength, lo, hi, steps, ls, b.object("region"));
    }

    /**
     * Writes the files (on the worker): the direction from {@code store}, the session's {@code
     * code} (made as {@code codeInfo} says), {@code region} (or null); {@code slider} gives the
     * session's editor for the export's layers, whose original is rendered already. Returns the
     * folder and its files.
     */
    Map<String, Object> write(Generator g, Latents code, Map<String, Object> codeInfo, DirectionStore store, Region region, Supplier<Editor> slider)
            throws IOException {
        Entry e = store.entry(direction);
        Discovered discovered = store.discovered();
        List<String> files = new ArrayList<>();
        Editor.Settings settings = Editor.Settings.defaults().withLayers(layers);
        RunRecord rec = RunRecord.of("ganfactor studio export");
        try (OutputDir dir = new OutputDir(target, false, "ganfactor studio")) {
            try (PointerScope s = new PointerScope()) {
                Directions dirs = store.exported(e);
                dirs.write(dir, "", false);
                code.save(dir.file("latents.npy"), g);
                double[] alphas = Editor.linspace(min, max, steps);
                String title = e.label() + " · layers " + Editor.layersLabel(layers, g.numLayers());
                EditJob.Plan plan = new EditJob.Plan(g, code, new double[][]{e.vector()}, new int[]{0}, alphas, null, settings, region, 128, null, false, title);
                List<EditJob.Outcome> outs = EditJob.run(plan, RunContext.QUIET, dir);
                Editor.Result one = slider.get().edit(e.vector(), new double[]{strength});
                Images.write(Images.toImage(one.images(), 0, one.channels(), one.height(), one.width()), dir.file("image.png"));
                Npy.writeFloat64(dir.file("edited_code.npy"), one.editedCodes(), 1, g.numLayers(), g.latentDim());
                rec.generator(g).latents(code).put("code", codeInfo);
                if (discovered != null) {
                    rec.put("discovery", RunRecord.ordered("method", discovered.method(), "region", discovered.region() == null ? null : RegionRequest.describe(discovered.region()),
                            "settings", discovered.settings()));
                }
                rec.put("direction", RunRecord.ordered("id", e.id(), "label", e.label(), "kind", e.kind(), "dim", e.vector().length,
                        "eigenvalue", Double.isFinite(e.eigenvalue()) ? e.eigenvalue() : null, "info", e.info()));
                rec.put("edit", RunRecord.ordered("mode", "relative", "mode_definition", "x + a n on the chosen layers", "layers", Editor.layersLabel(layers, g.numLayers()),
                        "strength", strength, "grid_strengths", alphas));
                if (region != null) rec.put("region", RegionRequest.describe(region));
                rec.put("results", outs.stream().map(EditJob.Outcome::record).toList());
                rec.put("files", RunRecord.ordered(
                        "directions.npy", "[k, D] float32, unit rows" + (dirs.count() > 1 ? " (the discovered directions, by descending eigenvalue)" : " (the chosen direction)"),
                        "eigenvalues.npy", "[k] float64",
                        "latents.npy", "the code, [1, d] or [1, L, d] float64",
                        "originals.npy", "[1, L, d] float64 (W+ codes)",
                        "grid_0.png", "edit grid: the original, then one column per grid strength",
                        "edited_0.npy", "[1, S, L, d] float64, the grid's codes",
                        "image.png", "the edited image at the slider's strength",
                        "edited_code.npy", "[1, L, d] float64, the edited code at the slider's strength"));
            }
            dir.writeString("studio.json", rec.json());
            dir.commit();
        }
        try (var st = Files.walk(target)) {
            st.filter(Files::isRegularFile).forEach(p -> files.add(target.relativize(p).toString()));
        }
        files.sort(null);
        return RunRecord.ordered("folder", folder, "files", files);
    }
}
