package ganfactor.spark;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.generator.NumpyRandom;
import ganfactor.io.Json;
import ganfactor.io.Npy;
import ganfactor.io.OutputDir;
import ganfactor.method.InterFaceGan;
import ganfactor.pipeline.BoundaryJob;
import ganfactor.pipeline.RunRecord;
import ganfactor.pipeline.Sampling;
import ganfactor.score.Scorer;
import ganfactor.torch.Torch;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

/**
 * InterFaceGAN at scale. <b>Sampling</b>: N codes from one seed, exactly the command line's
 * {@code sample --seed S --num N} (z = RandomState(S).randn(N, d): the partition that starts at row
 * i draws and discards the first i d normals of that stream, so the codes do not depend on the
 * partitioning; partitions hold whole batches of the command line's, so even a float32 mapping
 * sees the same batches and gives the same bits), mapped, broadcast to W+, truncated, rendered when a scorer needs images and scored,
 * batch by batch on the executors; one Parquet row per code: {@code index}, {@code z} (space z),
 * {@code w} (spaces z and w), {@code wp} [L d] (always, as the command line's wp.npy), and a
 * {@code score_<name>} column per scorer. <b>Training</b>: the boundary of {@code
 * ganfactor.method.InterFaceGan.train} (the command line's {@code train-boundary}) on the driver,
 * from all rows or a stated subsample (the M rows with the smallest hash of (index, seed): the same
 * rows whatever the partitioning), collected in index order.
 */
public final class InterFaceGanJob {
    private InterFaceGanJob() {}

    public static final class Settings implements Serializable {
        public ModelSpec model = ModelSpec.demo();
        public String space = "z";
        public long seed;
        public int num = 1;
        public double psi = 1.0;
        public int truncationLayers = 8;
        public int batch = 64;
        public List<String> attributes = new ArrayList<>();
        public List<String> regionStats = new ArrayList<>();
        /** TorchScript attribute models, [NAME=]FILE; the file must be readable at that path on every worker. */
        public List<String> models = new ArrayList<>();

        void check() {
            LatentSpace.parse(space);
            if (num < 1) throw new InputException("--num must be positive, got " + num);
            if (seed < 0 || seed > 0xffffffffL) throw new InputException("--seed must be between 0 and 4294967295, got " + seed);
            if (!Double.isFinite(psi)) throw new InputException("--truncation must be a finite number, got " + psi);
            if (batch < 1) throw new InputException("--batch must be positive, got " + batch);
            if (attributes.isEmpty() && regionStats.isEmpty() && models.isEmpty())
                throw new InputException("give at least one scorer: --attribute, --region-stat or --attribute-model");
        }
    }

