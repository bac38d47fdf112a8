package ganfactor.spark;

import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.jacobian.GramPair;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.method.Directions;
import ganfactor.method.ReSeFa;
import ganfactor.pipeline.Solver;
import ganfactor.region.Region;
import ganfactor.region.View;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class AggregateGramsTest {
    @TempDir Path tmp;

    /**
     * Seeds 0-3 in 2 partitions, tree depth 2: the Spark sums of A and B equal the single-process
     * engine's sequential sums over the same codes to 1e-12 of their largest entry (only the order
     * of the float64 additions differs: a few ulps); the one solve equals ReSeFa.aggregate + solve
     * (the command line's discover --aggregate): eigenvalues to 1e-9 of the largest, directions to 1e-8
     * where their eigenvalue is separated (see below).
     */
    @Test
    void treeReducedGramsEqualTheSingleProcessSum() {
        DiscoverySettings s = LocalSpark.settings("eyes", "mouth");
        AggregateGrams.Result r = AggregateGrams.run(LocalSpark.get(), s, CodeSource.parse("seeds:0-3"), 2, 2);
        assertEquals(4, r.sum().codes);
        try (ExecutorGenerator.Lease lease = ExecutorGenerator.lease(s.model)) {
            Generator g = lease.generator();
            View view = s.view(g);
            List<Region> rs = s.regions(g, view);
            int D = g.latentDim();
            double[][] a = new double[rs.size()][D * D], b = new double[rs.size()][D * D];
            List<List<GramPair>> perRegion = new ArrayList<>();
            for (int i = 0; i < rs.size(); i++) perRegion.add(new ArrayList<>());
            for (long seed = 0; seed <= 3; seed++) {
                double[] x = Latents.fromSeed(g, LatentSpace.W, seed, 1, 1.0, 8).row(0);
                List<GramPair> gs = JacobianEngine.compute(g, x, LatentSpace.W, view, rs, new JacobianEngine.Options()).grams();
                for (int i = 0; i < rs.size(); i++) {
                    perRegion.get(i).add(gs.get(i));
                    for (int q = 0; q < D * D; q++) { a[i][q] += gs.get(i).toHost().a()[q]; b[i][q] += gs.get(i).toHost().b()[q]; }
                }
            }
            for (int i = 0; i < rs.size(); i++) {
                assertEquals(rs.get(i).name(), r.sum().regions.get(i));
                double scaleA = ganfactor.TestSupportLite.maxAbs(a[i]), scaleB = ganfactor.TestSupportLite.maxAbs(b[i]);
                assertTrue(scaleA > 0 && scaleB > 0);
                double da = ganfactor.TestSupportLite.maxAbsDiff(a[i], r.sum().a[i]), db = ganfactor.TestSupportLite.maxAbsDiff(b[i], r.sum().b[i]);
                assertTrue(da <= 1e-12 * scaleA, "A sums differ by " + da + " of " + scaleA);
                assertTrue(db <= 1e-12 * scaleB, "B sums differ by " + db + " of " + scaleB);
                Solver solver = s.solver(g);
                Directions ref = solver.solve(Solver.Problem.of(ReSeFa.aggregate(perRegion.get(i))));
                Directions got = r.directions().get(i);
                double dv = 0, dd = 0, top = Math.abs(ref.values()[0]);
                for (int j = 0; j < ref.count(); j++) dv = Math.max(dv, Math.abs(ref.values()[j] - got.values()[j]));
                assertTrue(dv <= 1e-9 * top, "eigenvalues differ by " + dv);
                // directions compared where the eigenvalue is separated from its neighbours by 1e-4 of the
                // largest: there a Gram perturbation of ~1e-15 moves the vector by ~1e-15 / 1e-4 = 1e-11
                // (Davis-Kahan); inside a (near-)degenerate eigenspace any rotation is an equally right answer
                int compared = 0;
                for (int j = 0; j < ref.count(); j++) {
                    double gap = Double.POSITIVE_INFINITY;
                    if (j > 0) gap = Math.min(gap, Math.abs(ref.values()[j - 1] - ref.values()[j]));
                    if (j + 1 < ref.count()) gap = Math.min(gap, Math.abs(ref.values()[j + 1] - ref.values()[j]));
                    if (gap < 1e-4 * top) continue;
                    compared++;
                    for (int q = 0; q < D; q++) dd = Math.max(dd, Math.abs(ref.vectors()[j * D + q] - got.vectors()[j * D + q]));
                }
                assertTrue(compared >= 3, "only " + compared + " well-separated directions to compare");
                assertTrue(dd <= 1e-8, "directions differ by " + dd);
            }
        }
        Path out = tmp.resolve("agg");
        AggregateGrams.write(r, out, false);
        assertTrue(Files.exists(out.resolve("eyes/directions.npy")) && Files.exists(out.resolve("mouth/A_sum.npy")) && Files.exists(out.resolve("aggregate.json")));
        // the files hold the sums, not the means, exactly as computed (float64 written and read back bit for bit)
        assertArrayEquals(r.sum().a[1], ganfactor.io.Npy.read(out.resolve("mouth/A_sum.npy")).data(), 0.0);
        assertArrayEquals(r.sum().b[0], ganfactor.io.Npy.read(out.resolve("eyes/B_sum.npy")).data(), 0.0);
    }
}
