package ganfactor.cli;

import ganfactor.io.Inputs;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The files and folders a parsed command line reads, for the outputs to protect (the CLI's and the Spark launcher's). */
public final class CommandInputs {
    private CommandInputs() {}

    /** {@code parquet:PATH#COLUMN}, {@code npy:PATH}: a scheme word before the path. */
    private static final java.util.regex.Pattern SCHEME = java.util.regex.Pattern.compile("^[a-z]+:(.+?)(#.*)?$");

    /**
     * The existing files and folders among a command's option and parameter values (except
     * {@code --out}): Path values, and strings that name a path as a whole, after a {@code NAME=}
     * prefix ({@code --attribute-model smile=m.pt}) or before a {@code #} suffix
     * ({@code --model w.pt#key=g_ema}), or after a {@code scheme:} prefix ({@code --codes
     * parquet:codes#z}).
     */
    public static Inputs of(CommandSpec spec) {
        return of(spec, "--out");
    }

    /** As {@link #of(CommandSpec)}, leaving out the options that name outputs. */
    public static Inputs of(CommandSpec spec, String... outputs) {
        List<String> skip = List.of(outputs);
        List<Inputs.Input> found = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (skip.contains(o.longestName())) continue;
            collect(o.longestName(), o.getValue(), found);
        }
        for (PositionalParamSpec p : spec.positionalParameters()) collect(p.paramLabel(), p.getValue(), found);
        return Inputs.of(found);
    }

    private static void collect(String label, Object value, List<Inputs.Input> found) {
        if (value instanceof Collection<?> c) {
            for (Object v : c) collect(label, v, found);
        } else if (value instanceof Object[] a) {
            for (Object v : a) collect(label, v, found);
        } else if (value instanceof Path p) {
            if (Files.exists(p)) found.add(new Inputs.Input(label, p));
        } else if (value instanceof String s && !s.isEmpty()) {
            List<String> forms = new ArrayList<>(List.of(s));
            int eq = s.indexOf('='), hash = s.indexOf('#');
            if (eq > 0) forms.add(s.substring(eq + 1));
            if (hash > 0) forms.add(s.substring(0, hash));
            java.util.regex.Matcher scheme = SCHEME.matcher(s);
            if (scheme.matches()) forms.add(scheme.group(1));
            for (String f : forms) {
                try {
                    Path p = Path.of(f);
                    if (Files.exists(p)) {
                        found.add(new Inputs.Input(label, p));
                        break;
                    }
                } catch (InvalidPathException ignored) {
                    // not a path
                }
            }
        }
    }
}
