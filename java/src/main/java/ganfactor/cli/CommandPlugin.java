package ganfactor.cli;

import ganfactor.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.ServiceLoader;
import java.util.concurrent.Callable;

/**
 * A subcommand that lives in a module of its own, found on the class path with {@link
 * ServiceLoader} ({@code META-INF/services/ganfactor.cli.CommandPlugin}): the studio (module
 * {@code studio/}), so that the core jar carries no web server. A known plugin that is not on the
 * class path still answers, with one line saying how to get it.
 */
public interface CommandPlugin {
    /** The subcommand's name ({@code studio}). */
    String name();

    /** A new picocli command object (a class annotated with {@link Command}). */
    Object command();

    /** The plugins this project ships, and where each comes from, for the line a missing one answers with. */
    java.util.Map<String, String> KNOWN = java.util.Map.of("studio", "the studio module (studio/target/ganfactor-studio.jar)");

    /** Adds every plugin on the class path to {@code cl}, and a stand-in for each known one that is missing. */
    static void addAll(CommandLine cl) {
        java.util.Set<String> found = new java.util.HashSet<>();
        for (CommandPlugin p : ServiceLoader.load(CommandPlugin.class, CommandPlugin.class.getClassLoader())) {
            cl.addSubcommand(p.name(), p.command());
            found.add(p.name());
        }
        for (var e : new java.util.TreeMap<>(KNOWN).entrySet())
            if (!found.contains(e.getKey())) cl.addSubcommand(e.getKey(), new Missing(e.getKey(), e.getValue()));
    }

    /** A known plugin that is not on the class path: says so on one line (exit code 2). */
    @Command(description = "Not on this class path: build the whole project (mvn -DskipTests package) and start ganfactor with ./ganfactor.")
    final class Missing implements Callable<Integer> {
        private final String name, where;

        Missing(String name, String where) {
            this.name = name;
            this.where = where;
        }

        @Override
        public Integer call() {
            throw new InputException("'" + name + "' comes from " + where + ", which is not on this class path: build the whole project (mvn -DskipTests package) and start ganfactor with ./ganfactor");
        }
    }
}
