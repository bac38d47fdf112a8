package ganfactor.studio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ganfactor.TestSupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A studio on the shared float32 demo generator, on a free loopback port, over a fresh working folder; HTTP helpers. */
final class StudioHarness implements AutoCloseable {
    /** The demo's mouth zone (DemoGenerator.ZONES: rows 164-204, cols 94-162) as an image box [x0, y0, x1, y1]. */
    static final int[] MOUTH = {94, 164, 162, 204};
    static final String MOUTH_JSON = "{\"boxes\": [[94, 164, 162, 204]]}";

    static final ObjectMapper JSON = new ObjectMapper();
    final Path work;
    final StudioServer server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Answer(int status, JsonNode json) {}

    StudioHarness(long heartbeatMillis, long maxUpload) throws IOException {
        work = Files.createTempDirectory("gf-studio-");
        Studio studio = new Studio(TestSupport.demo32(), new Studio.Config(work, heartbeatMillis, maxUpload));
        server = StudioServer.start(studio, "127.0.0.1", 0);
    }

    StudioHarness() throws IOException {
        this(60_000, 64L << 20);
    }

    String url() {
        return server.url();
    }

    Answer get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url() + path.substring(1))).GET());
    }

    Answer post(String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url() + path.substring(1))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Answer postBytes(String path, byte[] body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url() + path.substring(1))).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private Answer send(HttpRequest.Builder b) throws Exception {
        HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode n;
        try {
            n = JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("HTTP " + r.statusCode() + " answered non-JSON: " + r.body());
        }
        return new Answer(r.statusCode(), n);
    }

    /** Polls a job (every 50 ms, which is also its heartbeat) until it leaves "running". */
    JsonNode await(long job, double seconds) throws Exception {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            JsonNode j = get("/api/job/" + job).json();
            if (!j.get("state").asText().equals("running")) return j;
            Thread.sleep(50);
        }
        throw new AssertionError("job " + job + " still running after " + seconds + " s");
    }

    /** Discovers with ReSeFa on the mouth box and returns the finished job. */
    JsonNode discoverMouth(int k) throws Exception {
        Answer a = post("/api/discover", "{\"method\": \"resefa\", \"k\": " + k + ", \"region\": " + MOUTH_JSON + "}");
        if (a.status() != 200) throw new AssertionError("discover: " + a.status() + " " + a.json());
        JsonNode j = await(a.json().get("id").asLong(), 120);
        if (!j.get("state").asText().equals("done")) throw new AssertionError("discover ended " + j);
        return j;
    }

    @Override
    public void close() throws IOException {
        server.close();
        try (var s = Files.walk(work)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
