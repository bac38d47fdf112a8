package ganfactor.check;

import java.util.function.Supplier;

/** The assertions of the checks: an {@link AssertionError} with the message (JUnit reports it as a failure). */
public final class Require {
    private Require() {}

    public static void that(boolean ok, Supplier<String> message) {
        if (!ok) throw new AssertionError(message.get());
    }

    public static void that(boolean ok, String message) {
        if (!ok) throw new AssertionError(message);
    }

    /** |actual - expected| <= tolerance. */
    public static void near(double expected, double actual, double tolerance, String what) {
        if (!(Math.abs(actual - expected) <= tolerance))
            throw new AssertionError(what + ": expected " + expected + " within " + tolerance + ", got " + actual);
    }

    public static void equal(long expected, long actual, String what) {
        if (expected != actual) throw new AssertionError(what + ": expected " + expected + ", got " + actual);
    }

    public static <T extends Throwable> T raises(Class<T> type, Runnable r, String what) {
        try {
            r.run();
        } catch (Throwable t) {
            if (type.isInstance(t)) return type.cast(t);
            throw new AssertionError(what + ": expected " + type.getSimpleName() + ", got " + t, t);
        }
        throw new AssertionError(what + ": expected " + type.getSimpleName() + ", nothing was thrown");
    }
}
