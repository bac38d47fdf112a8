package ganfactor.studio;

import com.fasterxml.jackson.core.JsonProcessingException;
import ganfactor.Failure;
import ganfactor.InputException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.staticfiles.Location;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/**
 * The studio's web server (Javalin on Jetty): the page (plain HTML, CSS and JS from the jar, under
 * {@code /ganfactor/studio/web}) and its JSON API over one {@link Studio}. Every answer is JSON;
 * a refused request is a 4xx with {@code {"error": "one line"}}. It listens on the loopback
 * address unless told otherwise.
 *
 * <pre>
 *   GET  /api/info                 model, presets, parts, limits
 *   POST /api/image                {seed | path | upload, row, space, psi, truncation_layers}
 *   POST /api/upload?name=N        raw .npy bytes (at most the upload limit) -> {upload: id}
 *   POST /api/discover             {method, region, k, regularize, eps, tau, lambda, chunk} -> job (409 when busy)
 *   GET  /api/job/{id}             progress (also the page's heartbeat)
 *   POST /api/job/{id}/cancel      stops the Jacobian passes at the next one
 *   GET  /api/job/{id}/trace       the job's spans, Chrome trace-event JSON (save it, open it in Perfetto)
 *   GET  /api/directions           the directions the sliders move along
 *   POST /api/edit                 {direction, strength, layers, region} -> image, overlay, inside/outside
 *   POST /api/boundary             {path | upload} an InterFaceGAN boundary as a direction
 *   POST /api/condition            {primal, conditions} InterFaceGAN's conditional boundary
 *   POST /api/localize             {direction, region} LowRankGAN's null-space projection (a job)
 *   POST /api/export               {folder, direction, strength, min, max, steps, layers, region}
 * </pre>
 */
public final class StudioServer implements AutoCloseable {
    /** JSON bodies other than uploads are small; anything larger is refused before it is read. */
    static final Long MAX_JSON_BYTES = 1L << 20;

    private final Studio studio;
    private final Javalin app;
    private final String host;

    private StudioServer(Studio studio, Javalin app, String host) {
        this.studio = studio;
        this.app = app;
        this.host = host;
    }

