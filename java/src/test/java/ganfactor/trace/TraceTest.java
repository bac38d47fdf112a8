package ganfactor.trace;

import ganfactor.cli.CliRun;
import ganfactor.io.JsonReader;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 29: a run's spans as a Chrome trace and as JFR events. */
class TraceTest {
    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings("unchecked")
    void spansNestAndTheJsonIsChromesFormat() throws Exception {
        Trace t = Trace.recording();
        try (Span outer = t.span("outer", "k", 3)) {
            try (Span inner = t.span("inner \"quoted\"")) {
                inner.arg("extra", true);
                Thread.sleep(2);
            }
            t.memory();
        }
        Map<String, Object> doc = (Map<String, Object>) JsonReader.parse(t.json());
        List<Object> events = (List<Object>) doc.get("traceEvents");
        Map<String, Object> outer = null, inner = null;
        boolean counter = false;
        for (Object o : events) {
            Map<String, Object> e = (Map<String, Object>) o;
            if ("outer".equals(e.get("name"))) outer = e;
            if ("inner \"quoted\"".equals(e.get("name"))) inner = e;
            counter |= "C".equals(e.get("ph")) && "memory".equals(e.get("name"));
        }
        assertNotNull(outer);
        assertNotNull(inner);
        assertTrue(counter, "a memory counter");
        double os = ((Number) outer.get("ts")).doubleValue(), od = ((Number) outer.get("dur")).doubleValue();
        double is = ((Number) inner.get("ts")).doubleValue(), id = ((Number) inner.get("dur")).doubleValue();
        assertTrue(os <= is && is + id <= os + od, "the inner span lies within the outer: " + outer + " " + inner);
        assertTrue(id >= 2000, "durations in microseconds: " + id);
        assertEquals(3L, ((Number) ((Map<String, Object>) outer.get("args")).get("k")).longValue());
        assertEquals(true, ((Map<String, Object>) inner.get("args")).get("extra"));
        assertEquals(List.of("inner \"quoted\"", "outer"), t.spanNames());
        assertEquals("[]", Trace.OFF.spanNames().toString(), "OFF keeps nothing");
    }

