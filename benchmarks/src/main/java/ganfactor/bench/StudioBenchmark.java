package ganfactor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ganfactor.Engine;
import ganfactor.generator.Generator;
import ganfactor.studio.Studio;
import ganfactor.studio.StudioServer;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/**
 * ganfactor studio's latencies on the demo generator (float32, CPU), measured as the page sees
 * them: over HTTP on the loopback, from the request to the complete JSON answer.
 *
 * <p>{@code slider}: one slider move, {@code POST /api/edit} for the top ReSeFa direction of the
 * mouth box at a new strength (alternating 2 and 3, so every call renders), with the mouth region:
 * the W code moved on all layers, one synthesis, the PNG of the edit and of the change overlay
 * (base64 in the JSON), the inside/outside MSE. The browser's PNG decode is not included.
 *
 * <p>{@code discover}: one discovery end to end, {@code POST /api/discover} (ReSeFa, paper
 * regularisation, top 5, the mouth box) then {@code GET /api/job/ID} every 5 ms until it is
 * done: the exact Jacobian on the official view (196,608 rows x 64), the solve, the directions
 * listed in the answer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx4g", "-Djava.awt.headless=true"})
public class StudioBenchmark {
    static final String MOUTH = "{\"boxes\": [[94, 164, 162, 204]]}";
    static final ObjectMapper JSON = new ObjectMapper();

    Generator g;
    StudioServer server;
    HttpClient http;
    long top;
    int flip;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        Engine.init(0);
        g = Generator.demo().to(torch.ScalarType.Float);
        server = StudioServer.start(new Studio(g, Studio.Config.defaults(Files.createTempDirectory("gf-studio-bench"))), "127.0.0.1", 0);
        http = HttpClient.newHttpClient();
        JsonNode job = discoverOnce();
        top = job.get("result").get("directions").get(0).get("id").asLong();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        server.close();
        g.close();
    }

    JsonNode post(String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException(path + ": HTTP " + r.statusCode() + " " + r.body());
        return JSON.readTree(r.body());
    }

    JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException(path + ": HTTP " + r.statusCode() + " " + r.body());
        return JSON.readTree(r.body());
    }

    JsonNode discoverOnce() throws Exception {
        long id = post("api/discover", "{\"method\": \"resefa\", \"regularize\": \"paper\", \"k\": 5, \"region\": " + MOUTH + "}").get("id").asLong();
        while (true) {
            JsonNode j = get("api/job/" + id);
            String s = j.get("state").asText();
            if (s.equals("done")) return j;
            if (!s.equals("running")) throw new IllegalStateException("discovery ended " + j);
            Thread.sleep(5);
        }
    }

    @Benchmark
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 4)
    public int slider() throws Exception {
        flip ^= 1;
        JsonNode r = post("api/edit", "{\"direction\": " + top + ", \"strength\": " + (2 + flip) + ", \"region\": " + MOUTH + "}");
        return r.get("image").asText().length();
    }

    @Benchmark
    @Warmup(iterations = 2, time = 3)
    @Measurement(iterations = 5, time = 6)
    public int discover() throws Exception {
        JsonNode j = discoverOnce();
        top = j.get("result").get("directions").get(0).get("id").asLong();   // the old ids are gone
        return j.get("result").get("directions").size();
    }
}
