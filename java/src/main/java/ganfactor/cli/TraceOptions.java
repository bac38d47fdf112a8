package ganfactor.cli;

import ganfactor.InputException;
import ganfactor.io.AtomicFile;
import ganfactor.trace.Trace;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code --trace FILE.json}: the run's spans and memory counters as a Chrome trace (Perfetto), written when the run succeeds. */
final class TraceOptions {
    /** How a ganfactor trace file begins: an existing file is replaced only when it is one. */
    static final String HEAD = "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"tool\":\"ganfactor\"}";

    @Option(names = "--trace", paramLabel = "FILE.json", description = "also write a trace of the run: nested spans (Jacobian passes, Gram accumulation, solves, "
            + "edits and pictures, writing) with their threads and memory counters, Chrome trace-event JSON for https://ui.perfetto.dev or chrome://tracing "
            + "(an existing ganfactor trace there is replaced; the spans are also JFR events ganfactor.Span)")
    Path file;

    private Trace trace = Trace.OFF;

    /** The trace to record into (Trace.OFF without --trace); checks the target before the run. */
    Trace start(ganfactor.io.Inputs inputs) {
        if (file == null) return Trace.OFF;
        if (!file.getFileName().toString().endsWith(".json")) throw new InputException("--trace " + file + ": the trace file must end in .json");
        boolean ours = false;
        if (Files.isRegularFile(file)) {
            try (var in = Files.newInputStream(file)) {
                ours = new String(in.readNBytes(HEAD.length()), StandardCharsets.UTF_8).equals(HEAD);
            } catch (IOException e) {
                throw new InputException("--trace " + file + ": cannot read the existing file (" + e.getMessage() + ")");
            }
            if (!ours) throw new InputException("--trace " + file + ": exists and is not a ganfactor trace; it is never replaced");
        }
        AtomicFile.check(file, ours, inputs);
        trace = Trace.recording();
        return trace;
    }

    /** Writes the trace (atomically) when one was asked for; returns the line to print, or null. */
    String finish() {
        if (file == null) return null;
        String json = trace.json();
        AtomicFile.write(file, true, tmp -> Files.writeString(tmp, json));
        return "trace: " + file + " (" + trace.spanNames().size() + " spans; open it in https://ui.perfetto.dev)";
    }
}
