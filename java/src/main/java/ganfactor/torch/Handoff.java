package ganfactor.torch;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;

import java.util.ArrayList;
import java.util.List;

/**
 * Hands native results out of a method's own {@link PointerScope} to its caller (the pattern of
 * docs/JAVACPP.md, written once): create the hand-off before opening the method's scope, {@link
 * #keep} each result inside it (retained, so closing the scope does not free it), and after the
 * scope has closed {@link #deliver()}: each result joins the caller's innermost scope (or, with
 * none, the collector's care) and loses the extra reference. On failure {@link #discard()} frees
 * them. Each result is released exactly once either way.
 *
 * <pre>
 *   Handoff out = new Handoff();
 *   try (PointerScope s = new PointerScope()) {
 *       result = out.keep(compute());
 *   } catch (RuntimeException | Error e) { out.discard(); throw e; }
 *   out.deliver();
 * </pre>
 */
public final class Handoff {
    private final PointerScope caller = PointerScope.getInnerScope();
    private final List<Pointer> kept = new ArrayList<>();
    private boolean done;

    /** Retains {@code p} past the current scope; returns it. */
    public synchronized <T extends Pointer> T keep(T p) {
        if (done) throw new IllegalStateException("this hand-off was already delivered or discarded");
        p.retainReference();
        kept.add(p);
        return p;
    }

    /** After the inner scope closed: every kept result joins the caller's scope and drops the extra reference. */
    public synchronized void deliver() {
        if (done) return;
        done = true;
        if (caller == null) return;   // no caller scope: the one remaining reference is the collector's to release
        for (Pointer p : kept) {
            caller.attach(p);
            p.releaseReference();
        }
    }

    /** On failure: releases every kept result. */
    public synchronized void discard() {
        if (done) return;
        done = true;
        for (Pointer p : kept) p.releaseReference();
    }
}
