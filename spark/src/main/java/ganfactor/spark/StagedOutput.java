package ganfactor.spark;

import ganfactor.InputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * A Parquet table that appears all at once: Spark writes it into a hidden staging folder beside
 * the target through its output committer (each task's file is committed only by the attempt that
 * succeeded, so a failed or speculative attempt leaves no rows), the run record goes in as {@code
 * _ganfactor.json} (Parquet readers skip names starting with '_'), then one rename moves it into
 * place. A rerun with {@code force} replaces the table instead of adding to it. A failed job leaves
 * no target and removes its staging folder.
 */
public final class StagedOutput {
    public static final String RECORD = "_ganfactor.json";

    private StagedOutput() {}

    /** Refuses an existing target without {@code force}, on the driver, before any work. */
    public static void requireWritable(SparkSession spark, String out, boolean force) {
        requireWritable(spark, out, force, ganfactor.io.Inputs.NONE);
    }

    /** As {@link #requireWritable(SparkSession, String, boolean)}; a local target that is or holds one of {@code inputs} is refused whatever {@code force}. */
    public static void requireWritable(SparkSession spark, String out, boolean force, ganfactor.io.Inputs inputs) {
        Path target = new Path(out);
        try {
            FileSystem fs = target.getFileSystem(conf(spark));
            if (fs instanceof org.apache.hadoop.fs.LocalFileSystem || "file".equals(fs.getScheme()))
                inputs.refuseReplacing(out, java.nio.file.Path.of(fs.makeQualified(target).toUri()), "this job");
            if (fs.exists(target) && !force) throw new InputException(out + ": exists (--force replaces it)");
        } catch (IOException e) {
            throw new InputException(out + ": cannot reach its file system (" + e.getMessage() + ")", e);
        }
    }

    public static void write(SparkSession spark, Dataset<Row> rows, String out, boolean force, String recordJson) {
        Path target = new Path(out);
        try {
            FileSystem fs = target.getFileSystem(conf(spark));
            target = fs.makeQualified(target);
            Path staging = new Path(target.getParent(), "." + target.getName() + ".partial-" + UUID.randomUUID());
            boolean done = false;
            try {
                rows.write().mode(SaveMode.ErrorIfExists).parquet(staging.toString());
                try (FSDataOutputStream o = fs.create(new Path(staging, RECORD), false)) {
                    o.write(recordJson.getBytes(StandardCharsets.UTF_8));
                }
                Path aside = null;
                if (fs.exists(target)) {
                    if (!force) throw new InputException(out + ": appeared while the job ran (--force replaces it)");
                    aside = new Path(target.getParent(), "." + target.getName() + ".old-" + UUID.randomUUID());
                    if (!fs.rename(target, aside)) throw new InputException("cannot move the earlier " + out + " aside");
                }
                if (!fs.rename(staging, target)) throw new InputException("cannot move the results into " + out);
                done = true;
                if (aside != null) fs.delete(aside, true);
            } finally {
                if (!done) fs.delete(staging, true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Configuration conf(SparkSession spark) {
        return spark.sparkContext().hadoopConfiguration();
    }
}
