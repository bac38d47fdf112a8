package ganfactor;

/**
 * Another run got there first: it is writing, or has just written, the output this run was asked
 * to write. Not the user's input at fault (the same command alone would have worked): the CLI
 * exits with its own code (3) so scripts can tell a lost race from bad input and retry.
 */
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
