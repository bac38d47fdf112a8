package ganfactor.spark;

import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.io.Json;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.jacobian.Mode;
import ganfactor.method.Directions;
import ganfactor.pipeline.Solver;
import ganfactor.region.Region;
import ganfactor.region.View;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.bytedeco.javacpp.PointerScope;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Per-image discovery over many codes: for every code and region, the directions and eigenvalues
 * of the library's single-process path (the Jacobian engine's Gram pair, then the solver, as
 * {@code ganfactor.pipeline.Discovery} does per sample), one Parquet row each.
 *
 * <p>Rows: {@code index} (the code's key), {@code seed} (null unless drawn from a seed), {@code
 * region}, {@code method}, {@code space}, {@code dim} (d), {@code count} (k), {@code eigenvalues}
 * [k] in descending order, {@code directions} [k * d] (row-major unit rows, the library's sign
 * convention), {@code jacobian_seconds}, {@code solve_seconds}, and {@code settings} (the run
 * record's settings as JSON, the same in every row). Written through {@link StagedOutput}: the
 * table appears at once, each (index, region) exactly once, whatever tasks were retried.
 */
public final class DiscoverBatch {
    public static final StructType SCHEMA = new StructType(new StructField[]{
            DataTypes.createStructField("index", DataTypes.LongType, false),
            DataTypes.createStructField("seed", DataTypes.LongType, true),
            DataTypes.createStructField("region", DataTypes.StringType, false),
            DataTypes.createStructField("method", DataTypes.StringType, false),
            DataTypes.createStructField("space", DataTypes.StringType, false),
            DataTypes.createStructField("dim", DataTypes.IntegerType, false),
            DataTypes.createStructField("count", DataTypes.IntegerType, false),
            DataTypes.createStructField("eigenvalues", DataTypes.createArrayType(DataTypes.DoubleType, false), false),
            DataTypes.createStructField("directions", DataTypes.createArrayType(DataTypes.DoubleType, false), false),
            DataTypes.createStructField("jacobian_seconds", DataTypes.DoubleType, false),
            DataTypes.createStructField("solve_seconds", DataTypes.DoubleType, false),
            DataTypes.createStructField("settings", DataTypes.StringType, false)});

    /** A test hook: a task's first attempt throws after emitting this many rows (negative: never). */
    public static volatile int failFirstAttemptAfterRows = -1;

    private DiscoverBatch() {}

    /** The prepared job: its rows (lazy: nothing has run yet) and the run record's settings. */
    public record Plan(Dataset<Row> rows, Map<String, Object> settings, long codes) {}

    /**
     * Checks everything on the driver (settings, the model by loading it, the regions, the codes'
     * shapes) before any executor work, and returns the lazy table of results.
     */
    public static Plan plan(SparkSession spark, DiscoverySettings s, CodeSource codes, int partitions) {
        s.check();
        Map<String, Object> settings;
        Dataset<Row> input;
        try (ExecutorGenerator.Lease lease = ExecutorGenerator.lease(s.model)) {
            Generator g = lease.generator();
            View view = s.view(g);
            List<Region> rs = s.regions(g, view);
            s.solver(g);
            settings = s.record(g, view, rs);
            settings.put("codes", codes.describe());
            input = codes.rows(spark, g, s.latentSpace(), partitions);
        }
        String json = Json.write(settings);
        int fail = failFirstAttemptAfterRows;
        JavaRDD<Row> out = input.javaRDD().mapPartitions(it -> new PartitionWork(s, json, fail).run(it), true);
        return new Plan(spark.createDataFrame(out, SCHEMA), settings, -1);
    }

    /** Plans, runs and writes the table to {@code out} (any Hadoop file system path), all at once. */
    public static void run(SparkSession spark, DiscoverySettings s, CodeSource codes, int partitions, String out, boolean force) {
        run(spark, s, codes, partitions, out, force, ganfactor.io.Inputs.NONE);
    }

    /** As above; {@code out} may be none of {@code inputs}, nor hold one. */
    public static void run(SparkSession spark, DiscoverySettings s, CodeSource codes, int partitions, String out, boolean force, ganfactor.io.Inputs inputs) {
        StagedOutput.requireWritable(spark, out, force, inputs);
        Plan p = plan(spark, s, codes, partitions);
        Map<String, Object> rec = new java.util.LinkedHashMap<>(p.settings());
        rec.put("tool", "ganfactor-spark discover-batch");
        rec.put("rows", "one per code and region: " + String.join(", ", SCHEMA.fieldNames()));
        StagedOutput.write(spark, p.rows(), out, force, Json.write(rec));
    }

    /**
     * One partition on an executor: the JVM's generator, the library objects built once, then one
     * code at a time as the writer asks for rows (lazily: rows stream into the task's output file).
     */
    private static final class PartitionWork implements Iterator<Row> {
        private final DiscoverySettings s;
        private final String settingsJson;
        private final int failAfter;
        private Iterator<Row> codes;
        private ExecutorGenerator.Lease lease;
        private Generator g;
        private View view;
        private List<Region> rs;
        private Solver solver;
        private LatentSpace space;
        private JacobianEngine.Options jo;
        private final java.util.ArrayDeque<Row> ready = new java.util.ArrayDeque<>();
        private TaskContext tc;
        private boolean inject;
        private int emitted;
        private CodeProgress progress;

        PartitionWork(DiscoverySettings s, String settingsJson, int failAfter) {
            this.s = s;
            this.settingsJson = settingsJson;
            this.failAfter = failAfter;
        }

        Iterator<Row> run(Iterator<Row> input) {
            codes = input;
            tc = TaskContext.get();
            inject = failAfter >= 0 && tc != null && tc.attemptNumber() == 0;
            lease = ExecutorGenerator.lease(s.model);
            if (tc != null) tc.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> lease.close());   // also when the task fails
            g = lease.generator();
            view = s.view(g);
            rs = s.regions(g, view);
            solver = s.solver(g);
            space = s.latentSpace();
            // the discovery core's stage: the same device Grams and region rows as the command line's discover
            jo = ganfactor.pipeline.Discovery.stageOptions(s.jacobian(), solver, space.dim(g.latentDim(), g.numLayers()), view, rs, s.context());
            progress = CodeProgress.of("discover-batch", s.progress);
            return this;
        }

        @Override
        public boolean hasNext() {
            if (ready.isEmpty() && codes.hasNext()) compute(codes.next());
            if (ready.isEmpty()) lease.close();
            return !ready.isEmpty();
        }

        @Override
        public Row next() {
            if (!hasNext()) throw new java.util.NoSuchElementException();
            if (inject && emitted >= failAfter)
                throw new IllegalStateException("injected failure of task attempt 0 (partition " + tc.partitionId() + ") after " + emitted + " row(s)");
            emitted++;
            return ready.poll();
        }

        /** Every region's row for one code: one Jacobian pass, then one solve per region (Discovery's per-sample path). */
        private void compute(Row row) {
            try (PointerScope scope = new PointerScope()) {   // the code's own tensors (z, mapping) are freed here too
                double[] x = CodeSource.code(row, g, space, s.psi, s.truncationLayers);
                long t0 = System.nanoTime();
                JacobianEngine.Result res = jacobian(g, x, space, view, rs, jo);
                double jac = (System.nanoTime() - t0) / 1e9;
                ganfactor.pipeline.Discovery.Solved solved = ganfactor.pipeline.Discovery.solveRegions(res, solver, g, s.context());
                for (int r = 0; r < rs.size(); r++) {
                    Directions d = solved.directions().get(r);
                    double solve = solved.solveSeconds()[r];
                    ready.add(RowFactory.create(row.getLong(0), row.isNullAt(1) ? null : row.getLong(1), rs.get(r).name(), solver.name(),
                            space.label(), d.dim(), d.count(), d.values().clone(), d.vectors().clone(), jac, solve, settingsJson));
                }
            }
            progress.tick();
        }
    }

    /**
     * The Jacobian stage. The engine itself serialises forward-mode passes (LibTorch's process-wide
     * dual level); here a whole forward-mode Jacobian is one task's at a time per JVM, so that each
     * holds its memory budget alone (the automatic budget is sized for one Jacobian) and the
     * intra-op threads are not split between tasks.
     */
    static JacobianEngine.Result jacobian(Generator g, double[] x, LatentSpace space, View view, List<Region> rs, JacobianEngine.Options jo) {
        if (jo.mode == Mode.FORWARD) return ExecutorGenerator.exclusive(() -> JacobianEngine.compute(g, x, space, view, rs, jo));
        return JacobianEngine.compute(g, x, space, view, rs, jo);
    }
}