    /** The lazy table of sampled, scored codes; the settings, model and scorers are checked on the driver first. */
    public static Dataset<Row> sample(SparkSession spark, Settings s, int partitions) {
        s.check();
        LatentSpace space = LatentSpace.parse(s.space);
        List<String> names = new ArrayList<>();
        try (ExecutorGenerator.Lease lease = ExecutorGenerator.lease(s.model)) {
            Generator g = lease.generator();
            if (s.psi != 1.0) Latents.wAvg(g, s.psi);   // a generator without w_avg fails here, not on an executor
            for (Scorer sc : Sampling.scorers(g, s.attributes, s.models, s.regionStats, null, s.num)) names.add(sc.name());
        }
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField("index", DataTypes.LongType, false));
        if (space == LatentSpace.Z) fields.add(DataTypes.createStructField("z", DataTypes.createArrayType(DataTypes.DoubleType, false), false));
        if (space != LatentSpace.WP) fields.add(DataTypes.createStructField("w", DataTypes.createArrayType(DataTypes.DoubleType, false), false));
        fields.add(DataTypes.createStructField("wp", DataTypes.createArrayType(DataTypes.DoubleType, false), false));
        for (String n : names) fields.add(DataTypes.createStructField("score_" + n, DataTypes.DoubleType, false));
        StructType schema = new StructType(fields.toArray(new StructField[0]));
        // partitions split at whole batches of --batch: every batch is the command line's batch,
        // so the float32 mapping and scorers see the same inputs and give the same bits
        int batches = (int) ((s.num + (long) s.batch - 1) / s.batch);
        int parts = Math.max(1, Math.min(partitions, batches));
        List<int[]> ranges = new ArrayList<>();
        for (int p = 0; p < parts; p++)
            ranges.add(new int[]{(int) Math.min(s.num, (long) s.batch * ((long) batches * p / parts)), (int) Math.min(s.num, (long) s.batch * ((long) batches * (p + 1) / parts))});
        JavaRDD<int[]> slices = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(ranges, parts);
        JavaRDD<Row> rows = slices.flatMap(r -> sampleRange(s, r[0], r[1]).iterator());
        return spark.createDataFrame(rows, schema);
    }

    /** Samples and scores rows [lo, hi) on an executor, as the command line's Sampling does batch by batch. */
    static List<Row> sampleRange(Settings s, int lo, int hi) {
        LatentSpace space = LatentSpace.parse(s.space);
        List<Row> out = new ArrayList<>(hi - lo);
        try (ExecutorGenerator.Lease lease = ExecutorGenerator.lease(s.model); NoGradGuard ng = new NoGradGuard()) {
            Generator g = lease.generator();
            int d = g.latentDim(), L = g.numLayers();
            List<Scorer> scorers = Sampling.scorers(g, s.attributes, s.models, s.regionStats, null, s.num);
            boolean needImages = scorers.stream().anyMatch(Scorer::needsImages);
            double[] wAvg = s.psi == 1.0 ? null : Latents.wAvg(g, s.psi);
            NumpyRandom rng = new NumpyRandom(s.seed);
            for (long i = 0; i < (long) lo * d; i++) rng.nextGaussian();   // the stream up to row lo
            for (int b0 = lo; b0 < hi; b0 += s.batch) {
                int nb = Math.min(s.batch, hi - b0);
                try (PointerScope scope = new PointerScope()) {
                    double[] z = new double[nb * d];
                    for (int i = 0; i < z.length; i++) z[i] = rng.nextGaussian();
                    double[] w = Torch.toDoubles(g.mapping(Torch.of(z, nb, d).to(g.dtype())));
                    double[] wp = new double[nb * L * d];
                    for (int i = 0; i < nb; i++)
                        for (int l = 0; l < L; l++) System.arraycopy(w, i * d, wp, (i * L + l) * d, d);
                    if (wAvg != null) Latents.truncateInPlace(wp, nb, L, d, wAvg, s.psi, s.truncationLayers);
                    Tensor wpt = Torch.of(wp, nb, L, d).to(g.dtype());
                    Tensor img = needImages ? g.synthesis(wpt) : null;
                    float[] px = img == null ? null : Torch.toFloats(img);
                    Scorer.Batch batch = new Scorer.Batch(b0, nb, wpt, img, px, g.channels(), g.height(), g.width());
                    double[][] scores = new double[scorers.size()][];
                    for (int k = 0; k < scorers.size(); k++) scores[k] = scorers.get(k).score(batch);
                    for (int i = 0; i < nb; i++) {
                        List<Object> v = new ArrayList<>();
                        v.add((long) (b0 + i));
                        if (space == LatentSpace.Z) v.add(java.util.Arrays.copyOfRange(z, i * d, (i + 1) * d));
                        if (space != LatentSpace.WP) v.add(java.util.Arrays.copyOfRange(w, i * d, (i + 1) * d));
                        v.add(java.util.Arrays.copyOfRange(wp, i * L * d, (i + 1) * L * d));
                        for (double[] sc : scores) v.add(sc[i]);
                        out.add(RowFactory.create(v.toArray()));
                    }
                }
            }
        }
        return out;
    }

    /** Samples, scores and writes the table to {@code out} at once (see {@link StagedOutput}). */
    public static void writeSamples(SparkSession spark, Settings s, int partitions, String out, boolean force) {
        writeSamples(spark, s, partitions, out, force, ganfactor.io.Inputs.NONE);
    }

    /** As above; {@code out} may be none of {@code inputs}, nor hold one. */
    public static void writeSamples(SparkSession spark, Settings s, int partitions, String out, boolean force, ganfactor.io.Inputs inputs) {
        StagedOutput.requireWritable(spark, out, force, inputs);
        Dataset<Row> rows = sample(spark, s, partitions);
        Map<String, Object> rec = RunRecord.ordered("tool", "ganfactor-spark interfacegan", "model", s.model.model(), "precision", s.model.precision(),
                "space", s.space, "latents", "seed " + s.seed + ": z = RandomState(seed).randn(N, d)", "samples", s.num,
                "truncation", RunRecord.ordered("psi", s.psi, "layers", s.truncationLayers), "scorers", RunRecord.ordered("attributes", s.attributes,
                        "region_stats", s.regionStats, "models", s.models), "batch", s.batch, "columns", List.of(rows.schema().fieldNames()));
        StagedOutput.write(spark, rows, out, force, Json.write(rec));
    }

    /** What training read: the codes and scores in index order, and the indices. */
    public record TrainingData(double[] codes, int dim, double[] scores, long[] index) {}

    /**
     * The codes and scores to train on, collected to the driver in index order: all rows, or with
     * {@code subsample} > 0 the {@code subsample} rows with the smallest hash of (index, seed).
     */
    public static TrainingData collect(SparkSession spark, String samples, String codeColumn, String scoreColumn, long subsample, long seed) {
        Dataset<Row> df = spark.read().parquet(samples);
        List<String> cols = List.of(df.schema().fieldNames());
        if (!cols.contains(codeColumn)) throw new InputException(samples + ": no code column '" + codeColumn + "' (columns: " + String.join(", ", cols) + ")");
        String sc = cols.contains(scoreColumn) ? scoreColumn : "score_" + scoreColumn;
        if (!cols.contains(sc)) throw new InputException(samples + ": no score column '" + scoreColumn + "' (columns: " + String.join(", ", cols) + ")");
        Dataset<Row> pick = df.select(col("index"), col(codeColumn), col(sc));
        if (subsample > 0) {
            final long sd = seed;
            var hash = udf((Long i) -> mix(i ^ mix(sd)), DataTypes.LongType);
            pick = pick.withColumn("h", hash.apply(col("index"))).orderBy(col("h"), col("index")).limit((int) Math.min(Integer.MAX_VALUE, subsample)).drop("h");
        }
        List<Row> rows = pick.orderBy(col("index")).collectAsList();
        if (rows.isEmpty()) throw new InputException(samples + ": holds no samples");
        int dim = rows.get(0).getList(1).size();
        double[] codes = new double[rows.size() * dim], scores = new double[rows.size()];
        long[] index = new long[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            index[i] = r.getLong(0);
            double[] c = CodeSource.unbox(r.getList(1));
            System.arraycopy(c, 0, codes, i * dim, dim);
            scores[i] = r.getDouble(2);
        }
        return new TrainingData(codes, dim, scores, index);
    }

    /** splitmix64's finaliser: a well-mixed 64-bit hash. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Trains with the command line's algorithm and writes boundary.npy [1, dim] and boundary.json into a local folder on the driver. */
    public static InterFaceGan.Boundary train(TrainingData t, InterFaceGan.Options o, Path out, boolean force, Map<String, Object> about) {
        return train(t, o, out, force, ganfactor.io.Inputs.NONE, about);
    }

    /** As above; {@code out} may be none of {@code inputs}, nor hold one. */
    public static InterFaceGan.Boundary train(TrainingData t, InterFaceGan.Options o, Path out, boolean force, ganfactor.io.Inputs inputs, Map<String, Object> about) {
        InterFaceGan.Boundary b = InterFaceGan.train(t.codes(), t.dim(), t.scores(), o);
        if (out != null) {
            try (OutputDir dir = new OutputDir(out, force, "ganfactor-spark interfacegan", inputs)) {
                Npy.writeFloat64(dir.file("boundary.npy"), b.normal(), 1, b.dim());
                RunRecord rec = RunRecord.of("ganfactor-spark interfacegan");
                rec.putAll(about);
                rec.put("samples", t.scores().length);
                rec.put("boundary", "boundary.npy [1, " + b.dim() + "] float64, unit norm, positive side = high scores");
                rec.putAll(b.summary(o));
                List<String> warnings = BoundaryJob.warnings(b);
                if (!warnings.isEmpty()) rec.put("warnings", warnings);
                dir.writeString("boundary.json", rec.json());
                dir.commit();
            }
        }
        return b;
    }
}
