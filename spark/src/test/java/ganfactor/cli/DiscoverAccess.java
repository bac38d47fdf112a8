package ganfactor.cli;

import ganfactor.pipeline.MethodRequest;

import java.util.ArrayList;
import java.util.List;

/** The request the command line's {@code discover} builds from {@code flags} (parsed, not run), for the Spark module's comparison. */
public final class DiscoverAccess {
    private DiscoverAccess() {}

    public static MethodRequest request(List<String> flags) {
        List<String> args = new ArrayList<>(List.of("discover", "--region", "eyes", "--out", "unused"));
        args.addAll(flags);
        picocli.CommandLine.ParseResult pr = Main.commandLine().parseArgs(args.toArray(String[]::new));
        return ((DiscoverCommand) pr.subcommand().commandSpec().userObject()).methodOptions.request();
    }
}
