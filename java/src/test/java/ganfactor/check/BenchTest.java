package ganfactor.check;

import ganfactor.cli.CliRun;
import ganfactor.io.JsonReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 29: ganfactor bench's table, JSON and comparison. */
class BenchTest {
    @TempDir
    Path tmp;

    static Bench.Timing t(String name, double median, double min, double max) {
        return new Bench.Timing(name, "", 3, median, min, max, null, null);
    }

    @Test
    void aComparisonFlagsOnlyWhatMovedBeyondTheNoise() {
        Map<String, Object> old = Bench.record(Bench.Plan.named("smoke"), ganfactor.torch.ComputeDevice.CPU,
                List.of(t("a", 1.0, 0.99, 1.01), t("b", 1.0, 0.99, 1.01), t("c", 1.0, 0.5, 1.5), t("gone", 1.0, 1.0, 1.0)));
        List<Bench.Change> ch = Bench.compare(old, List.of(t("a", 1.5, 1.49, 1.51), t("b", 0.5, 0.49, 0.51), t("c", 1.4, 1.3, 1.5), t("new", 1, 1, 1)));
        assertEquals(3, ch.size(), "only the workloads in both");
        assertEquals("REGRESSION", ch.get(0).verdict(), ch.get(0).line());
        assertEquals("faster", ch.get(1).verdict(), ch.get(1).line());
        assertEquals("same", ch.get(2).verdict(), "within the noise of a run that spread +-50%: " + ch.get(2).line());
        assertEquals(0.05, Bench.compare(old, List.of(t("a", 1.0, 1.0, 1.0))).get(0).allowed(), 1e-12, "at least 5% allowed");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theCommandWritesItsJsonAndComparesWithAnEarlierOne() throws Exception {
        try {
            runs();
        } finally {
            ganfactor.Engine.init(0);   // --threads 1 holds for the JVM; the rest of the suite runs on every core
        }
    }

    @SuppressWarnings("unchecked")
    private void runs() throws Exception {
        Path first = tmp.resolve("b1.json");
        CliRun r = CliRun.run("bench", "--plan", "smoke", "--threads", "1", "--json", first.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, Object> rec = (Map<String, Object>) JsonReader.parse(Files.readString(first));
        List<Object> ws = (List<Object>) rec.get("workloads");
        assertEquals(4, ws.size(), ws.toString());
        for (Object o : ws) assertTrue(((Number) ((Map<String, Object>) o).get("median_s")).doubleValue() > 0, o.toString());
        assertTrue(((Number) ((Map<String, Object>) rec.get("machine")).get("float32_matmul_gflops")).doubleValue() > 0);
        // an earlier run 1000x faster on every workload: all regressions
        for (Object o : ws) {
            Map<String, Object> m = (Map<String, Object>) o;
            m.put("median_s", ((Number) m.get("median_s")).doubleValue() / 1000);
        }
        Path fake = tmp.resolve("old.json");
        Files.writeString(fake, ganfactor.io.Json.write(rec));
        CliRun c = CliRun.run("bench", "--plan", "smoke", "--threads", "1", "--compare", fake.toString());
        assertEquals(0, c.code(), c.err());
        assertEquals(4, c.out().lines().filter(l -> l.contains("REGRESSION")).count(), c.out());
        // not a bench file: refused, and never replaced
        Path other = tmp.resolve("notes.json");
        Files.writeString(other, "{\"mine\": 1}");
        assertEquals(2, CliRun.run("bench", "--plan", "smoke", "--json", other.toString()).code());
        assertEquals("{\"mine\": 1}", Files.readString(other));
        assertEquals(2, CliRun.run("bench", "--plan", "smoke", "--compare", other.toString()).code());
        assertEquals(2, CliRun.run("bench", "--plan", "huge").code());
    }
}
