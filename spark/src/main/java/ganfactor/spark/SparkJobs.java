package ganfactor.spark;

import ganfactor.InputException;
import ganfactor.method.InterFaceGan;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The launcher: {@code discover-batch}, {@code aggregate} and {@code interfacegan} over the
 * library. Without {@code --master} and outside spark-submit it runs Spark embedded in local mode
 * ({@code local[*]}); under spark-submit the master and resources come from spark-submit. Bad input
 * prints one line and exits 2, a lost race for the output folder 3, as the command line does.
 */
@Command(name = "ganfactor-spark", mixinStandardHelpOptions = true, version = "ganfactor-spark " + ganfactor.Engine.VERSION,
        subcommands = {SparkJobs.DiscoverBatchCommand.class, SparkJobs.AggregateCommand.class, SparkJobs.InterFaceGanCommand.class},
        description = "Batch discovery and InterFaceGAN sampling on Apache Spark (local mode by default, or through spark-submit).")
public final class SparkJobs implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** The launcher's command line, the method settings' flags built from the registry as the CLI's. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SparkJobs());
        for (CommandLine sub : cl.getSubcommands().values())
            if (sub.getCommand() instanceof ganfactor.cli.RegistryOptions.Offers o) ganfactor.cli.RegistryOptions.add(sub.getCommandSpec(), o.registrySettings());
        return cl;
    }

    public static void main(String[] args) {
        CommandLine cl = commandLine();
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            Throwable t = e;
            while (t != null && !(t instanceof InputException) && !(t instanceof ganfactor.ConflictException)) t = t.getCause();
            if (t != null) {
                System.err.println("ganfactor-spark: " + ganfactor.Failure.of(t, s -> "--" + s).message());   // the settings as this launcher's flags, as the CLI words them
                return t instanceof ganfactor.ConflictException ? 3 : 2;   // as the command line: 3 = another run took the output
            }
            throw e;
        });
        int code = cl.execute(args);
        System.exit(code);
    }

    /** Options every job shares: Spark, the model, the partitions. */
    static class Common {
        @Option(names = "--master", description = "Spark master when not launched by spark-submit (default: local[*], Spark embedded)")
        String master;
        @Option(names = "--model", defaultValue = "demo", description = ganfactor.generator.Generator.MODEL_SPECS + "; a file must be readable at this path on every worker (default: ${DEFAULT-VALUE})")
        String model;
        @Option(names = "--precision", defaultValue = "float32", description = "float32 or float64 (default: ${DEFAULT-VALUE})")
        String precision;
        @Option(names = "--device", defaultValue = "auto", description = "auto (the task's GPU when Spark gives one, else CPU) or cpu (default: ${DEFAULT-VALUE})")
        String device;
        @Option(names = "--threads", defaultValue = "0", description = "LibTorch threads per executor JVM (0: the executor's cores)")
        int threads;
        @Option(names = "--partitions", defaultValue = "0", description = "partitions (0: Spark's default parallelism)")
        int partitions;
        @Option(names = "--quiet", description = "no line per finished partition, nor the executors' line every 30 s within one")
        boolean quiet;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec command;

        /** The files this command line reads (its options less those naming outputs), which no output may replace. */
        ganfactor.io.Inputs inputs(String... outputs) {
            return ganfactor.cli.CommandInputs.of(command, outputs);
        }

        ModelSpec spec() {
            return new ModelSpec(model, precision, device, threads);
        }

        SparkSession spark(String job) {
            SparkSession.Builder b = SparkSession.builder().appName("ganfactor-spark " + job);
            if (master != null) b.master(master);
            else if (System.getProperty("spark.master") == null) b.master("local[*]");
            SparkSession s = b.getOrCreate();
            if (!quiet) {
                s.sparkContext().addSparkListener(new PartitionLog(System.err));
                scala.Option<String> ui = s.sparkContext().uiWebUrl();
                if (ui.isDefined()) System.err.println("ganfactor-spark: Spark UI at " + ui.get());
            }
            return s;
        }

        int partitions(SparkSession s) {
            return partitions > 0 ? partitions : s.sparkContext().defaultParallelism();
        }
    }

    static class Discovery extends Common implements ganfactor.cli.RegistryOptions.Offers {
        /** The settings of the region methods, as the command line's discover offers them. */
        static final java.util.List<ganfactor.pipeline.Setting<?>> SETTINGS = ganfactor.pipeline.Methods.settingsOf(ganfactor.pipeline.Methods.regionalMethods());

        @Override
        public java.util.List<ganfactor.pipeline.Setting<?>> registrySettings() {
            return SETTINGS;
        }

        @Option(names = "--codes", required = true, description = "seeds:FIRST-LAST (one code per seed), FILE.npy / npy:FILE, or parquet:PATH#COLUMN[,INDEX]")
        String codes;
        @Option(names = "--space", defaultValue = "w", description = "z, w or wp (default: ${DEFAULT-VALUE})")
        String space;
        @Option(names = "--region", required = true, description = "region, as discover's --region; repeat for several")
        List<String> regions = new ArrayList<>();
        @Option(names = "--grid", description = "Jacobian view grid (default: the official rule)")
        Integer grid;
        @Option(names = "--reduce", description = "sum, mean or none (default: the official rule)")
        String reduce;
        @Option(names = "--method", defaultValue = "resefa", description = "resefa or lowrankgan (default: ${DEFAULT-VALUE})")
        String method;
        @Option(names = "--jacobian-mode", defaultValue = "forward", description = "forward, double-backward or reverse (default: ${DEFAULT-VALUE})")
        String mode;
        @Option(names = "--truncation", defaultValue = "1.0", description = "truncation psi of codes drawn from seeds")
        double psi;

        DiscoverySettings settings() {
            DiscoverySettings s = new DiscoverySettings();
            s.model = spec();
            s.space = space;
            s.regions = regions;
            s.grid = grid;
            s.reduce = reduce;
            s.method = method.toLowerCase(Locale.ROOT);
            // the method settings: flags built from the registry (ganfactor.cli.RegistryOptions), as the command line's discover
            s.methodSettings.putAll(ganfactor.cli.RegistryOptions.request(command, ganfactor.pipeline.Methods.regional(method), SETTINGS).givenTexts());
            s.jacobianMode = mode;
            s.psi = psi;
            s.progress = !quiet;
            return s;
        }
    }

    @Command(name = "discover-batch", description = "Per-code directions and eigenvalues of every region, as Parquet (one row per code and region).")
    static final class DiscoverBatchCommand extends Discovery implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "output Parquet folder (any Hadoop file system path)")
        String out;
        @Option(names = "--force", description = "replace an existing output")
        boolean force;

        @Override
        public Integer call() {
            DiscoverySettings s = settings();
            CodeSource c = CodeSource.parse(codes);
            SparkSession spark = spark("discover-batch");
            long t0 = System.nanoTime();
            DiscoverBatch.run(spark, s, c, partitions(spark), out, force, inputs("--out"));
            long n = spark.read().parquet(out).count();
            System.out.printf(Locale.ROOT, "%d row(s) (codes x regions) in %.1f s; wrote %s%n", n, (System.nanoTime() - t0) / 1e9, out);
            spark.stop();
            return 0;
        }
    }

    @Command(name = "aggregate", description = "Gram pairs summed over all codes (per partition, then by tree reduction), solved once on the driver.")
    static final class AggregateCommand extends Discovery implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "local output folder on the driver")
        Path out;
        @Option(names = "--force", description = "replace an earlier ganfactor output folder")
        boolean force;
        @Option(names = "--depth", defaultValue = "2", description = "tree reduction depth (default: ${DEFAULT-VALUE})")
        int depth;

        @Override
        public Integer call() {
            DiscoverySettings s = settings();
            CodeSource c = CodeSource.parse(codes);
            SparkSession spark = spark("aggregate");
            AggregateGrams.Result r = AggregateGrams.run(spark, s, c, partitions(spark), depth);
            AggregateGrams.write(r, out, force, inputs("--out"));
            System.out.printf(Locale.ROOT, "%d code(s) aggregated over %d region(s) in %.1f s; wrote %s%n", r.sum().codes, r.sum().regions.size(), r.seconds(), out);
            spark.stop();
            return 0;
        }
    }

    @Command(name = "interfacegan", description = "Sample and score N codes across executors into Parquet, then train the boundary on the driver.")
    static final class InterFaceGanCommand extends Common implements Callable<Integer> {
        @Option(names = "--space", defaultValue = "z", description = "z, w or wp (default: ${DEFAULT-VALUE})") String space;
        @Option(names = "--seed", defaultValue = "0", description = "seed of z = RandomState(seed).randn(N, d), as the command line's sample (default: ${DEFAULT-VALUE})") long seed;
        @Option(names = "--num", required = true, description = "number of codes N") int num;
        @Option(names = "--truncation", defaultValue = "1.0", description = "truncation psi of wp (what is rendered and scored) (default: ${DEFAULT-VALUE})") double psi;
        @Option(names = "--truncation-layers", defaultValue = "8", description = "layers truncated (default: ${DEFAULT-VALUE})") int truncLayers;
        @Option(names = "--batch", defaultValue = "64", description = "codes per synthesis batch; partitions split at whole batches (default: ${DEFAULT-VALUE})") int batch;
        @Option(names = "--attribute", description = "ground-truth attribute of the generator; repeatable") List<String> attributes = new ArrayList<>();
        @Option(names = "--region-stat", description = "STAT@REGION; repeatable") List<String> regionStats = new ArrayList<>();
        @Option(names = "--attribute-model", description = "[NAME=]FILE TorchScript scorer, readable on every worker; repeatable") List<String> models = new ArrayList<>();
        @Option(names = "--samples", required = true, description = "output Parquet folder of the scored codes") String samples;
        @Option(names = "--force", description = "replace existing outputs") boolean force;
        @Option(names = "--out", description = "local folder for boundary.npy and boundary.json (omit to only sample)") Path out;
        @Option(names = "--score", description = "the score to train on (default: the only one)") String score;
        @Option(names = "--train-on", description = "code column to train on: z, w or wp (default: the space's)") String trainOn;
        @Option(names = "--train-sample", defaultValue = "0", description = "train on this many rows (hash subsample; 0 = all, collected to the driver)") long trainSample;
        @Option(names = "--ratio", defaultValue = "0.02", description = "fraction of samples per class, or a count per class when > 1, as train-boundary (default: ${DEFAULT-VALUE})") double ratio;
        @Option(names = "--split", defaultValue = "0.7", description = "fraction of each class used for training (default: ${DEFAULT-VALUE})") double split;
        @Option(names = "--svm-seed", defaultValue = "0", description = "seed of the train/validation shuffle (default: ${DEFAULT-VALUE})") long svmSeed;

        @Override
        public Integer call() {
            InterFaceGanJob.Settings s = new InterFaceGanJob.Settings();
            s.model = spec();
            s.space = space;
            s.seed = seed;
            s.num = num;
            s.psi = psi;
            s.truncationLayers = truncLayers;
            s.batch = batch;
            s.attributes = attributes;
            s.regionStats = regionStats;
            s.models = models;
            if (out != null && score == null && attributes.size() + regionStats.size() + models.size() != 1)
                throw new InputException("--score: name the score to train on (several scorers were given)");
            SparkSession spark = spark("interfacegan");
            long t0 = System.nanoTime();
            InterFaceGanJob.writeSamples(spark, s, partitions(spark), samples, force, inputs("--out", "--samples"));
            System.out.printf(Locale.ROOT, "%d code(s) sampled and scored in %.1f s; wrote %s%n", num, (System.nanoTime() - t0) / 1e9, samples);
            if (out != null) {
                String sc = score != null ? score : !attributes.isEmpty() ? attributes.get(0) : null;
                if (sc == null) {
                    String[] cols = spark.read().parquet(samples).schema().fieldNames();
                    for (String c : cols) if (c.startsWith("score_")) sc = c;
                }
                String col = trainOn != null ? trainOn : space.toLowerCase(Locale.ROOT);
                InterFaceGan.Options o = new InterFaceGan.Options();
                o.ratio = ratio;
                o.split = split;
                o.seed = svmSeed;
                InterFaceGanJob.TrainingData t = InterFaceGanJob.collect(spark, samples, col, sc, trainSample, seed);
                InterFaceGan.Boundary b = InterFaceGanJob.train(t, o, out, force, inputs("--out", "--samples"),
                        Map.of("samples_table", samples, "code_column", col, "score", sc, "train_sample", trainSample == 0 ? "all rows" : trainSample + " rows (hash subsample)"));
                System.out.printf(Locale.ROOT, "boundary in %d dimensions from %d sample(s): validation accuracy %.2f%%; wrote %s%n", b.dim(), t.scores().length,
                        100 * b.validationAccuracy(), out);
                for (String w : ganfactor.pipeline.BoundaryJob.warnings(b)) System.err.println("ganfactor-spark: warning: " + w);
            }
            spark.stop();
            return 0;
        }
    }
}
