package ganfactor;

/**
 * A problem with what the user gave us (a file, a flag, a shape, a region): the CLI prints the
 * message on one line and exits with code 2, writing nothing.
 */
public class InputException extends RuntimeException {
    public InputException(String message) {
        super(message);
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
