package ganfactor.spark;

import ganfactor.cli.DiscoverAccess;
import ganfactor.pipeline.MethodRequest;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 26: the Spark launcher builds the same method request (same settings, same defaults) as
 * the command line's {@code discover} for the same flags, and the request survives the trip to the
 * executors (Java serialisation of {@link DiscoverySettings}). No Spark session is needed.
 */
class SparkSameSolverTest {

    static final List<List<String>> CASES = List.of(
            List.of("--method", "resefa"),
            List.of("--method", "resefa", "--k", "5", "--regularize", "paper", "--eps", "0.01"),
            List.of("--method", "lowrankgan"),
            List.of("--method", "lowrankgan", "--k", "3", "--rpca-lambda", "0.125", "--no-rpca-certified"));

    static MethodRequest spark(List<String> flags) {
        List<String> args = new ArrayList<>(List.of("discover-batch", "--codes", "seeds:0-1", "--region", "eyes", "--out", "unused"));
        args.addAll(flags);
        CommandLine.ParseResult pr = SparkJobs.commandLine().parseArgs(args.toArray(String[]::new));
        SparkJobs.DiscoverBatchCommand c = (SparkJobs.DiscoverBatchCommand) pr.subcommand().commandSpec().userObject();
        return c.settings().request();
    }

    @Test
    void theLauncherBuildsTheCommandLinesRequest() throws Exception {
        for (List<String> flags : CASES) {
            MethodRequest s = spark(flags), cli = DiscoverAccess.request(flags);
            assertEquals(cli, s, flags.toString());
            assertEquals(cli.describe(), s.describe(), flags.toString());
            // what the executors get: the settings serialised, the request rebuilt there
            SparkJobs.DiscoverBatchCommand c = (SparkJobs.DiscoverBatchCommand) SparkJobs.commandLine()
                    .parseArgs(concat(List.of("discover-batch", "--codes", "seeds:0-1", "--region", "eyes", "--out", "unused"), flags))
                    .subcommand().commandSpec().userObject();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(c.settings());
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                assertEquals(cli, ((DiscoverySettings) in.readObject()).request(), flags + ": on an executor");
            }
        }
        ganfactor.SettingException e = assertThrows(ganfactor.SettingException.class, () -> spark(List.of("--method", "resefa", "--rpca-tol", "1e-6")));
        assertEquals("rpca-tol", e.setting());
    }

    static String[] concat(List<String> a, List<String> b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(b);
        return l.toArray(String[]::new);
    }
}
