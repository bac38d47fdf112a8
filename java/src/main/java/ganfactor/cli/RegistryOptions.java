package ganfactor.cli;

import ganfactor.pipeline.Method;
import ganfactor.pipeline.MethodRequest;
import ganfactor.pipeline.Setting;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.util.List;

/**
 * The command line's side of the method registry ({@link ganfactor.pipeline.Methods}): a {@code
 * --NAME} option for each setting, its help and default from the registry, and the {@link
 * MethodRequest} of what was typed. Options not typed keep the registry's default; nothing here
 * declares a default. Spark's launcher builds its flags the same way.
 */
public final class RegistryOptions {
    private RegistryOptions() {}

    /** A command whose method settings come from the registry: {@link Main} adds their options before parsing. */
    public interface Offers {
        List<Setting<?>> registrySettings();
    }

    /** Adds {@code --NAME} for each of {@code settings} that {@code spec} does not declare yet. */
    public static void add(CommandSpec spec, List<Setting<?>> settings) {
        for (Setting<?> s : settings) {
            String flag = flag(s);
            if (spec.findOption(flag) != null) continue;
            OptionSpec.Builder b = OptionSpec.builder(flag).description(help(s));
            if (s.kind() == Setting.Kind.FLAG) {
                b.type(Boolean.class).arity("0");
                if (s.defaultValue() == null) b.negatable(true);   // auto: --NAME on, --no-NAME off
            } else {
                b.type(String.class).paramLabel("<" + s.name() + ">");
            }
            spec.addOption(b.build());
        }
    }

    /** The help line of {@code s}: its text, the choices it takes, its default. */
    public static String help(Setting<?> s) {
        String choices = s.kind() == Setting.Kind.CHOICE ? " [" + String.join(", ", s.choices()) + "]" : "";
        return s.help() + choices + " (default: " + s.defaultLabel() + ")";
    }

    public static String flag(Setting<?> s) {
        return "--" + s.name();
    }

    /**
     * The request for {@code method} from the options of {@code offered} typed on the command line
     * {@code spec} last parsed; typing a setting of another method is refused.
     */
    public static MethodRequest request(CommandSpec spec, Method method, List<Setting<?>> offered) {
        MethodRequest r = MethodRequest.of(method);
        ParseResult pr = spec == null || spec.commandLine() == null ? null : spec.commandLine().getParseResult();
        if (pr == null) return r;
        for (Setting<?> s : offered) {
            OptionSpec o = spec.findOption(flag(s));
            if (o == null || !pr.hasMatchedOption(o)) continue;
            Object v = o.getValue();
            r = r.with(s.name(), String.valueOf(v));
        }
        return r;
    }
}
