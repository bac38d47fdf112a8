package ganfactor.spark;

import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.io.Npy;
import ganfactor.io.OutputDir;
import ganfactor.jacobian.GramPair;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.method.Directions;
import ganfactor.pipeline.RunRecord;
import ganfactor.pipeline.Solver;
import ganfactor.region.Region;
import ganfactor.region.View;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bytedeco.javacpp.PointerScope;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The aggregated Grams of many codes ({@code discover --aggregate} at cluster scale): every
 * partition sums its codes' A and B per region on its executor (float64, host arrays), a tree
 * reduction ({@code treeReduce}) sums the partitions, and the driver divides by the number of codes
 * (the mean Grams of {@code ReSeFa.aggregate}) and solves once per region.
 */
public final class AggregateGrams {
    private AggregateGrams() {}

    /** Sums over codes, per region: A and B (row-major [d, d]), the codes, and the Jacobian row counts. */
    public static final class Sum implements Serializable {
        public final List<String> regions;
        public final int dim;
        public long codes;
        public final long[] inside, outside;
        public final double[][] a, b;
        public double jacobianSeconds;

        Sum(List<String> regions, int dim) {
            this.regions = regions;
            this.dim = dim;
            int n = regions.size();
            inside = new long[n];
            outside = new long[n];
            a = new double[n][dim * dim];
            b = new double[n][dim * dim];
        }

        void add(List<GramPair> gs) {
            codes++;
            for (int r = 0; r < gs.size(); r++) {
                GramPair.Host g = gs.get(r).toHost();   // a GPU executor's Grams: one counted copy each, to sum on the host
                double[] ga = g.a(), gb = g.b(), sa = a[r], sb = b[r];
                for (int i = 0; i < sa.length; i++) { sa[i] += ga[i]; sb[i] += gb[i]; }
                inside[r] += g.inside();
                outside[r] += g.outside();
            }
        }

        /** This plus {@code o}, in place (the reduction's combiner). */
        Sum merge(Sum o) {
            if (o.dim != dim || !o.regions.equals(regions)) throw new IllegalStateException("partial sums of different shapes");
            codes += o.codes;
            jacobianSeconds += o.jacobianSeconds;
            for (int r = 0; r < regions.size(); r++) {
                for (int i = 0; i < a[r].length; i++) { a[r][i] += o.a[r][i]; b[r][i] += o.b[r][i]; }
                inside[r] += o.inside[r];
                outside[r] += o.outside[r];
            }
            return this;
        }

        /** The mean Gram pair of region r: what {@code ReSeFa.aggregate} returns for the same codes. */
        public GramPair mean(int r) {
            double[] ma = a[r].clone(), mb = b[r].clone();
            for (int i = 0; i < ma.length; i++) { ma[i] /= codes; mb[i] /= codes; }
            return GramPair.of(regions.get(r), dim, inside[r], outside[r], ma, mb);
        }
    }

    /** The solved result: per region, its directions; and the sums they came from. */
    public record Result(Sum sum, List<Directions> directions, Map<String, Object> settings, double seconds) {}

    /** Sums the Grams across the cluster ({@code depth} levels of tree reduction) and solves once per region on the driver. */
    public static Result run(SparkSession spark, DiscoverySettings s, CodeSource codes, int partitions, int depth) {
        long t0 = System.nanoTime();
        s.check();
        Map<String, Object> settings;
        org.apache.spark.sql.Dataset<Row> input;
        List<String> names = new ArrayList<>();
        int D;
        Solver solver;
        try (ExecutorGenerator.Lease lease = ExecutorGenerator.lease(s.model)) {
            Generator g = lease.generator();
            View view = s.view(g);
            List<Region> rs = s.regions(g, view);
            for (Region r : rs) names.add(r.name());
            solver = s.solver(g);   // bad method options fail here, before any Spark job
            D = s.latentSpace().dim(g.latentDim(), g.numLayers());
            settings = s.record(g, view, rs);
            settings.put("codes", codes.describe());
            input = codes.rows(spark, g, s.latentSpace(), partitions);
        }
        final int dim = D;
        JavaRDD<Sum> partial = input.javaRDD().mapPartitions(it -> List.of(partitionSum(s, names, dim, it)).iterator());
        Sum total = partial.treeReduce(Sum::merge, Math.max(1, depth));
        if (total.codes == 0) throw new ganfactor.InputException("no codes to aggregate");
        List<Directions> dirs = new ArrayList<>();
        for (int r = 0; r < names.size(); r++) dirs.add(solver.solve(Solver.Problem.of(total.mean(r))));
        return new Result(total, dirs, settings, (System.nanoTime() - t0) / 1e9);
    }

