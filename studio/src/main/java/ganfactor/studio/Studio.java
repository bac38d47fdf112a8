package ganfactor.studio;

import ganfactor.SettingException;
import ganfactor.edit.Editor;
import ganfactor.generator.Generator;
import ganfactor.pipeline.Method;
import ganfactor.pipeline.MethodRequest;
import ganfactor.pipeline.Methods;
import ganfactor.pipeline.RunRecord;
import ganfactor.pipeline.Setting;
import ganfactor.region.Regions;
import org.bytedeco.javacpp.PointerScope;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The studio's engine as the HTTP layer and the tests call it: one generator, one user. It wires
 * the {@link Session} (what the user has open: the code, the cached editor and its original
 * image, the directions, the uploads; and the operations on them) to the {@link Jobs} (the one
 * worker thread on which everything that touches LibTorch runs, each unit of work in its own
 * PointerScope; while a discovery or "make it local" {@link Job} runs, any other engine request
 * is answered "busy", HTTP 409, at once). It keeps what belongs to neither: the page's
 * {@link #info}, the form's reading of the method registry ({@link #request}) and the wording of
 * failures ({@link #message}). A refused request changes nothing.
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

    private final Generator g;
    private final ErrorLog errors;
    private final WorkFolder work;
    private final Config config;
    private final Jobs jobs;
    private final Session session;
    private final Map<String, Object> info;

    /** A studio over {@code g} (the studio does not close it), serving {@code config.workdir()}; starts with seed 0 in W. */
    public Studio(Generator g, Config config) {
        this.g = g;
        this.config = config;
        this.work = new WorkFolder(config.workdir());
        this.errors = new ErrorLog(work.root(), config.debug());
        AtomicLong ids = new AtomicLong();   // one sequence for job and upload ids
        this.jobs = new Jobs(config.heartbeatMillis(), errors, ids);
        this.session = new Session(g, work, config.maxUploadBytes(), jobs, ids);
        this.info = Collections.unmodifiableMap(jobs.onWorker(this::computeInfo));
    }

    public Generator generator() { return g; }
    public WorkFolder workFolder() { return work; }
    public Config config() { return config; }

    /** The log of 5xx answers and internally failed jobs, with their stack traces. */
    public ErrorLog errors() {
        return errors;
    }

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
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", g.source());
            m.put("device", g.device().label());
            m.put("latent_dim", g.latentDim());
            m.put("num_layers", g.numLayers());
            m.put("image", List.of(g.channels(), g.height(), g.width()));
            m.put("view", session.view().describe());
            m.put("presets", new ArrayList<>(Regions.generatorPresets(g).keySet()));
            m.put("ffhq_presets", new ArrayList<>(Regions.FFHQ.keySet()));
            m.put("reference_presets", Regions.tablePresets());
            m.put("parts", g.stringList("part_names"));
            m.put("methods", methodsInfo());
            m.put("max_strength", Editor.MAX_STRENGTH);
            m.put("working_folder", work.root().toString());
            m.put("max_upload_bytes", config.maxUploadBytes());
            m.put("heartbeat_ms", config.heartbeatMillis());
            return m;
        }
    }

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

    // ---- the session ----

    /** {seed | path | upload (+ row)}, space, psi, truncation_layers: makes the code and renders it. */
    public Map<String, Object> setImage(Body b) {
        return session.setImage(b);
    }

    /** Keeps an uploaded .npy (latent codes or a boundary) in a private temporary file; returns its id. */
    public Map<String, Object> upload(byte[] bytes, String name) {
        return session.upload(bytes, name);
    }

    /** Starts a discovery (409 when one runs); the page follows it with {@link #job}. */
    public Map<String, Object> discover(Body b) {
        return session.discover(b);
    }

    /** The directions the sliders move along. */
    public Map<String, Object> directions() {
        return session.directions();
    }

    /** The vector of a direction (for tests and exports). */
    public double[] vector(long id) {
        return session.vector(id);
    }

    /** Loads an InterFaceGAN boundary [1, d] (or [1, L d]) from a path in the working folder or an upload, as a unit direction. */
    public Map<String, Object> loadBoundary(Body b) {
        return session.loadBoundary(b);
    }

    /** InterFaceGAN's conditional boundary: the primal with the conditions' span removed, as a new direction. */
    public Map<String, Object> condition(Body b) {
        return session.condition(b);
    }

    /** LowRankGAN's "make it local": the direction projected into the region's background null space (a job). */
    public Map<String, Object> localize(Body b) {
        return session.localize(b);
    }

    /**
     * One slider position: the code moved by {@code strength} along direction {@code direction} on
     * {@code layers} ("all", "2-5"), rendered, with the change overlay and, given a region, the
     * mean squared change inside and outside it and their ratio.
     */
    public Map<String, Object> edit(Body b) {
        return session.edit(b);
    }

    /** Writes the CLI's files for the chosen direction into a new folder inside the working folder (see {@link Export}). */
    public Map<String, Object> export(Body b) {
        return session.export(b);
    }

    // ---- the jobs ----

    /** A job's state; asking counts as the client's heartbeat. */
    public Map<String, Object> job(long id) {
        return jobs.job(id);
    }

    /** A job's spans so far as Chrome trace-event JSON (GET /api/job/{id}/trace). */
    public String trace(long id) {
        return jobs.trace(id);
    }

    /** Asks a job to stop at its next check, for {@code reason}; returns its state. */
    public Map<String, Object> cancel(long id, String reason) {
        return jobs.cancel(id, reason);
    }

    /** The running job, or null. */
    public Job running() {
        return jobs.running();
    }

    /** Cancels any job, stops the threads and removes the uploads (the generator stays open: its owner closes it). */
    @Override
    public void close() {
        jobs.close();
        session.close();
    }
}
