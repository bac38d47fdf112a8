/**
 * ganfactor on Apache Spark: batch discovery and InterFaceGAN sampling over many latent codes, on
 * a laptop ({@code local[N]}, Spark embedded) or a cluster ({@code spark-submit}), through the
 * library layer only ({@code ganfactor.pipeline}, {@code jacobian}, {@code method}, {@code
 * generator}, {@code io}), never {@code ganfactor.cli}. The core module does not depend on Spark.
 *
 * <p>{@code SparkJobs} is the launcher (subcommands {@code discover-batch}, {@code aggregate},
 * {@code interfacegan}); {@code DiscoverBatch} writes per-code directions as Parquet, {@code
 * AggregateGrams} sums Gram pairs per partition and by tree reduction and solves once on the
 * driver, {@code InterFaceGanJob} samples and scores codes across executors and trains the
 * boundary with {@code ganfactor.method.InterFaceGan}. {@code CodeSource} says where codes come
 * from (a seed range, an .npy, a Parquet column) and is checked on the driver before any task
 * runs; {@code ExecutorGenerator} loads the generator once per executor JVM and picks the task's
 * GPU when Spark's resource scheduling gave it one; {@code StagedOutput} makes the Parquet output
 * appear all at once (staging folder, then one rename), so that a retried task never duplicates
 * rows; {@code PartitionLog} prints a line per finished partition.
 */
package ganfactor.spark;