    @Test
    void spansAreJfrEventsEvenWithoutATraceFile() throws Exception {
        Path jfr = tmp.resolve("r.jfr");
        try (Recording r = new Recording()) {
            r.enable("ganfactor.Span");
            r.start();
            try (Span s = Trace.OFF.span("jacobian pass", "columns", 8)) {
                Thread.sleep(1);
            }
            r.stop();
            r.dump(jfr);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        RecordedEvent e = events.stream().filter(x -> x.getEventType().getName().equals("ganfactor.Span")).findFirst().orElseThrow();
        assertEquals("jacobian pass", e.getString("name"));
        assertTrue(e.getString("args").contains("\"columns\":8"), e.getString("args"));
        assertTrue(e.getDuration().toNanos() >= 1_000_000, "the span's duration: " + e.getDuration());
    }

    /** discover --trace: the stages of a real run, the file replaced only when it is a ganfactor trace. */
    @Test
    void discoverWritesATraceOfItsStages() throws Exception {
        Path trace = tmp.resolve("t.json");
        CliRun r = CliRun.run("discover", "--region", "eyes", "--grid", "32", "--show", "1", "--no-baseline", "--out", tmp.resolve("d").toString(),
                "--trace", trace.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        String json = Files.readString(trace);
        for (String stage : List.of("load model", "latent codes", "discovery", "jacobian", "jacobian pass", "gram accumulation", "solve", "write directions", "edits and pictures"))
            assertTrue(json.contains("\"name\":\"" + stage + "\""), stage);
        assertNestedAndCovering(json, 0.95);
        // a second run replaces its own trace; a file that is not one is never replaced
        assertEquals(0, CliRun.run("discover", "--region", "eyes", "--grid", "32", "--show", "0", "--no-baseline", "--out", tmp.resolve("d2").toString(),
                "--trace", trace.toString(), "--quiet").code());
        Path other = tmp.resolve("notes.json");
        Files.writeString(other, "{\"mine\": 1}");
        CliRun refused = CliRun.run("discover", "--region", "eyes", "--grid", "32", "--out", tmp.resolve("d3").toString(), "--trace", other.toString(), "--quiet");
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.err().contains("not a ganfactor trace"), refused.err());
        assertEquals("{\"mine\": 1}", Files.readString(other));
        assertFalse(Files.exists(tmp.resolve("d3")), "refused before any output");
    }

    /** solve --trace: reading the Grams, each solve and each write, as spans. */
    @Test
    void solveWritesATraceOfItsStages() throws Exception {
        Path j = tmp.resolve("j");
        assertEquals(0, CliRun.run("jacobian", "--region", "eyes", "--grid", "32", "--num", "2", "--out", j.toString(), "--quiet").code());
        Path trace = tmp.resolve("s.json");
        CliRun r = CliRun.run("solve", "--fg", j.resolve("eyes_A.npy").toString(), "--bg", j.resolve("eyes_B.npy").toString(),
                "--out", tmp.resolve("s").toString(), "--trace", trace.toString());
        assertEquals(0, r.code(), r.err());
        String json = Files.readString(trace);
        for (String stage : List.of("read input", "solve", "write directions"))
            assertTrue(json.contains("\"name\":\"" + stage + "\""), stage);
        assertTrue(json.contains("sample 1"), "one solve span per sample");
    }

    /** edit --trace: loading, the codes, and the edits with their pictures, as spans. */
    @Test
    void editWritesATraceOfItsStages() throws Exception {
        double[] dir = new double[64];
        dir[3] = 1;
        Path d = tmp.resolve("dir.npy");
        ganfactor.io.Npy.writeFloat64(d, dir, 1, 64);
        Path trace = tmp.resolve("e.json");
        CliRun r = CliRun.run("edit", "--direction", d.toString(), "--strengths", "-1:1:3", "--out", tmp.resolve("e").toString(),
                "--trace", trace.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        String json = Files.readString(trace);
        for (String stage : List.of("load model", "latent codes", "edits and pictures"))
            assertTrue(json.contains("\"name\":\"" + stage + "\""), stage);
    }

    /** --trace on sefa, ganspace, sample and demo: each run's stages as spans, from the one run context the CLI builds. */
    @Test
    void baselinesSamplingAndTheDemoWriteTraces() throws Exception {
        String[][] runs = {
                {"sefa", "--show", "1", "--out", tmp.resolve("sefa").toString()},
                {"ganspace", "--samples", "500", "--show", "1", "--out", tmp.resolve("gs").toString(), "--quiet"},
                {"sample", "--num", "40", "--batch", "16", "--attribute", "smile", "--out", tmp.resolve("smp").toString(), "--quiet"},
                {"demo", "--out", tmp.resolve("demo").toString(), "--quiet"}};
        String[][] stages = {{"solve", "edits and pictures"}, {"solve", "edits and pictures"}, {"sampling batch"},
                {"load model", "discovery", "jacobian pass", "gram accumulation", "solve", "edits and pictures", "write report"}};
        for (int k = 0; k < runs.length; k++) {
            Path trace = tmp.resolve(runs[k][0] + ".json");
            String[] args = java.util.Arrays.copyOf(runs[k], runs[k].length + 2);
            args[args.length - 2] = "--trace";
            args[args.length - 1] = trace.toString();
            CliRun r = CliRun.run(args);
            assertEquals(0, r.code(), runs[k][0] + ": " + r.err());
            String json = Files.readString(trace);
            for (String stage : stages[k]) assertTrue(json.contains("\"name\":\"" + stage + "\""), runs[k][0] + ": " + stage);
            if (runs[k][0].equals("demo")) assertNestedAndCovering(json, 0.95);
        }
        assertEquals(3, Files.readString(tmp.resolve("sample.json")).split("\"name\":\"sampling batch\"", -1).length - 1, "one span per batch of 16 of 40 samples");
    }

    /**
     * The spans of each thread nest (any two are disjoint or one holds the other), and on the
     * command's thread their union covers at least {@code share} of the run: from the trace's
     * start (ts 0, when the command began) to the end of its last span.
     */
    @SuppressWarnings("unchecked")
    static void assertNestedAndCovering(String json, double share) throws Exception {
        Map<Long, List<double[]>> byThread = new java.util.TreeMap<>();
        for (Object o : (List<Object>) ((Map<String, Object>) JsonReader.parse(json)).get("traceEvents")) {
            Map<String, Object> e = (Map<String, Object>) o;
            if (!"X".equals(e.get("ph"))) continue;
            double ts = ((Number) e.get("ts")).doubleValue(), dur = ((Number) e.get("dur")).doubleValue();
            byThread.computeIfAbsent(((Number) e.get("tid")).longValue(), k -> new java.util.ArrayList<>()).add(new double[]{ts, ts + dur});
        }
        double slack = 1.0;   // microseconds: ts and dur are printed to 1 ns, rounded
        List<double[]> main = null;
        for (List<double[]> spans : byThread.values()) {
            for (double[] a : spans)
                for (double[] b : spans) {
                    boolean disjoint = a[1] <= b[0] + slack || b[1] <= a[0] + slack;
                    boolean aHoldsB = a[0] <= b[0] + slack && b[1] <= a[1] + slack, bHoldsA = b[0] <= a[0] + slack && a[1] <= b[1] + slack;
                    assertTrue(disjoint || aHoldsB || bHoldsA, "spans overlap without nesting: " + java.util.Arrays.toString(a) + " " + java.util.Arrays.toString(b));
                }
            if (main == null || spans.size() > main.size()) main = spans;
        }
        // the command's thread holds the most spans; the union of its spans against the run
        main.sort(java.util.Comparator.comparingDouble(x -> x[0]));
        double covered = 0, end = 0, lastEnd = 0;
        for (double[] sp : main) {
            lastEnd = Math.max(lastEnd, sp[1]);
            if (sp[1] <= end) continue;
            covered += sp[1] - Math.max(sp[0], end);
            end = sp[1];
        }
        assertTrue(covered >= share * lastEnd, String.format(java.util.Locale.ROOT, "spans cover %.1f%% of the %.0f ms run", 100 * covered / lastEnd, lastEnd / 1e3));
    }
}
