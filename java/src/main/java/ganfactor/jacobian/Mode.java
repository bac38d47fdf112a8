package ganfactor.jacobian;

import ganfactor.InputException;

import java.util.Locale;

/** How the exact Jacobian is obtained; all three give the same numbers to rounding. */
public enum Mode {
    /** Batched forward mode: k JVPs per pass through TorchScript dual numbers (the default). */
    FORWARD,
    /** Batched double-backward: J e_j = d/du (J^T u) . e_j, k columns per pass. */
    DOUBLE_BACKWARD,
    /** Reverse mode, one output row per backward pass (the reference's method; chunk > 1 batches rows). */
    REVERSE;

    public static Mode parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "forward", "fwd", "jvp" -> FORWARD;
            case "double-backward", "double", "dbl" -> DOUBLE_BACKWARD;
            case "reverse", "rev", "vjp" -> REVERSE;
            default -> throw new InputException("unknown Jacobian mode '" + s + "': expected forward, double-backward or reverse");
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
