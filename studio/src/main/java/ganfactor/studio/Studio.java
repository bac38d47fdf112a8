package ganfactor.studio;

import ganfactor.InputException;
import ganfactor.edit.Editor;
import ganfactor.edit.Locality;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.io.BoundaryFiles;
import ganfactor.io.Npy;
import ganfactor.io.OutputDir;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.linalg.Linalg;
import ganfactor.linalg.TorchLinalg;
import ganfactor.method.Directions;
import ganfactor.method.GanSpace;
import ganfactor.method.InterFaceGan;
import ganfactor.method.LowRankGan;
import ganfactor.method.ReSeFa;
import ganfactor.method.Rpca;
import ganfactor.pipeline.Discovery;
import ganfactor.pipeline.EditJob;
import ganfactor.pipeline.Method;
import ganfactor.pipeline.MethodRequest;
import ganfactor.pipeline.Methods;
import ganfactor.pipeline.Setting;
import ganfactor.SettingException;
import ganfactor.pipeline.LocalEdit;
import ganfactor.pipeline.RunRecord;
import ganfactor.pipeline.Solver;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import ganfactor.render.Grid;
import ganfactor.render.Images;
import org.bytedeco.javacpp.PointerScope;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The studio's engine: one generator, one user. Everything that touches LibTorch (rendering,
 * discovery, projections) runs on one worker thread, each unit of work in its own PointerScope,
 * so one discovery or edit uses the engine at a time; while a discovery (a {@link Job}) runs, any
 * other engine request is answered "busy" (HTTP 409) at once. The session state (the code being
 * edited, the cached {@link Editor} and its original image, the loaded and discovered directions)
 * lives on that thread too; requests are checked completely before they change it, so a refused
 * request changes nothing.
 *
 * <p>The code is made as the CLI makes it ({@code Latents.fromSeed} with its truncation, or a row
 * of a {@code .npy}), the discovery calls the library as {@code ganfactor discover} does (the
 * Jacobian engine on the official view, then a {@link Solver}), edits are {@link Editor} edits in
 * relative mode (x + alpha n, so strength 0 is the original) and exports write the CLI's files
 * through an {@link OutputDir}.
 */
public final class Studio implements AutoCloseable {
    /** The working folder, the heartbeat timeout after which an unwatched job is cancelled, and the upload limit. */
    public record Config(Path workdir, long heartbeatMillis, long maxUploadBytes, boolean debug) {
        public static Config defaults(Path workdir) {
            return new Config(workdir, 10_000, 64L << 20, false);
        }

        public Config(Path workdir, long heartbeatMillis, long maxUploadBytes) {
            this(workdir, heartbeatMillis, maxUploadBytes, false);
        }
    }

