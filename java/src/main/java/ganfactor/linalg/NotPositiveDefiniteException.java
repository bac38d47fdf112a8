package ganfactor.linalg;

/** A Cholesky factorisation failed: the leading minor of order {@code order} is not positive definite. */
public final class NotPositiveDefiniteException extends RuntimeException {
    private final long order;

    public NotPositiveDefiniteException(long order, String what) {
        super(what + " is not positive definite (leading minor of order " + order + ")");
        this.order = order;
    }

    public long order() {
        return order;
    }
}