    /** One partition's sum, on its executor. */
    static Sum partitionSum(DiscoverySettings s, List<String> names, int dim, Iterator<Row> codes) {
        Sum sum = new Sum(names, dim);
        try (ExecutorGenerator.Lease lease = ExecutorGenerator.lease(s.model)) {
            Generator g = lease.generator();
            View view = s.view(g);
            List<Region> rs = s.regions(g, view);
            LatentSpace space = s.latentSpace();
            JacobianEngine.Options jo = s.context().engine(s.jacobian());   // host Grams: they are summed here and shipped
            CodeProgress progress = CodeProgress.of("aggregate", s.progress);
            while (codes.hasNext()) {
                try (PointerScope scope = new PointerScope()) {   // the code's own tensors (z, mapping) are freed here too
                    double[] x = CodeSource.code(codes.next(), g, space, s.psi, s.truncationLayers);
                    long t0 = System.nanoTime();
                    JacobianEngine.Result res = DiscoverBatch.jacobian(g, x, space, view, rs, jo);
                    sum.jacobianSeconds += (System.nanoTime() - t0) / 1e9;
                    sum.add(res.grams());
                }
                progress.tick();
            }
        }
        return sum;
    }

    /**
     * Writes, into a local folder on the driver (staged and committed at once): per region {@code
     * <region>/directions.npy} [k, d] float32, {@code eigenvalues.npy}, {@code A_sum.npy} and {@code
     * B_sum.npy} [d, d] float64 (sums, not means: sums of later runs add up), and {@code aggregate.json}.
     */
    public static void write(Result r, Path out, boolean force) {
        write(r, out, force, ganfactor.io.Inputs.NONE);
    }

    /** As above; {@code out} may be none of {@code inputs}, nor hold one. */
    public static void write(Result r, Path out, boolean force, ganfactor.io.Inputs inputs) {
        try (OutputDir dir = new OutputDir(out, force, "ganfactor-spark aggregate", inputs)) {
            Sum s = r.sum();
            List<Map<String, Object>> results = new ArrayList<>();
            for (int i = 0; i < s.regions.size(); i++) {
                String p = s.regions.get(i) + "/";
                r.directions().get(i).write(dir, p, false);
                Npy.writeFloat64(dir.file(p + "A_sum.npy"), s.a[i], s.dim, s.dim);
                Npy.writeFloat64(dir.file(p + "B_sum.npy"), s.b[i], s.dim, s.dim);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("region", s.regions.get(i));
                m.put("solve", r.directions().get(i).info());
                m.put("top_eigenvalues", java.util.Arrays.copyOf(r.directions().get(i).values(), Math.min(8, r.directions().get(i).count())));
                results.add(m);
            }
            RunRecord rec = RunRecord.of("ganfactor-spark aggregate");
            rec.putAll(r.settings());
            rec.put("aggregated_codes", s.codes);
            rec.put("grams", "A_sum/B_sum: sums over the codes; the solve used their mean (sum / codes), as discover --aggregate");
            rec.put("results", results);
            rec.put("seconds", RunRecord.ordered("jacobian_task_seconds_summed", s.jacobianSeconds, "total_wall", r.seconds()));
            dir.writeString("aggregate.json", rec.json());
            dir.commit();
        }
    }
}
