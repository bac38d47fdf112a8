package ganfactor.cli;

import ganfactor.edit.Locality;
import ganfactor.pipeline.Discovery;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** How the commands print results and warnings: one line per result on stdout, warnings on stderr. */
public final class Printing {
    private Printing() {}

    /** Each of a result's warnings on a line of its own (stderr), as solve and discover both print them. */
    static void warnings(String what, List<String> warnings) {
        for (String w : warnings) System.err.println("ganfactor: warning: " + what.trim() + ": " + w);
    }

    /** A generator's warnings (an unknown conv clamp, say), each on a line of its own (stderr). */
    public static ganfactor.generator.Generator opened(ganfactor.generator.Generator g) {
        warnings(g.source(), g.warnings());
        return g;
    }

    /** One line per result: the top directions' eigenvalues and locality ratios against the random baseline. */
    static void report(Discovery.Report rep, PrintStream out) {
        for (Discovery.Outcome o : rep.outcomes()) {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-10s %-10s", o.region(), o.label()));
            for (Locality.Measurement m : o.locality())
                sb.append(String.format(Locale.ROOT, "  dir %d: eig %.3g, ratio %s", m.direction(), o.directions().values()[m.direction()], Locality.formatRatio(m.ratio())));
            if (o.directions().count() == 0) sb.append("  no directions");
            if (o.baseline() != null) sb.append("  | random direction: ratio ").append(Locality.formatRatio(o.baseline().ratio()));
            out.println(sb);
            warnings(o.region() + " " + o.label(), o.directions().warnings());
        }
    }
}
