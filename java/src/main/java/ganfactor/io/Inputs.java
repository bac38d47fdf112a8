package ganfactor.io;

import ganfactor.InputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static ganfactor.InputException.ref;

/**
 * The files and folders a command reads, each with the name the user gave it by (an option, a
 * form field, an argument), so that no output ever replaces one of them: an output folder that
 * holds an input, or an output file that is one, is refused whatever the flags.
 */
public final class Inputs {
    /** One input: what it is called in the front end the user used, and the path given. */
    public record Input(String label, Path path) {}

    /** No inputs (commands that read nothing from files). */
    public static final Inputs NONE = new Inputs(List.of());

    private final List<Input> inputs;

    private Inputs(List<Input> inputs) {
        this.inputs = List.copyOf(inputs);
    }

    /** The given inputs; paths that do not exist are kept (they cannot be replaced, so they never refuse anything). */
    public static Inputs of(List<Input> inputs) {
        return new Inputs(inputs);
    }

    /**
     * Throws a one-line {@link InputException} when replacing {@code target} (a folder or a file,
     * absolute) would remove or overwrite one of the inputs: the input is the target or lies
     * below it, by its own path or by the path it resolves to through links.
     */
    public void refuseReplacing(String given, Path target, String what) {
        if (!Files.exists(target)) return;
        Path targetReal = real(target);
        for (Input in : inputs) {
            Path p = in.path().toAbsolutePath().normalize();
            if (!Files.exists(p)) continue;
            Path r = real(p);
            if (p.startsWith(target) || (r != null && targetReal != null && r.startsWith(targetReal))) {
                String which = p.equals(target) || (r != null && r.equals(targetReal)) ? "is" : "holds " + in.path() + ",";
                throw new InputException(given + ": " + which + " an input of this command (" + in.label() + "); "
                        + what + " never replaces its own input, with or without " + ref("force") + ": choose another " + ref("out"));
            }
        }
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return null;
        }
    }
}
