package ganfactor.pipeline;

import ganfactor.Engine;
import ganfactor.generator.Generator;
import ganfactor.generator.Latents;
import ganfactor.io.Json;
import ganfactor.region.Region;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON record every run writes beside its results, built in one place: which tool, when,
 * which model (with its architecture, precision and conv-clamp provenance), which latent codes,
 * then the run's own sections in the order they are put, and last the versions of everything
 * that produced it ({@link Engine#info()}: ganfactor's own version included).
 */
public final class RunRecord {
    private final Map<String, Object> m = new LinkedHashMap<>();
    private final long started = System.nanoTime();

    private RunRecord(String tool) {
        m.put("tool", tool);
        m.put("created", Instant.now().toString());
    }

    /** A record for {@code tool} (for example "ganfactor discover"), dated now. */
    public static RunRecord of(String tool) {
        return new RunRecord(tool);
    }

    /** The model: its source, latent size, layers, output shape and precision, and its conv clamp. */
    public RunRecord generator(Generator g) {
        m.put("model", g.source());
        m.put("generator", ordered("latent_dim", g.latentDim(), "num_layers", g.numLayers(), "output", List.of(g.channels(), g.height(), g.width()),
                "precision", g.dtype().toString().toLowerCase(java.util.Locale.ROOT)));
        m.put("conv_clamp", g.convClampRecord());
        return this;
    }

    /** The codes: space, dimension, where they came from, how many. */
    public RunRecord latents(Latents lat) {
        m.put("space", lat.space().label());
        m.put("dim", lat.dim());
        m.put("latents", lat.origin());
        m.put("samples", lat.count());
        return this;
    }

    /** The regions: name, origin, box when there is one, pixel count. */
    public RunRecord regions(List<Region> rs) {
        m.put("regions", rs.stream().map(r -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", r.name());
            e.put("origin", r.origin());
            if (r.box() != null) e.put("box", r.box());
            e.put("pixels", r.count());
            return e;
        }).toList());
        return this;
    }

    public RunRecord put(String key, Object value) {
        m.put(key, value);
        return this;
    }

    public RunRecord putAll(Map<String, ?> entries) {
        m.putAll(entries);
        return this;
    }

    /** Seconds since this record was started. */
    public double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    /** The finished record (versions last). */
    public Map<String, Object> finish() {
        m.put("versions", ganfactor.torch.Devices.info());
        return m;
    }

    /** The finished record as JSON text. */
    public String json() {
        return Json.write(finish());
    }

    /** A map in the order given, for the record's sections. */
    public static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> o = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) o.put((String) kv[i], kv[i + 1]);
        return o;
    }
}
