package ganfactor.cli;

import ganfactor.InputException;
import ganfactor.check.Bench;
import ganfactor.io.AtomicFile;
import ganfactor.io.Json;
import ganfactor.io.JsonReader;
import ganfactor.torch.ComputeDevice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", header = "Time the headline workloads (medians, spread, work against this machine's matmul rate) and compare with an earlier run.",
        description = {
                "Times, each after a warm-up, as medians with the fastest and slowest run: the demo's discovery end to end; one StyleGAN2 Jacobian",
                "column at 256 px (and 1024 px with --plan full); the ReSeFa solve at d = 512; the fast path at d = 9216 (--plan full); the RPCA at",
                "d = 512. Prints a table (with GFLOP/s and the fraction of this machine's float32 matmul rate where the work is counted) and",
                "writes it as JSON with --json; --compare OLD.json flags each workload whose median moved beyond the runs' noise. For users who do",
                "not run JMH; the project's own claims stay JMH's (benchmarks/)."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--plan", defaultValue = "quick", description = "quick (under a minute on two cores), full (adds the 1024 px column and the d = 9216 fast path) or smoke (tiny sizes) (default: ${DEFAULT-VALUE})")
    String plan;
    @Option(names = "--json", description = "write the results as JSON to this file (an existing ganfactor bench file there is replaced)")
    Path json;
    @Option(names = "--compare", description = "an earlier run's JSON (--json) to compare with")
    Path compare;
    @Mixin RunOptions run;

    @Override
    public Integer call() throws Exception {
        Bench.Plan p = Bench.Plan.named(plan);
        Map<String, Object> old = null;
        if (compare != null) {
            ganfactor.io.InputFiles.requireReadable(compare);
            Object o = JsonReader.parse(Files.readString(compare));
            if (!(o instanceof Map<?, ?>)) throw new InputException(compare + ": not a ganfactor bench JSON (expected an object)");
            @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) o;
            old = m;
            if (!"ganfactor bench".equals(m.get("command"))) throw new InputException(compare + ": not a ganfactor bench JSON (its command is " + m.get("command") + ")");
        }
        if (json != null) {
            if (Files.isRegularFile(json) && !Files.readString(json).contains("\"command\": \"ganfactor bench\"") && !Files.readString(json).contains("\"command\":\"ganfactor bench\""))
                throw new InputException(json + ": exists and is not a ganfactor bench JSON; it is never replaced");
            AtomicFile.check(json, true, CommandInputs.of(spec, "--json"));
        }
        ComputeDevice dev = run.start();
        Path scratch = Files.createTempDirectory("ganfactor-bench");
        List<Bench.Timing> t;
        try {
            t = Bench.run(p, dev, scratch, System.out::println);
        } finally {
            scratch.toFile().delete();
        }
        Map<String, Object> rec = Bench.record(p, dev, t);
        if (old != null) {
            System.out.println("against " + compare + ":");
            List<Bench.Change> changes = Bench.compare(old, t);
            for (Bench.Change c : changes) System.out.println("  " + c.line());
            rec.put("compared_with", compare.toString());
            rec.put("comparison", changes.stream().map(c -> ganfactor.pipeline.RunRecord.ordered("name", c.name(), "old_median_s", c.oldMedian(),
                    "new_median_s", c.newMedian(), "allowed_noise", c.allowed(), "verdict", c.verdict())).toList());
        }
        if (json != null) {
            String text = Json.write(rec);
            AtomicFile.write(json, true, tmp -> Files.writeString(tmp, text));
            System.out.println("wrote " + json);
        }
        return 0;
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
}
