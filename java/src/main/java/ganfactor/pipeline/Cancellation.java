package ganfactor.pipeline;

import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * A cancellation token, passed into long work by whoever may stop it (the CLI's Ctrl-C handler, a
 * web request closed by its browser tab, a cluster task killed by its driver). The work polls it
 * between units (Jacobian passes, RPCA iterations, sampling batches) and stops with a {@link
 * CancellationException}; nothing in the library reads a global flag.
 */
public final class Cancellation implements BooleanSupplier {
    /** A token that is never cancelled. */
    public static final Cancellation NEVER = new Cancellation();

    private final AtomicBoolean cancelled = new AtomicBoolean();

    /** Asks the work to stop at its next check. Idempotent; {@link #NEVER} cannot be cancelled. */
    public void cancel() {
        if (this == NEVER) throw new UnsupportedOperationException("Cancellation.NEVER cannot be cancelled");
        cancelled.set(true);
    }

    public boolean isCancelled() {
        return cancelled.get();
    }

    /** The token as a {@link BooleanSupplier} for the engines' {@code cancelled} option. */
    @Override
    public boolean getAsBoolean() {
        return cancelled.get();
    }

    /** Throws {@link CancellationException} when cancelled. */
    public void check() {
        if (cancelled.get()) throw new CancellationException("cancelled");
    }
}
