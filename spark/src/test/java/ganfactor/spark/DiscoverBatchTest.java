package ganfactor.spark;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.io.Npy;
import ganfactor.io.OutputDir;
import ganfactor.method.Directions;
import ganfactor.pipeline.Discovery;
import ganfactor.region.Region;
import ganfactor.region.View;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class DiscoverBatchTest {
    @TempDir Path tmp;

    /**
     * Spark's rows equal the library's single-process path (Discovery.run, what the command line's
     * discover calls) for the same codes: seeds 0-3, each the code of --seed s --num 1. Same
     * generator, same code, same arithmetic: the tolerance 1e-9 (relative to the largest eigenvalue;
     * absolute on unit direction entries) only leaves room for a different BLAS reduction order on
     * another thread; a wrong code, region, view or sign would differ at order 1.
     */
    @Test
    void perImageDirectionsEqualTheSingleProcessPath() throws Exception {
        SparkSession spark = LocalSpark.get();
        DiscoverySettings s = LocalSpark.settings("eyes", "mouth");
        Path out = tmp.resolve("directions.parquet");
        DiscoverBatch.run(spark, s, CodeSource.parse("seeds:0-3"), 2, out.toString(), false);
        List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
        assertEquals(8, rows.size(), "4 codes x 2 regions");
        assertTrue(Files.exists(out.resolve(StagedOutput.RECORD)));
        Map<String, Row> byKey = new HashMap<>();
        for (Row r : rows) assertNull(byKey.put(r.getLong(r.fieldIndex("index")) + "/" + r.getString(r.fieldIndex("region")), r), "duplicate row");

        try (ExecutorGenerator.Lease lease = ExecutorGenerator.lease(s.model)) {
            Generator g = lease.generator();
            View view = s.view(g);
            List<Region> rs = s.regions(g, view);
            for (long seed = 0; seed <= 3; seed++) {
                Latents lat = Latents.fromSeed(g, LatentSpace.W, seed, 1, 1.0, 8);
                Discovery.Settings ds = new Discovery.Settings();
                ds.solver = s.solver(g);
                ds.show = 0;
                ds.baseline = false;
                Discovery.Report rep;
                try (OutputDir dir = new OutputDir(tmp.resolve("ref" + seed), false)) {
                    rep = Discovery.run(g, lat, view, rs, ds, dir);
                }
                for (Discovery.Outcome o : rep.outcomes()) {
                    Row r = byKey.get(seed + "/" + o.region());
                    assertNotNull(r, "row of seed " + seed + ", region " + o.region());
                    assertEquals(seed, r.getLong(r.fieldIndex("seed")));
                    Directions d = o.directions();
                    double[] vals = CodeSource.unbox(r.getList(r.fieldIndex("eigenvalues")));
                    double[] vecs = CodeSource.unbox(r.getList(r.fieldIndex("directions")));
                    assertEquals(d.count(), vals.length);
                    assertEquals(d.count() * d.dim(), vecs.length);
                    double scale = Math.abs(d.values()[0]), dv = 0, dd = 0;
                    for (int i = 0; i < vals.length; i++) dv = Math.max(dv, Math.abs(vals[i] - d.values()[i]));
                    for (int i = 0; i < vecs.length; i++) dd = Math.max(dd, Math.abs(vecs[i] - d.vectors()[i]));
                    assertTrue(dv <= 1e-9 * scale, "eigenvalues differ by " + dv + " (scale " + scale + ")");
                    assertTrue(dd <= 1e-9, "directions differ by " + dd);
                    assertTrue(r.getString(r.fieldIndex("settings")).contains("\"method\":\"resefa\"") || r.getString(r.fieldIndex("settings")).contains("\"method\": \"resefa\""));
                }
            }
        }
    }

    /**
     * A task that fails on its first attempt, after its first row reached the task's output file,
     * is retried by Spark (local[2,2]); the table still holds each (index, region) exactly once.
     * The failure is counted, so the test cannot pass without one.
     */
    @Test
    void aRetriedTaskLeavesEachRowOnce() {
        SparkSession spark = LocalSpark.get();
        LocalSpark.drainEvents();
        int failedBefore = LocalSpark.FAILED_TASKS.get();
        DiscoverBatch.failFirstAttemptAfterRows = 1;
        Path out = tmp.resolve("retried.parquet");
        try {
            DiscoverBatch.run(spark, LocalSpark.settings("eyes"), CodeSource.parse("seeds:10-15"), 2, out.toString(), false);
        } finally {
            DiscoverBatch.failFirstAttemptAfterRows = -1;
        }
        LocalSpark.drainEvents();
        assertTrue(LocalSpark.FAILED_TASKS.get() - failedBefore >= 1, "no task failed: the injection did not happen");
        List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
        Set<Long> seen = new HashSet<>();
        for (Row r : rows) assertTrue(seen.add(r.getLong(r.fieldIndex("index"))), "index " + r.getLong(0) + " twice");
        assertEquals(Set.of(10L, 11L, 12L, 13L, 14L, 15L), seen);
        // a rerun over the same output without --force is refused; with it, the table is replaced, not appended to
        assertThrows(InputException.class, () -> DiscoverBatch.run(spark, LocalSpark.settings("eyes"), CodeSource.parse("seeds:10-15"), 2, out.toString(), false));
        DiscoverBatch.run(spark, LocalSpark.settings("eyes"), CodeSource.parse("seeds:10-15"), 3, out.toString(), true);
        assertEquals(6, spark.read().parquet(out.toString()).count());
    }

    /** A missing model and wrong-shaped codes fail on the driver with a clear message, before Spark starts any job. */
    @Test
    void badInputFailsBeforeAnyExecutorWork() {
        SparkSession spark = LocalSpark.get();
        Path npy = tmp.resolve("codes63.npy");
        Npy.writeFloat64(npy, new double[3 * 63], 3, 63);
        LocalSpark.drainEvents();
        int jobs = LocalSpark.JOBS.get();

        DiscoverySettings missing = LocalSpark.settings("eyes");
        missing.model = new ModelSpec(tmp.resolve("no-such-model.pt").toString(), "float32", "cpu", 0);
        InputException e1 = assertThrows(InputException.class,
                () -> DiscoverBatch.run(spark, missing, CodeSource.parse("seeds:0-1"), 2, tmp.resolve("a").toString(), false));
        assertTrue(e1.getMessage().contains("no-such-model.pt"), e1.getMessage());

        InputException e2 = assertThrows(InputException.class,
                () -> DiscoverBatch.run(spark, LocalSpark.settings("eyes"), CodeSource.parse(npy.toString()), 2, tmp.resolve("b").toString(), false));
        assertTrue(e2.getMessage().contains("[N, 64]") && e2.getMessage().contains("[3, 63]"), e2.getMessage());

        InputException e3 = assertThrows(InputException.class,
                () -> DiscoverBatch.run(spark, LocalSpark.settings("no-such-region"), CodeSource.parse("seeds:0-1"), 2, tmp.resolve("c").toString(), false));
        assertFalse(e3.getMessage().isBlank());

        LocalSpark.drainEvents();
        assertEquals(jobs, LocalSpark.JOBS.get(), "a Spark job started before the bad input was refused");
        assertFalse(Files.exists(tmp.resolve("a")) || Files.exists(tmp.resolve("b")) || Files.exists(tmp.resolve("c")));
    }
}
