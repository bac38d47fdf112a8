package ganfactor;

import java.util.function.Function;

/**
 * A problem with what the user gave us (a file, a flag, a shape, a region): the CLI prints the
 * message on one line and exits with code 2, writing nothing.
 *
 * <p>The library does not know how a front end spells a setting (a flag {@code --num}, a form
 * field {@code 'seed'}, a C argument): a message names a setting by its registry name through
 * {@link #ref(String)}, and each front end words the references with {@link #worded(Function)}.
 * {@link #getMessage()} reads them as the bare registry names ("num must be positive, got 0").
 */
public class InputException extends RuntimeException {
    /** Brackets a setting's registry name inside a message (Unicode private-use characters: no user text holds them). */
    private static final char OPEN = '\uE000', CLOSE = '\uE001';

    public InputException(String message) {
        super(message);
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * A reference to the setting named {@code setting} (its registry name: the CLI flag without
     * its dashes), to concatenate into a message: {@code ref("num") + " must be positive"}.
     */
    public static String ref(String setting) {
        return OPEN + setting + CLOSE;
    }

    /** {@code raw} with every {@link #ref(String) reference} replaced by {@code namer.apply(name)}; null stays null. */
    public static String worded(String raw, Function<String, String> namer) {
        if (raw == null || raw.indexOf(OPEN) < 0) return raw;
        StringBuilder out = new StringBuilder(raw.length() + 16);
        int i = 0;
        while (i < raw.length()) {
            int open = raw.indexOf(OPEN, i);
            int close = open < 0 ? -1 : raw.indexOf(CLOSE, open + 1);
            if (close < 0) {
                out.append(raw, i, raw.length());
                break;
            }
            out.append(raw, i, open).append(namer.apply(raw.substring(open + 1, close)));
            i = close + 1;
        }
        return out.toString();
    }

    /** The message with each setting as its bare registry name. */
    @Override
    public String getMessage() {
        return worded(rawMessage(), Function.identity());
    }

    /** The message with its setting references kept: for a new message that wraps this one. */
    public String rawMessage() {
        return super.getMessage();
    }

    /** The first line of the message, each setting named as {@code namer} says (a front end's wording). */
    public String worded(Function<String, String> namer) {
        return Messages.oneLine(this, namer);
    }
}
