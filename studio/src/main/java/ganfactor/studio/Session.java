package ganfactor.studio;

import ganfactor.InputException;
import ganfactor.SettingException;
import ganfactor.edit.Editor;
import ganfactor.edit.Locality;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.io.BoundaryFiles;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.method.Directions;
import ganfactor.method.InterFaceGan;
import ganfactor.method.LowRankGan;
import ganfactor.pipeline.Discovery;
import ganfactor.pipeline.EditJob;
import ganfactor.pipeline.LocalEdit;
import ganfactor.pipeline.Method;
import ganfactor.pipeline.MethodRequest;
import ganfactor.pipeline.Methods;
import ganfactor.pipeline.RunRecord;
import ganfactor.pipeline.Solver;
import ganfactor.region.Region;
import ganfactor.region.View;
import ganfactor.studio.DirectionStore.Entry;
import org.bytedeco.javacpp.PointerScope;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the user has open in the studio: the generator, the code being edited (made as the CLI
 * makes it: {@code Latents.fromSeed} with its truncation, or a row of a {@code .npy}) and how it
 * was made, the cached {@link Editor} with its rendered original, the {@link DirectionStore}, and
 * the uploads; and the operations on them. This state is read and written on the {@link Jobs}
 * worker thread only (short operations through {@link Jobs#onWorker}, discovery and "make it
 * local" as {@link Job}s); each operation checks its request completely before it changes
 * anything, so a refused request changes nothing.
 *
 * <p>The discovery calls the library as {@code ganfactor discover} does (the Jacobian engine on
 * the official view, then a {@link Solver}), edits are {@link Editor} edits in relative mode (x +
 * alpha n, so strength 0 is the original) and exports write the CLI's files through an
 * {@code OutputDir} (see {@link Export}).
 */
final class Session implements AutoCloseable {
    private final Generator g;
    private final WorkFolder work;
    private final long maxUploadBytes;
    private final View view;
    private final Jobs jobs;
    /** Upload ids: the sequence the job ids come from too. */
    private final AtomicLong ids;
    private final Map<Long, Path> uploads = new ConcurrentHashMap<>();

    // ---- read and written on the worker thread only ----
    private final DirectionStore store = new DirectionStore();
    private Latents code;
    private Map<String, Object> codeInfo;
    private Editor editor;
    private String editorKey;

    /** A session over {@code g} in {@code work}, its engine work on {@code jobs}; starts with seed 0 in W. */
    Session(Generator g, WorkFolder work, long maxUploadBytes, Jobs jobs, AtomicLong ids) {
        this.g = g;
        this.work = work;
        this.maxUploadBytes = maxUploadBytes;
        this.jobs = jobs;
        this.ids = ids;
        this.view = View.defaultFor(g.channels(), g.height(), g.width());
        Body start = Body.parse("{\"seed\": 0, \"space\": \"w\"}".getBytes(StandardCharsets.UTF_8));
        jobs.onWorker(() -> setImageNow(start));
    }

    /** The official view the regions and the Jacobians use. */
    View view() {
        return view;
    }

    // ---- the image ----

    /** {seed | path | upload (+ row)}, space, psi, truncation_layers: makes the code and renders it. */
    Map<String, Object> setImage(Body b) {
        return jobs.onWorker(() -> setImageNow(b));
    }

    private Map<String, Object> setImageNow(Body b) {
        try (PointerScope scope = new PointerScope()) {   // the code's tensors (z, mapping) and the Editor's temporaries
            return setImageIn(b);
        }
    }

    private Map<String, Object> setImageIn(Body b) {
        LatentSpace space = parseSpace(b.string("space", "w"));
        int L = g.numLayers();
        double psi = b.number("psi", 1.0, -2, 2);
        int t = (int) b.integer("truncation_layers", L, 0, L);
        Latents lat;
        Map<String, Object> info = new LinkedHashMap<>();
        if (b.has("path") || b.has("upload")) {
            if (b.has("seed")) throw StudioException.bad("give a seed or a latent file, not both");
            Path file = b.has("path") ? work.existingFile(b.string("path", null)) : upload(b.integer("upload", 0, 1, Long.MAX_VALUE));
            String name = b.has("path") ? b.string("path", null) : "upload " + b.integer("upload", 0, 1, Long.MAX_VALUE);
            Latents all;
            try {
                all = Latents.fromFile(g, space, file);
            } catch (InputException e) {
                throw StudioException.bad(Studio.message(e).replace(file.toString(), name));
            }
            int row = (int) b.integer("row", 0, 0, all.count() - 1);
            if (psi != 1.0) throw StudioException.bad("truncation applies to codes drawn from a seed; truncate the codes in the file beforehand");
            lat = all.subset(new int[]{row});
            lat = new Latents(lat.codes(), 1, lat.dim(), lat.space(), name + ", row " + row);
            info.put("file", name);
            info.put("row", row);
            info.put("rows", all.count());
        } else {
            long seed = b.integer("seed", 0, 0, 0xffffffffL);
            if (space == LatentSpace.W && psi != 1.0 && t < L)
                throw StudioException.bad("truncation on the first " + t + " of " + L + " layers makes the code differ per layer: use space wp");
            if (space == LatentSpace.Z && psi != 1.0) throw StudioException.bad("truncation applies to W or W+ codes, not to Z");
            lat = Latents.fromSeed(g, space, seed, 1, psi, t);
            info.put("seed", seed);
        }
        info.put("space", space.label());
        info.put("psi", psi);
        info.put("truncation_layers", t);
        info.put("origin", lat.origin());
        Editor e = new Editor(g, lat, Editor.Settings.defaults());
        // all checked and rendered: now the session changes
        code = lat;
        codeInfo = info;
        editor = e;
        editorKey = "all";
        Map<String, Object> m = new LinkedHashMap<>(info);
        m.put("image", Pictures.dataUrl(e.originals(), 0, g.channels(), g.height(), g.width()));
        m.put("code_dim", lat.dim());
        return m;
    }

    private static LatentSpace parseSpace(String s) {
        try {
            return LatentSpace.parse(s);
        } catch (InputException e) {
            throw StudioException.bad("unknown latent space '" + s + "': expected z, w or wp");
        }
    }

    // ---- uploads ----

    /** Keeps an uploaded .npy (latent codes or a boundary) in a private temporary file; returns its id. */
    Map<String, Object> upload(byte[] bytes, String name) {
        if (bytes.length > maxUploadBytes)
            throw new StudioException(413, "the upload has " + bytes.length + " bytes; the limit is " + maxUploadBytes);
        if (bytes.length < 10 || bytes[0] != (byte) 0x93 || bytes[1] != 'N' || bytes[2] != 'U' || bytes[3] != 'M' || bytes[4] != 'P' || bytes[5] != 'Y')
            throw StudioException.bad("the upload is not a .npy file (it does not start with \\x93NUMPY)");
        long id = ids.incrementAndGet();
        try {
            Path tmp = Files.createTempFile("ganfactor-studio-upload-", ".npy");
            Files.write(tmp, bytes);
            tmp.toFile().deleteOnExit();
            uploads.put(id, tmp);
        } catch (IOException e) {
            throw new StudioException(500, "cannot keep the upload: " + e.getMessage());
        }
        return RunRecord.ordered("upload", id, "bytes", bytes.length, "name", name == null ? "" : name);
    }

    private Path upload(long id) {
        Path p = uploads.get(id);
        if (p == null) throw new StudioException(404, "no upload " + id);
        return p;
    }

    // ---- discovery ----

    /** Starts a discovery (409 when one runs); the page follows it with {@link Jobs#job}. */
    Map<String, Object> discover(Body b) {
        Method method;
        try {
            method = Methods.named(b.string("method", Methods.RESEFA.name()));
        } catch (SettingException e) {
            throw StudioException.bad(Studio.message(e));
        }
        MethodRequest request = Studio.request(method, b, method.settings());
        int chunk = (int) b.integer("chunk", 0, 0, 1 << 16);
        Solver solver = request.solver(g.device());
        Body rb = b.object("region");
        // a global baseline ignores the region; a regional method needs one, checked now
        Region region = jobs.onWorker(() -> solver.regional() || rb != null ? region(rb) : null);   // LibTorch reads only on the worker
        Map<String, Object> settings = new LinkedHashMap<>(request.describe());
        settings.put("jacobian_chunk", chunk == 0 ? "auto" : chunk);
        int k = request.get(Methods.K);
        return jobs.startJob("discover", job -> runDiscovery(job, solver, region, k, chunk, settings));
    }

    private Map<String, Object> runDiscovery(Job job, Solver solver, Region region, int k, int chunk, Map<String, Object> settings) {
        Latents lat = code;
        Directions dirs;
        Map<String, Object> timing = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        try (PointerScope s = new PointerScope()) {
            if (solver.regional()) {
                // the discovery core's stage: the same Jacobian options and region rows as discover and Spark
                JacobianEngine.Options base = new JacobianEngine.Options();
                base.chunk = chunk;
                JacobianEngine.Options jo = Discovery.stageOptions(base, solver, lat.dim(), view, List.of(region), job.context());
                JacobianEngine.Result res = JacobianEngine.compute(g, lat.row(0), lat.space(), view, List.of(region), jo);
                timing.put("jacobian", (System.nanoTime() - t0) / 1e9);
                Discovery.Solved solved = Discovery.solveRegions(res, solver, g, job.context());
                dirs = solved.directions().get(0);
                timing.put("solve", solved.solveSeconds()[0]);
            } else {
                job.begin(solver.name(), 0);
                dirs = solver.solve(Solver.Problem.global(g, job.context()));
                timing.put("solve", (System.nanoTime() - t0) / 1e9);
            }
        }
        job.cancellation().check();
        if (k > 0) dirs = dirs.top(k);
        // the session changes only now, with the whole result at hand
        Map<String, Object> st = new LinkedHashMap<>(settings);
        st.put("solve_info", dirs.info());
        st.put("seconds", timing);
        List<Object> listed = store.replaceDiscovered(solver.name(), region, st, dirs);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", solver.name());
        m.put("region", region == null ? null : RegionRequest.describe(region));
        m.put("directions", listed);
        m.put("seconds", timing);
        return m;
    }

    /** The region {@code rb} names (on the worker). */
    private Region region(Body rb) {
        return RegionRequest.parse(rb, g, view);
    }

    // ---- directions ----

    Map<String, Object> directions() {
        return jobs.onWorker(() -> RunRecord.ordered("directions", store.describe()));
    }

    /** The vector of a direction (for tests and exports). */
    double[] vector(long id) {
        return jobs.onWorker(() -> store.entry(id).vector().clone());
    }

    /** Loads an InterFaceGAN boundary [1, d] (or [1, L d]) from a path in the working folder or an upload, as a unit direction. */
    Map<String, Object> loadBoundary(Body b) {
        return jobs.onWorker(() -> {
            if (b.has("path") == b.has("upload")) throw StudioException.bad("give the boundary as a path in the working folder or an upload id");
            Path file = b.has("path") ? work.existingFile(b.string("path", null)) : upload(b.integer("upload", 0, 1, Long.MAX_VALUE));
            String name = b.has("path") ? b.string("path", null) : b.string("name", "upload " + b.integer("upload", 0, 1, Long.MAX_VALUE));
            double[] n;
            try {
                n = EditJob.boundaryForEdit(BoundaryFiles.readBoundary(file), g.latentDim(), g.numLayers());
            } catch (InputException e) {
                throw StudioException.bad(Studio.message(e).replace(file.toString(), name));
            }
            return store.add("boundary " + Path.of(name).getFileName(), "boundary", n, Double.NaN, RunRecord.ordered("file", name)).describe();
        });
    }

    /** InterFaceGAN's conditional boundary: the primal with the conditions' span removed, as a new direction. */
    Map<String, Object> condition(Body b) {
        return jobs.onWorker(() -> {
            Entry primal = store.entry(b.requiredInteger("primal", 0, Long.MAX_VALUE));
            List<Long> cids = b.integers("conditions", 64);
            if (cids.isEmpty()) throw StudioException.bad("choose at least one boundary to condition on");
            List<double[]> cs = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (long c : cids) {
                if (c == primal.id()) throw StudioException.bad("a direction cannot be conditioned on itself");
                Entry e = store.entry(c);
                if (e.vector().length != primal.vector().length)
                    throw StudioException.bad(e.label() + " has " + e.vector().length + " values, " + primal.label() + " " + primal.vector().length);
                cs.add(e.vector());
                names.add(e.label());
            }
            double[] p;
            try {
                p = InterFaceGan.project(primal.vector(), cs);
            } catch (InputException e) {
                throw StudioException.bad(Studio.message(e));
            }
            double cos = InterFaceGan.cosine(primal.vector(), p);
            Entry e = store.add(primal.label() + " | " + String.join(", ", names), "conditional", p, Double.NaN,
                    RunRecord.ordered("primal", primal.label(), "conditions", names, "cos_with_primal", cos));
            Map<String, Object> m = e.describe();
            m.put("cos_with_primal", cos);
            return m;
        });
    }

    /** LowRankGAN's "make it local": the direction projected into the region's background null space (a job). */
    Map<String, Object> localize(Body b) {
        long id = b.requiredInteger("direction", 0, Long.MAX_VALUE);
        Body rb = b.object("region");
        Region region = jobs.onWorker(() -> region(rb));   // LibTorch reads only on the worker
        LowRankGan.Options o = Methods.lowRankGan(Studio.request(Methods.LOWRANKGAN, b, Methods.nullSpaceSettings()));
        jobs.onWorker(() -> store.entry(id));   // 404 now, not in the job
        return jobs.startJob("localize", job -> {
            Entry src = store.entry(id);
            double[][] rows = {src.vector().clone()};
            LocalEdit.Result r = LocalEdit.project(g, code, region, view.grid(), rows, new int[]{0}, o, job.context());
            job.cancellation().check();
            Entry e = store.add(src.label() + " local to " + region.name(), "local", rows[0], Double.NaN, r.record());
            Map<String, Object> m = e.describe();
            m.put("null_space_dimension", r.nullSpaceDimension());
            return RunRecord.ordered("directions", List.of(m), "null_space_dimension", r.nullSpaceDimension());
        });
    }

    // ---- editing ----

    /**
     * One slider position: the code moved by {@code strength} along direction {@code direction} on
     * {@code layers} ("all", "2-5"), rendered, with the change overlay and, given a region, the
     * mean squared change inside and outside it and their ratio.
     */
    Map<String, Object> edit(Body b) {
        long id = b.requiredInteger("direction", 0, Long.MAX_VALUE);
        double strength = b.number("strength", 0, -Editor.MAX_STRENGTH, Editor.MAX_STRENGTH);
        String layers = b.string("layers", "all");
        int[] ls = parseLayers(layers, g.numLayers());
        Body rb = b.object("region");
        double scale = b.number("overlay_scale", 0, 0, 2);
        return jobs.onWorker(() -> {
            long t0 = System.nanoTime();
            Region region = rb == null ? null : region(rb);
            Entry e = store.entry(id);
            Editor ed = editorFor(ls);
            Editor.Result r;
            try (PointerScope s = new PointerScope()) {
                r = ed.edit(e.vector(), new double[]{strength});
            } catch (InputException x) {
                throw StudioException.bad(Studio.message(x));
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("direction", id);
            m.put("strength", strength);
            m.put("layers", Editor.layersLabel(ed.layers(), g.numLayers()));
            m.put("image", Pictures.dataUrl(r.images(), 0, r.channels(), r.height(), r.width()));
            double[] max = new double[1];
            float[] orig = r.originals();
            var over = Pictures.overlay(r.images(), orig, r.channels(), r.height(), r.width(), scale, max);   // scale 0: the largest change is opaque
            m.put("overlay", Pictures.dataUrl(over));
            m.put("max_change", max[0]);
            if (region != null) {
                Locality.Measurement lm = Locality.measure(r, region, 0);
                m.put("mse_inside", lm.inside()[0]);
                m.put("mse_outside", lm.outside()[0]);
                double ratio = lm.ratio();
                m.put("ratio", Double.isFinite(ratio) ? (Object) ratio : Locality.formatRatio(ratio));
            }
            m.put("ms", (System.nanoTime() - t0) / 1e6);
            return m;
        });
    }

    /** The layers {@code spec} names ("all", "2-5") of {@code numLayers}; 400 naming the mistake. */
    static int[] parseLayers(String spec, int numLayers) {
        try {
            return Editor.parseLayers(spec, numLayers);
        } catch (InputException e) {
            throw StudioException.bad(Studio.message(e));
        }
    }

    /** The cached editor for these layers (re-made, rendering the original once, only when they change). */
    private Editor editorFor(int[] layers) {
        String key = Editor.layersLabel(layers, g.numLayers());
        if (!key.equals(editorKey)) {
            try (PointerScope s = new PointerScope()) {
                editor = new Editor(g, code, Editor.Settings.defaults().withLayers(layers));
            }
            editorKey = key;
        }
        return editor;
    }

    // ---- export ----

    /** Writes an {@link Export} (its fields are checked first, then it runs on the worker); returns the folder and its files. */
    Map<String, Object> export(Body b) {
        Export x = Export.of(b, work, g.numLayers());
        return jobs.onWorker(() -> {
            Region region = x.region() == null ? null : region(x.region());
            return x.write(g, code, codeInfo, store, region, () -> editorFor(x.layers()));   // the session's editor: its original is rendered already
        });
    }

    /** Removes the uploads' temporary files (call after the worker has stopped). */
    @Override
    public void close() {
        for (Path p : uploads.values()) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temporary file; deleteOnExit is the fallback
            }
        }
    }
}
