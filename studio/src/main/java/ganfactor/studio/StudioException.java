package ganfactor.studio;

/**
 * A request the studio refuses, with the HTTP status to answer (400 bad input, 403 a path outside
 * the working folder, 404 no such thing, 409 busy, 413 too large) and a one-line message. Thrown
 * before any state changes, so a refused request changes nothing.
 */
public final class StudioException extends RuntimeException {
    private final int status;

    public StudioException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static StudioException bad(String message) {
        return new StudioException(400, message);
    }

    public static StudioException busy(String message) {
        return new StudioException(409, message);
    }
}
