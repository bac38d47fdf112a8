package ganfactor.trace;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** One ganfactor stage as a JFR event (duration = the span's); its name and arguments as in the trace file. */
@Name("ganfactor.Span")
@Label("ganfactor span")
@Category("ganfactor")
@Description("A stage of a ganfactor run: a Jacobian pass, a solve, rendering, writing")
@StackTrace(false)
final class SpanEvent extends Event {
    @Label("Name")
    String name;

    @Label("Arguments")
    String args;
}
