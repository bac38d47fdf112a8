package ganfactor;

import java.util.function.Function;

/**
 * Another run got there first: it is writing, or has just written, the output this run was asked
 * to write. Not the user's input at fault (the same command alone would have worked): the CLI
 * exits with its own code (3) so scripts can tell a lost race from bad input and retry. Its
 * message names settings as {@link InputException}'s do ({@link InputException#ref(String)}).
 */
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }

    /** The message with each setting as its bare registry name. */
    @Override
    public String getMessage() {
        return InputException.worded(rawMessage(), Function.identity());
    }

    /** The message with its setting references kept. */
    public String rawMessage() {
        return super.getMessage();
    }

    /** The first line of the message, each setting named as {@code namer} says. */
    public String worded(Function<String, String> namer) {
        return Messages.oneLine(this, namer);
    }
}