    /** One direction the page can slide along. */
    record Entry(long id, String label, String kind, double[] vector, double eigenvalue, Map<String, Object> info) {
        Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("label", label);
            m.put("kind", kind);
            m.put("dim", vector.length);
            m.put("eigenvalue", Double.isFinite(eigenvalue) ? (Object) eigenvalue : null);
            return m;
        }
    }

    /** The last discovery: its method, region and settings, for the export's record. */
    record Discovered(String method, Region region, Map<String, Object> settings, List<Long> ids) {}

    /** The form fields named otherwise than the settings they set (the registry's settings are fields of their own names). */
    private static final Map<String, String> FIELDS = Map.of("truncation", "psi", "truncation-layers", "truncation_layers", "out", "folder");

    /** How the studio names a setting in a library message: its form field (else the setting's registry name), in quotes. */
    public static String field(String setting) {
        return "'" + FIELDS.getOrDefault(setting, setting) + "'";
    }

    /** The first line of a failure's message as the page shows it: the settings it names as the studio's {@link #field fields}. */
    public static String message(Throwable e) {
        return ganfactor.Messages.oneLine(e, Studio::field);
    }

    private static final int MAX_BOXES = 32;
    private static final int MAX_DIRECTIONS = 512;

    private final Generator g;
    private final ErrorLog errors;
    private final WorkFolder work;
    private final Config config;
    private final View view;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ganfactor-studio-engine");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ganfactor-studio-watchdog");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong ids = new AtomicLong();
    /** Direction ids: 0, 1, 2, ... in the order the directions arrive (their own sequence, not shared with jobs and uploads). */
    private final AtomicLong directionIds = new AtomicLong(-1);
    private final Map<Long, Job> jobs = new ConcurrentHashMap<>();
    private final Map<Long, Path> uploads = new ConcurrentHashMap<>();
    private final Object submitLock = new Object();
    private volatile Job running;
    private final Map<String, Object> info;

    // ---- session state: read and written on the worker thread only ----
    private Latents code;
    private Map<String, Object> codeInfo;
    private Editor editor;
    private String editorKey;
    private final List<Entry> directions = new ArrayList<>();
    private Discovered discovered;

    /** A studio over {@code g} (the studio does not close it), serving {@code config.workdir()}; starts with seed 0 in W. */
    public Studio(Generator g, Config config) {
        this.g = g;
        this.config = config;
        this.work = new WorkFolder(config.workdir());
        this.errors = new ErrorLog(work.root(), config.debug());
        this.view = View.defaultFor(g.channels(), g.height(), g.width());
        long beat = Math.max(100, config.heartbeatMillis() / 4);
        watchdog.scheduleAtFixedRate(this::checkHeartbeat, beat, beat, TimeUnit.MILLISECONDS);
        Body start = Body.parse("{\"seed\": 0, \"space\": \"w\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        onWorker(() -> setImageNow(start));
        this.info = java.util.Collections.unmodifiableMap(onWorker(this::computeInfo));
    }

    public Generator generator() { return g; }
    public WorkFolder workFolder() { return work; }
    public Config config() { return config; }

    // ---- what the page needs to draw its controls ----

    /** What the page needs (computed once on the worker thread: it reads the generator's attributes). */
    public Map<String, Object> info() {
        return info;
    }

    /** The registry as the page builds its form from it: each method, its settings with kind, default, choices and help. */
    static List<Object> methodsInfo() {
        List<Object> out = new ArrayList<>();
        for (Method m : Methods.ALL) {
            List<Object> settings = new ArrayList<>();
            for (Setting<?> st : m.settings())
                settings.add(RunRecord.ordered("name", st.name(), "kind", st.kind().name().toLowerCase(Locale.ROOT), "default", st.defaultLabel(),
                        "choices", st.choices(), "help", st.help()));
            out.add(RunRecord.ordered("name", m.name(), "regional", m.regional(), "summary", m.summary(), "settings", settings));
        }
        return out;
    }

    private Map<String, Object> computeInfo() {
        try (PointerScope scope = new PointerScope()) {   // the presets and part names are read from tensors
            return computeInfoIn();
        }
    }

    private Map<String, Object> computeInfoIn() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", g.source());
        m.put("device", g.device().label());
        m.put("latent_dim", g.latentDim());
        m.put("num_layers", g.numLayers());
        m.put("image", List.of(g.channels(), g.height(), g.width()));
        m.put("view", view.describe());
        m.put("presets", new ArrayList<>(Regions.generatorPresets(g).keySet()));
        m.put("ffhq_presets", new ArrayList<>(Regions.FFHQ.keySet()));
        m.put("parts", g.stringList("part_names"));
        m.put("methods", methodsInfo());
        m.put("max_strength", Editor.MAX_STRENGTH);
        m.put("working_folder", work.root().toString());
        m.put("max_upload_bytes", config.maxUploadBytes());
        m.put("heartbeat_ms", config.heartbeatMillis());
        return m;
    }

    // ---- the image ----

    /** {seed | path | upload (+ row)}, space, psi, truncation_layers: makes the code and renders it. */
    public Map<String, Object> setImage(Body b) {
        return onWorker(() -> setImageNow(b));
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
                throw StudioException.bad(message(e).replace(file.toString(), name));
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
    public Map<String, Object> upload(byte[] bytes, String name) {
        if (bytes.length > config.maxUploadBytes())
            throw new StudioException(413, "the upload has " + bytes.length + " bytes; the limit is " + config.maxUploadBytes());
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

    // ---- regions ----

    /**
     * A region from {boxes: [[x0, y0, x1, y1], ...] in image pixels} (their union), {preset:
     * NAME} (the generator's or, as ffhq:NAME, the FFHQ presets) or {part: NAME} (a demo part
     * mask), on the view grid. Boxes must lie inside the image.
     */
    Region region(Body r) {
        try (PointerScope s = new PointerScope()) {
            return parseRegion(r);
        }
    }

    private Region parseRegion(Body r) {
        if (r == null) throw StudioException.bad("a region is required: boxes, a preset or a part");
        int G = view.grid(), H = g.height(), W = g.width();
        int kinds = (r.has("boxes") ? 1 : 0) + (r.has("preset") ? 1 : 0) + (r.has("part") ? 1 : 0);
        if (kinds != 1) throw StudioException.bad("give the region as exactly one of boxes, preset or part");
        if (r.has("preset")) {
            String p = r.string("preset", null);
            boolean own = Regions.generatorPresets(g).containsKey(p);
            boolean ffhq = p.startsWith("ffhq:") && Regions.FFHQ.containsKey(p.substring(5));
            if (!own && !ffhq) throw StudioException.bad("unknown preset '" + p + "'");
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
            throw StudioException.bad(message(e));
        }
    }

    // ---- discovery ----

    /**
     * The request of {@code m} from the body's fields named as the registry's settings ({@code k},
     * {@code regularize}, {@code rpca-lambda}...); a field of another method's setting is refused,
     * and a refused value names its field.
     */
    public static MethodRequest request(Method m, Body b, List<Setting<?>> offered) {
        MethodRequest r = MethodRequest.of(m);
        try {
            for (Setting<?> s : Methods.settingsOf(Methods.ALL))
                if (b.has(s.name()) && (offered.contains(s) || m.setting(s.name()) == null)) r = r.with(s.name(), b.text(s.name()));
        } catch (SettingException e) {
            throw StudioException.bad(message(e));
        }
        return r;
    }

    /** Starts a discovery (409 when one runs); the page follows it with {@link #job}. */
    public Map<String, Object> discover(Body b) {
        Method method;
        try {
            method = Methods.named(b.string("method", Methods.RESEFA.name()));
        } catch (SettingException e) {
            throw StudioException.bad(message(e));
        }
        MethodRequest request = request(method, b, method.settings());
        int chunk = (int) b.integer("chunk", 0, 0, 1 << 16);
        Solver solver = request.solver(g.device());
        Body rb = b.object("region");
        // a global baseline ignores the region; a regional method needs one, checked now
        Region region = onWorker(() -> solver.regional() || rb != null ? region(rb) : null);   // LibTorch reads only on the worker
        Map<String, Object> settings = new LinkedHashMap<>(request.describe());
        settings.put("jacobian_chunk", chunk == 0 ? "auto" : chunk);
        int k = request.get(Methods.K);
        return startJob("discover", job -> runDiscovery(job, solver, region, k, chunk, settings));
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
        directions.removeIf(e -> e.kind().equals("discovered"));
        List<Long> newIds = new ArrayList<>();
        List<Object> listed = new ArrayList<>();
        for (int i = 0; i < dirs.count(); i++) {
            Entry e = new Entry(directionIds.incrementAndGet(), solver.name() + " " + i, "discovered", dirs.row(i), dirs.values()[i], dirs.info());
            directions.add(e);
            newIds.add(e.id());
            listed.add(e.describe());
        }
        Map<String, Object> st = new LinkedHashMap<>(settings);
        st.put("solve_info", dirs.info());
        st.put("seconds", timing);
        discovered = new Discovered(solver.name(), region, st, newIds);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", solver.name());
        m.put("region", region == null ? null : describe(region));
        m.put("directions", listed);
        m.put("seconds", timing);
        return m;
    }

    private Map<String, Object> describe(Region r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("origin", r.origin());
        m.put("grid", r.grid());
        m.put("pixels", r.count());
        if (r.box() != null) m.put("box", r.box());
        return m;
    }

    // ---- jobs ----

    interface Work {
        Map<String, Object> run(Job job);
    }

    /** The log of 5xx answers and internally failed jobs, with their stack traces. */
    public ErrorLog errors() {
        return errors;
    }

    private Map<String, Object> startJob(String kind, Work work) {
        synchronized (submitLock) {
            Job r = running;
            if (r != null && r.state() == Job.State.RUNNING)
                throw StudioException.busy("busy: " + r.kind() + " job " + r.id() + " is running (" + Math.round(100 * (double) r.describe().get("fraction")) + "%); cancel it or wait");
            Job job = new Job(ids.incrementAndGet(), kind);
            jobs.put(job.id(), job);
            running = job;
            worker.submit(() -> {
                try {
                    job.finish(work.run(job));
                } catch (CancellationException e) {
                    job.fail(Job.State.CANCELLED, "cancelled after " + job.passesDone() + " Jacobian passes; nothing changed");
                } catch (StudioException | InputException e) {
                    job.fail(Job.State.FAILED, message(e));
                } catch (Throwable e) {
                    String hint = errors.record("job " + job.id() + " (" + kind + ")", e);
                    job.fail(Job.State.FAILED, e.getClass().getSimpleName() + ": " + message(e) + hint);
                }
            });
            trimJobs();
            return job.describe();
        }
    }

    private void trimJobs() {
        if (jobs.size() <= 64) return;
        long oldest = jobs.keySet().stream().mapToLong(Long::longValue).min().orElse(0);
        Job j = jobs.get(oldest);
        if (j != null && j.state() != Job.State.RUNNING) jobs.remove(oldest);
    }

    /** A job's state; asking counts as the client's heartbeat. */
    public Map<String, Object> job(long id) {
        Job j = jobs.get(id);
        if (j == null) throw new StudioException(404, "no job " + id);
        j.seen();
        return j.describe();
    }

    public Map<String, Object> cancel(long id, String reason) {
        Job j = jobs.get(id);
        if (j == null) throw new StudioException(404, "no job " + id);
        j.cancel(reason);
        return j.describe();
    }

    /** The running job, or null. */
    public Job running() {
        Job r = running;
        return r != null && r.state() == Job.State.RUNNING ? r : null;
    }

    private void checkHeartbeat() {
        Job r = running();
        if (r != null && r.millisSinceSeen() > config.heartbeatMillis())
            r.cancel("no page asked about the job for " + config.heartbeatMillis() + " ms: the tab was closed");
    }

    // ---- directions ----

    public Map<String, Object> directions() {
        return onWorker(() -> {
            List<Object> l = new ArrayList<>();
            for (Entry e : directions) l.add(e.describe());
            return RunRecord.ordered("directions", l);
        });
    }

    /** The vector of a direction (for tests and exports). */
    public double[] vector(long id) {
        return onWorker(() -> entry(id).vector().clone());
    }

    private Entry entry(long id) {
        for (Entry e : directions) if (e.id() == id) return e;
        throw new StudioException(404, "no direction " + id);
    }

    private void addDirection(Entry e) {
        if (directions.size() >= MAX_DIRECTIONS) throw StudioException.bad("the studio holds " + MAX_DIRECTIONS + " directions; remove some first");
        directions.add(e);
    }

    /** Loads an InterFaceGAN boundary [1, d] (or [1, L d]) from a path in the working folder or an upload, as a unit direction. */
    public Map<String, Object> loadBoundary(Body b) {
        return onWorker(() -> {
            if (b.has("path") == b.has("upload")) throw StudioException.bad("give the boundary as a path in the working folder or an upload id");
            Path file = b.has("path") ? work.existingFile(b.string("path", null)) : upload(b.integer("upload", 0, 1, Long.MAX_VALUE));
            String name = b.has("path") ? b.string("path", null) : b.string("name", "upload " + b.integer("upload", 0, 1, Long.MAX_VALUE));
            double[] n;
            try {
                n = EditJob.boundaryForEdit(BoundaryFiles.readBoundary(file), g.latentDim(), g.numLayers());
            } catch (InputException e) {
                throw StudioException.bad(message(e).replace(file.toString(), name));
            }
            Entry e = new Entry(directionIds.incrementAndGet(), "boundary " + Path.of(name).getFileName(), "boundary", n, Double.NaN,
                    RunRecord.ordered("file", name));
            addDirection(e);
            return e.describe();
        });
    }

    /** InterFaceGAN's conditional boundary: the primal with the conditions' span removed, as a new direction. */
    public Map<String, Object> condition(Body b) {
        return onWorker(() -> {
            Entry primal = entry(b.requiredInteger("primal", 0, Long.MAX_VALUE));
            List<Long> cids = b.integers("conditions", 64);
            if (cids.isEmpty()) throw StudioException.bad("choose at least one boundary to condition on");
            List<double[]> cs = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (long c : cids) {
                if (c == primal.id()) throw StudioException.bad("a direction cannot be conditioned on itself");
                Entry e = entry(c);
                if (e.vector().length != primal.vector().length)
                    throw StudioException.bad(e.label() + " has " + e.vector().length + " values, " + primal.label() + " " + primal.vector().length);
                cs.add(e.vector());
                names.add(e.label());
            }
            double[] p;
            try {
                p = InterFaceGan.project(primal.vector(), cs);
            } catch (InputException e) {
                throw StudioException.bad(message(e));
            }
            double cos = InterFaceGan.cosine(primal.vector(), p);
            Entry e = new Entry(directionIds.incrementAndGet(), primal.label() + " | " + String.join(", ", names), "conditional", p, Double.NaN,
                    RunRecord.ordered("primal", primal.label(), "conditions", names, "cos_with_primal", cos));
            addDirection(e);
            Map<String, Object> m = e.describe();
            m.put("cos_with_primal", cos);
            return m;
        });
    }

    /** LowRankGAN's "make it local": the direction projected into the region's background null space (a job). */
    public Map<String, Object> localize(Body b) {
        long id = b.requiredInteger("direction", 0, Long.MAX_VALUE);
        Body rb = b.object("region");
        Region region = onWorker(() -> region(rb));   // LibTorch reads only on the worker
        LowRankGan.Options o = Methods.lowRankGan(request(Methods.LOWRANKGAN, b, Methods.nullSpaceSettings()));
        onWorker(() -> entry(id));   // 404 now, not in the job
        return startJob("localize", job -> {
            Entry src = entry(id);
            double[][] rows = {src.vector().clone()};
            LocalEdit.Result r = LocalEdit.project(g, code, region, view.grid(), rows, new int[]{0}, o, job.context());
            job.cancellation().check();
            Entry e = new Entry(directionIds.incrementAndGet(), src.label() + " local to " + region.name(), "local", rows[0], Double.NaN, r.record());
            addDirection(e);
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
    public Map<String, Object> edit(Body b) {
        long id = b.requiredInteger("direction", 0, Long.MAX_VALUE);
        double strength = b.number("strength", 0, -Editor.MAX_STRENGTH, Editor.MAX_STRENGTH);
        String layers = b.string("layers", "all");
        int[] ls = parseLayers(layers);
        Body rb = b.object("region");
        double scale = b.number("overlay_scale", 0, 0, 2);
        return onWorker(() -> {
            long t0 = System.nanoTime();
            Region region = rb == null ? null : region(rb);
            Entry e = entry(id);
            Editor ed = editorFor(ls);
            Editor.Result r;
            try (PointerScope s = new PointerScope()) {
                r = ed.edit(e.vector(), new double[]{strength});
            } catch (InputException x) {
                throw StudioException.bad(message(x));
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

    private int[] parseLayers(String spec) {
        try {
            return Editor.parseLayers(spec, g.numLayers());
        } catch (InputException e) {
            throw StudioException.bad(message(e));
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

    /**
     * Writes, into {@code folder} (new, inside the working folder), the CLI's files: {@code
     * directions.npy} [k, D] float32 and {@code eigenvalues.npy} (the discovered directions, or
     * the chosen one), {@code latents.npy} (the code, reference shape), the chosen direction's edit
     * as {@code ganfactor edit} writes it (originals.npy [1, L, d], grid_0.png, edited_0.npy [1, S,
     * L, d], and with a region mask_*.png and locality_0.*), {@code image.png} and {@code
     * edited_code.npy} [1, L, d] at the slider's strength, and the record {@code studio.json}.
     */
    public Map<String, Object> export(Body b) {
        String folder = b.string("folder", null);
        Path target = work.resolve(folder);
        if (Files.exists(target)) throw StudioException.bad("'" + folder + "' exists already; choose a new folder name");
        long id = b.requiredInteger("direction", 0, Long.MAX_VALUE);
        double strength = b.number("strength", 0, -Editor.MAX_STRENGTH, Editor.MAX_STRENGTH);
        double lo = b.number("min", -5, -Editor.MAX_STRENGTH, Editor.MAX_STRENGTH), hi = b.number("max", 5, -Editor.MAX_STRENGTH, Editor.MAX_STRENGTH);
        if (!(hi > lo)) throw StudioException.bad("the strength range needs min < max");
        int steps = (int) b.integer("steps", 7, 2, 21);
        int[] ls = parseLayers(b.string("layers", "all"));
        Body rb = b.object("region");
        return onWorker(() -> {
            Region region = rb == null ? null : region(rb);
            Entry e = entry(id);
            List<String> files = new ArrayList<>();
            Editor.Settings settings = Editor.Settings.defaults().withLayers(ls);
            RunRecord rec = RunRecord.of("ganfactor studio export");
            try (OutputDir dir = new OutputDir(target, false, "ganfactor studio")) {
                try (PointerScope s = new PointerScope()) {
                    Directions dirs = exportedDirections(e);
                    dirs.write(dir, "", false);
                    code.save(dir.file("latents.npy"), g);
                    double[] alphas = Editor.linspace(lo, hi, steps);
                    String title = e.label() + " · layers " + Editor.layersLabel(ls, g.numLayers());
                    EditJob.Plan plan = new EditJob.Plan(g, code, new double[][]{e.vector()}, new int[]{0}, alphas, null, settings, region, 128, null, false, title);
                    List<EditJob.Outcome> outs = EditJob.run(plan, ganfactor.pipeline.RunContext.QUIET, dir);
                    Editor.Result one = editorFor(ls).edit(e.vector(), new double[]{strength});   // the session's editor: its original is rendered already
                    Images.write(Images.toImage(one.images(), 0, one.channels(), one.height(), one.width()), dir.file("image.png"));
                    Npy.writeFloat64(dir.file("edited_code.npy"), one.editedCodes(), 1, g.numLayers(), g.latentDim());
                    rec.generator(g).latents(code).put("code", codeInfo);
                    if (discovered != null) {
                        rec.put("discovery", RunRecord.ordered("method", discovered.method(), "region", discovered.region() == null ? null : describe(discovered.region()),
                                "settings", discovered.settings()));
                    }
                    rec.put("direction", RunRecord.ordered("id", e.id(), "label", e.label(), "kind", e.kind(), "dim", e.vector().length,
                            "eigenvalue", Double.isFinite(e.eigenvalue()) ? e.eigenvalue() : null, "info", e.info()));
                    rec.put("edit", RunRecord.ordered("mode", "relative", "mode_definition", "x + a n on the chosen layers", "layers", Editor.layersLabel(ls, g.numLayers()),
                            "strength", strength, "grid_strengths", alphas));
                    if (region != null) rec.put("region", describe(region));
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
            return RunRecord.ordered("folder", work.root().relativize(target).toString(), "files", files);
        });
    }

    /** The discovered set when the chosen direction is one of them, else the chosen direction alone. */
    private Directions exportedDirections(Entry e) {
        if (discovered != null && discovered.ids().contains(e.id())) {
            List<Entry> set = directions.stream().filter(x -> discovered.ids().contains(x.id())).toList();
            int D = set.get(0).vector().length;
            double[] v = new double[set.size() * D];
            double[] vals = new double[set.size()];
            for (int i = 0; i < set.size(); i++) {
                System.arraycopy(set.get(i).vector(), 0, v, i * D, D);
                vals[i] = set.get(i).eigenvalue();
            }
            return new Directions(v, set.size(), D, vals, new LinkedHashMap<>());
        }
        double[] u = e.vector().clone();
        Directions.normaliseRows(u, 1, u.length);
        return new Directions(u, 1, u.length, new double[]{e.eigenvalue()}, new LinkedHashMap<>());
    }

    // ---- the worker ----

    /** Runs engine work on the worker thread and waits; 409 while a job runs. */
    <T> T onWorker(Callable<T> c) {
        Future<T> f;
        synchronized (submitLock) {
            Job r = running();
            if (r != null) throw StudioException.busy("busy: " + r.kind() + " job " + r.id() + " is running; cancel it or wait");
            f = worker.submit(c);
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StudioException(503, "interrupted");
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error er) throw er;
            throw new StudioException(500, t.getClass().getSimpleName() + ": " + message(t));
        }
    }

    /** Cancels any job, stops the threads and removes the uploads (the generator stays open: its owner closes it). */
    @Override
    public void close() {
        Job r = running();
        if (r != null) r.cancel("the studio is shutting down");
        watchdog.shutdownNow();
        worker.shutdown();
        try {
            worker.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Path p : uploads.values()) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temporary file; deleteOnExit is the fallback
            }
        }
    }
}
