package ganfactor.spark;

import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.io.Npy;
import ganfactor.io.OutputDir;
import ganfactor.method.InterFaceGan;
import ganfactor.pipeline.Sampling;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class InterFaceGanJobTest {
    @TempDir Path tmp;

    /**
     * 300 codes from seed 7 in 3 partitions equal the command line's sample (Sampling.run, one
     * process, batches of 64): z, w and the scores exactly (the same NumPy stream, each partition
     * skipping to its rows; partitions hold whole batches, so the float32 mapping sees the
     * command line's batches; a batch of another size differed by 2e-6 here); the boundary trained on the collected rows equals
     * InterFaceGan.train on the command line's files (cosine 1 - 1e-9, the same selection).
     */
    @Test
    void sampledScoresAndBoundaryEqualTheSingleProcessPath() throws Exception {
        SparkSession spark = LocalSpark.get();
        InterFaceGanJob.Settings s = new InterFaceGanJob.Settings();
        s.space = "z";
        s.seed = 7;
        s.num = 300;
        s.attributes = List.of("smile", "eye_open");
        Path samples = tmp.resolve("samples.parquet");
        InterFaceGanJob.writeSamples(spark, s, 3, samples.toString(), false);
        List<Row> rows = spark.read().parquet(samples.toString()).orderBy("index").collectAsList();
        assertEquals(300, rows.size());

        Path ref = tmp.resolve("ref");
        try (ExecutorGenerator.Lease lease = ExecutorGenerator.lease(s.model); OutputDir dir = new OutputDir(ref, false)) {
            Generator g = lease.generator();
            Sampling.Settings ss = new Sampling.Settings();
            ss.space = LatentSpace.Z;
            ss.seed = 7;
            ss.num = 300;
            ss.scorers = Sampling.scorers(g, s.attributes, List.of(), List.of(), null, 300);
            Sampling.run(g, ss, dir);
            dir.commit();
        }
        double[] z = Npy.read(ref.resolve("z.npy")).data(), w = Npy.read(ref.resolve("w.npy")).data();
        double[] smile = Npy.read(ref.resolve("scores_smile.npy")).data();
        int d = 64;
        double dw = 0, ds = 0, scaleW = ganfactor.TestSupportLite.maxAbs(w), scaleS = ganfactor.TestSupportLite.maxAbs(smile);
        for (int i = 0; i < 300; i++) {
            Row r = rows.get(i);
            assertEquals(i, r.getLong(r.fieldIndex("index")));
            double[] zi = CodeSource.unbox(r.getList(r.fieldIndex("z"))), wi = CodeSource.unbox(r.getList(r.fieldIndex("w")));
            for (int k = 0; k < d; k++) {
                assertEquals(z[i * d + k], zi[k], 0.0, "z of row " + i);
                dw = Math.max(dw, Math.abs(w[i * d + k] - wi[k]));
            }
            ds = Math.max(ds, Math.abs(smile[i] - r.getDouble(r.fieldIndex("score_smile"))));
        }
        assertEquals(0.0, dw, "w differs by " + dw);
        assertEquals(0.0, ds, "smile scores differ by " + ds);

        InterFaceGan.Options o = new InterFaceGan.Options();
        o.ratio = 0.1;
        InterFaceGanJob.TrainingData t = InterFaceGanJob.collect(spark, samples.toString(), "z", "smile", 0, 0);
        Path out = tmp.resolve("boundary");
        InterFaceGan.Boundary got = InterFaceGanJob.train(t, o, out, false, Map.of("samples_table", samples.toString()));
        InterFaceGan.Boundary want = InterFaceGan.train(z, d, smile, o);
        assertTrue(InterFaceGan.cosine(got.normal(), want.normal()) >= 1 - 1e-9, "boundaries differ: cos " + InterFaceGan.cosine(got.normal(), want.normal()));
        assertArrayEquals(want.selection().trainPos(), got.selection().trainPos());
        assertTrue(got.validationAccuracy() > 0.8, "the demo's smile is linear in z: validation accuracy " + got.validationAccuracy());
        assertTrue(Files.exists(out.resolve("boundary.npy")) && Files.exists(out.resolve("boundary.json")));

        // a stated subsample: exactly M rows, the same ones whatever the partitioning, in index order
        InterFaceGanJob.TrainingData sub = InterFaceGanJob.collect(spark, samples.toString(), "z", "smile", 120, 5);
        InterFaceGanJob.TrainingData again = InterFaceGanJob.collect(spark, samples.toString(), "z", "score_smile", 120, 5);
        assertEquals(120, sub.index().length);
        assertArrayEquals(sub.index(), again.index());
        for (int i = 1; i < sub.index().length; i++) assertTrue(sub.index()[i] > sub.index()[i - 1]);
    }
}
