package ganfactor.score;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.torch.Torch;

import java.util.ArrayList;
import java.util.List;

import static ganfactor.InputException.ref;

/**
 * A generator's ground-truth attribute: column {@code index} of its {@code attributes(wp) -> [B, K]}
 * method, named by {@code attribute_names()} (the demo generator exposes its 18 shape parameters,
 * smile correlated with mouth width by construction). No rendering needed.
 */
public final class GroundTruthScorer implements Scorer {
    private final Generator g;
    private final String name;
    private final int index, count;

    private GroundTruthScorer(Generator g, String name, int index, int count) {
        this.g = g;
        this.name = name;
        this.index = index;
        this.count = count;
    }

    /** The scorers for {@code names} ("all" expands to every attribute), checked against the generator. */
    public static List<Scorer> of(Generator g, List<String> names) {
        List<String> known = g.stringList("attribute_names");
        if (known.isEmpty() || !g.has("attributes"))
            throw new InputException(g.source() + ": the generator exposes no ground-truth attributes (attribute_names() and attributes(wp)); "
                    + "score with " + ref("attribute-model") + ", " + ref("region-stat") + " or " + ref("scores"));
        List<Scorer> out = new ArrayList<>();
        for (String n : names) {
            if (n.equals("all")) {
                for (int i = 0; i < known.size(); i++) out.add(new GroundTruthScorer(g, known.get(i), i, known.size()));
                continue;
            }
            int i = known.indexOf(n);
            if (i < 0) throw new InputException("unknown attribute '" + n + "'; " + g.source() + " has " + String.join(", ", known));
            out.add(new GroundTruthScorer(g, n, i, known.size()));
        }
        return out;
    }

    @Override public String name() { return name; }

    @Override public String definition() { return "ground truth: column " + index + " of the generator's attributes(wp)"; }

    @Override public boolean needsImages() { return false; }

    @Override
    public double[] score(Batch b) {
        double[] all = Torch.toDoubles(g.call("attributes", b.wp()));
        if (all.length != b.count() * count)
            throw new InputException(g.source() + ": attributes(wp) returned " + all.length + " values for " + b.count() + " samples, expected "
                    + b.count() + " x " + count);
        double[] s = new double[b.count()];
        for (int i = 0; i < s.length; i++) s[i] = all[i * count + index];
        return s;
    }
}