    /** Starts serving {@code studio} on {@code host:port} (port 0: any free port). */
    public static StudioServer start(Studio studio, String host, int port) {
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new InputException("--host " + host + ": unknown host");
        }
        long uploadLimit = studio.config().maxUploadBytes();
        Javalin app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.http.maxRequestSize = Math.max(uploadLimit, MAX_JSON_BYTES);
            cfg.jetty.host = host;
            cfg.jetty.port = port;
            cfg.staticFiles.add(sf -> {
                sf.hostedPath = "/";
                sf.directory = "/ganfactor/studio/web";
                sf.location = Location.CLASSPATH;
            });
            var r = cfg.routes;
            r.get("/api/info", json(ctx -> studio.info()));
            r.post("/api/image", json(ctx -> studio.setImage(body(ctx))));
            r.post("/api/upload", ctx -> {
                long n = ctx.contentLength();
                if (n > uploadLimit) throw tooLarge(ctx, "the upload has " + n + " bytes; the limit is " + uploadLimit);
                send(ctx, studio.upload(ctx.bodyAsBytes(), ctx.queryParam("name")));
            });
            r.post("/api/discover", json(ctx -> studio.discover(body(ctx))));
            r.get("/api/job/{id}", json(ctx -> studio.job(id(ctx))));
            r.get("/api/job/{id}/trace", ctx -> ctx.contentType("application/json").result(studio.trace(id(ctx))));
            r.post("/api/job/{id}/cancel", json(ctx -> studio.cancel(id(ctx), ctx.queryParam("reason") != null ? "the page: " + ctx.queryParam("reason") : "the Cancel button")));
            r.get("/api/directions", json(ctx -> studio.directions()));
            r.post("/api/edit", json(ctx -> studio.edit(body(ctx))));
            r.post("/api/boundary", json(ctx -> studio.loadBoundary(body(ctx))));
            r.post("/api/condition", json(ctx -> studio.condition(body(ctx))));
            r.post("/api/localize", json(ctx -> studio.localize(body(ctx))));
            r.post("/api/export", json(ctx -> studio.export(body(ctx))));
            r.exception(StudioException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
            r.exception(InputException.class, (e, ctx) -> error(ctx, 400, Studio.message(e)));
            r.exception(Exception.class, (e, ctx) -> {   // the library's one classification (as the CLI's exit codes)
                Failure f = Failure.of(e, Studio::field);
                switch (f.kind()) {
                    case INPUT -> error(ctx, 400, f.message());
                    case CANCELLED, CONFLICT -> error(ctx, 409, f.message());
                    case OUT_OF_MEMORY -> error(ctx, 503, f.message() + "; try a smaller JVP chunk" + studio.errors().record(ctx.method() + " " + ctx.path(), e));
                    case NATIVE -> error(ctx, 500, f.message() + studio.errors().record(ctx.method() + " " + ctx.path(), e));
                    case INTERNAL -> error(ctx, 500, "internal error: " + f.message() + studio.errors().record(ctx.method() + " " + ctx.path(), e));
                }
            });
            r.error(404, ctx -> {
                if (ctx.path().startsWith("/api/") && ctx.result() == null) error(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path());
            });
            r.error(413, ctx -> error(ctx, 413, "the request is larger than the limit of " + Math.max(uploadLimit, MAX_JSON_BYTES) + " bytes"));
        });
        app.start();
        return new StudioServer(studio, app, host);
    }

    public int port() {
        return app.port();
    }

    /** The page's address. */
    public String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + h + ":" + port() + "/";
    }

    public Studio studio() {
        return studio;
    }

    interface JsonHandler {
        Object handle(Context ctx) throws Exception;
    }

    private static Handler json(JsonHandler h) {
        return ctx -> send(ctx, h.handle(ctx));
    }

    private static void send(Context ctx, Object value) throws JsonProcessingException {
        ctx.contentType("application/json").result(Body.mapper().writeValueAsString(value));
    }

    /**
     * A 413 for a body over its limit. A body of up to {@link #DRAIN_LIMIT} is read and dropped
     * first, so that a client still sending it gets the 413 rather than a connection closed under
     * it (which HTTP clients report as a reset, not as the answer); a larger one is not read.
     */
    private static StudioException tooLarge(Context ctx, String message) {
        if (ctx.contentLength() <= DRAIN_LIMIT) {
            try (var in = ctx.req().getInputStream()) {
                byte[] buf = new byte[64 << 10];
                long left = DRAIN_LIMIT;
                for (int r; left > 0 && (r = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0; ) left -= r;
            } catch (java.io.IOException ignored) {
                // the client went away: nothing to answer
            }
        }
        return new StudioException(413, message);
    }

    /** Oversized bodies up to this many bytes are read and dropped before the 413 (see {@link #tooLarge}). */
    static final long DRAIN_LIMIT = 16L << 20;

    private static Body body(Context ctx) {
        long n = ctx.contentLength();
        if (n > MAX_JSON_BYTES) throw tooLarge(ctx, "the request body has " + n + " bytes; JSON requests are limited to " + MAX_JSON_BYTES);
        byte[] b = ctx.bodyAsBytes();
        if (b.length > MAX_JSON_BYTES) throw new StudioException(413, "the request body has " + b.length + " bytes; JSON requests are limited to " + MAX_JSON_BYTES);
        return Body.parse(b);
    }

    private static long id(Context ctx) {
        try {
            return Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw StudioException.bad("job id must be an integer, got '" + ctx.pathParam("id") + "'");
        }
    }

    private static void error(Context ctx, int status, String message) {
        String one = message == null ? "error" : message.replaceAll("\\s*\\R\\s*", " ").trim();
        ctx.status(status).contentType("application/json");
        try {
            ctx.result(Body.mapper().writeValueAsString(Map.of("error", one)));
        } catch (JsonProcessingException e) {
            ctx.result("{\"error\": \"error\"}");
        }
    }

    /** Stops the server and the studio's engine thread. */
    @Override
    public void close() {
        app.stop();
        studio.close();
    }
}
