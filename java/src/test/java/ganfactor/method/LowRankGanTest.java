package ganfactor.method;

import ganfactor.Engine;
import ganfactor.InputException;
import ganfactor.linalg.TorchLinalg;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * LowRankGAN on a planted Jacobian. Q is a random orthogonal basis of R^d (d = 48); the region's
 * pixels depend on the planted subspace P = Q[0:3] and a shared subspace C = Q[3:5], the
 * background's on C and a background-only subspace Q[5:10]:
 * <pre>
 *   J_R = G_R [P; C]  (200 x d),   J_R' = G_B [C; Q[5:10]]  (300 x d),   G Gaussian
 *   A = J_R^T J_R / 200 (rank 5),  B = J_R'^T J_R' / 300 (rank 7)
 * </pre>
 * These Grams are low rank, incoherent and have no sparse part, so PCP with lambda = 1/sqrt(d)
 * returns L = M to the solver tolerance (1e-7 relative). Then F spans P + C, the null space of
 * L_B is the orthogonal complement of C + Q[5:10], and projecting F removes exactly the shared
 * part: every direction lies in P. The residual error is set by the RPCA tolerance: a perturbation
 * of relative size ~1e-7 in L_B rotates its row space by ~1e-7 / (gap of B's smallest nonzero
 * singular value relative to its largest, ~0.1 here), so components outside P of ~1e-6; the
 * bounds use 1e-5.
 */
class LowRankGanTest {
    static final int D = 48;
    static double[] q;            // [D, D] orthonormal rows
    static Tensor a, b;
    static LowRankGan.Options options;
    static Directions dirs;
    static LowRankGan.NullSpace nullSpace;
    static double[] lowB;

    @BeforeAll
    static void setup() {
        Engine.init(0);
        Random rnd = new Random(7);
        double[] g = new double[D * D];
        for (int i = 0; i < g.length; i++) g[i] = rnd.nextGaussian();
        try (PointerScope s = new PointerScope()) {
            Tensor gt = Torch.of(g, D, D);
            q = Torch.toDoubles(TorchLinalg.INSTANCE.eigh(gt.add(gt.t())).vectors());
        }
        double[] aa = gram(rnd, 200, new int[]{0, 1, 2, 3, 4});
        double[] bb = gram(rnd, 300, new int[]{3, 4, 5, 6, 7, 8, 9});
        a = Torch.of(aa, D, D);
        b = Torch.of(bb, D, D);
        a.retainReference();
        b.retainReference();
        options = new LowRankGan.Options();
        options.rpca.lambda = 1 / Math.sqrt(D);
        dirs = LowRankGan.solve(a, b, options);
        nullSpace = LowRankGan.nullSpace(b, options);
        try (PointerScope s = new PointerScope()) {
            lowB = Rpca.solve(b, options.rpca).low();
        }
    }

    /** J = G [Q rows], Gram J^T J / rows. */
    static double[] gram(Random rnd, int rows, int[] basisRows) {
        int k = basisRows.length;
        double[] j = new double[rows * D];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < k; c++) {
                double w = rnd.nextGaussian() * (1 + c); // distinct scales: distinct singular values
                for (int x = 0; x < D; x++) j[r * D + x] += w * q[basisRows[c] * D + x];
            }
        double[] m = new double[D * D];
        for (int r = 0; r < rows; r++)
            for (int x = 0; x < D; x++)
                for (int y = 0; y < D; y++) m[x * D + y] += j[r * D + x] * j[r * D + y] / rows;
        return m;
    }

    static double[] qRow(int i) {
        double[] r = new double[D];
        System.arraycopy(q, i * D, r, 0, D);
        return r;
    }

    /** ||component of n in span(Q[0:3])|| */
    static double plantedNorm(double[] n) {
        double s = 0;
        for (int i = 0; i < 3; i++) { double c = Directions.dot(n, qRow(i)); s += c * c; }
        return Math.sqrt(s);
    }

    /**
     * The two RPCAs side by side (the default, {@link LowRankGan.Options#parallelRpca}) give the
     * serial solve's directions and values bit for bit (each solve is the same deterministic
     * sequence of operations, one OpenBLAS thread each); a cancellation part-way stops both and
     * leaves no solver thread running.
     */
    @Test
    void sideBySideRpcasEqualSerialAndStopTogether() throws InterruptedException {
        LowRankGan.Options serial = new LowRankGan.Options();
        serial.rpca.lambda = options.rpca.lambda;
        serial.parallelRpca = false;
        Directions s = LowRankGan.solve(a, b, serial);
        boolean cores = Runtime.getRuntime().availableProcessors() > 1; // (Engine.init(0): one LibTorch thread per core)
        assertEquals(cores, dirs.info().get("rpca_parallel"), "the default runs the two side by side on 2+ cores");
        assertEquals(Boolean.FALSE, s.info().get("rpca_parallel"));
        assertArrayEquals(s.vectors(), dirs.vectors(), 0.0);
        assertArrayEquals(s.values(), dirs.values(), 0.0);

        java.util.concurrent.atomic.AtomicInteger polls = new java.util.concurrent.atomic.AtomicInteger();
        LowRankGan.Options cancelled = new LowRankGan.Options();
        cancelled.rpca.lambda = options.rpca.lambda;
        cancelled.rpca.cancelled = () -> polls.incrementAndGet() > 10;
        assertThrows(java.util.concurrent.CancellationException.class, () -> LowRankGan.solve(a, b, cancelled));
        for (int i = 0; i < 100 && solverThreads() > 0; i++) Thread.sleep(20);
        assertEquals(0, solverThreads(), "a solver thread outlived the call");
        assertTrue(polls.get() < 40, "both stopped at their next iteration: " + polls.get() + " polls");
    }

    private static long solverThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("ganfactor-rpca")).count();
    }

    @Test
    void ranksAndInfo() {
        System.out.printf("planted lowrankgan: rank_f %s, rank_b %s, null space %s, directions %d, retained %s, rpca A %s, B %s%n",
                dirs.info().get("rank_f"), dirs.info().get("rank_b"), dirs.info().get("null_space_dim"), dirs.count(),
                dirs.info().get("retained"), dirs.info().get("rpca_a"), dirs.info().get("rpca_b"));
        assertEquals("lowrankgan", dirs.info().get("method"));
        assertEquals(5, dirs.info().get("rank_f"));
        assertEquals(7, dirs.info().get("rank_b"));
        assertEquals(D - 7, dirs.info().get("null_space_dim"));
        assertEquals(D - 7, nullSpace.size());
        assertTrue(dirs.warnings().isEmpty(), dirs.warnings().toString());
        assertEquals(5, dirs.count());
        for (int i = 1; i < dirs.count(); i++) assertTrue(dirs.values()[i - 1] >= dirs.values()[i]);
    }

    @Test
    void directionsAreUnitAndInTheBackgroundNullSpace() {
        double normLb = 0;
        for (double v : lowB) normLb += v * v;
        normLb = Math.sqrt(normLb);
        for (int i = 0; i < dirs.count(); i++) {
            double[] n = dirs.row(i);
            assertEquals(1.0, Math.sqrt(Directions.dot(n, n)), 1e-12);
            double s = 0;
            for (int x = 0; x < D; x++) {
                double t = 0;
                for (int y = 0; y < D; y++) t += lowB[x * D + y] * n[y];
                s += t * t;
            }
            // n is built inside span(N), which is orthogonal to L_B's row space up to SVD rounding
            assertTrue(Math.sqrt(s) / normLb <= 1e-12, "||L_B n|| / ||L_B|| = " + Math.sqrt(s) / normLb);
        }
    }

    @Test
    void directionsRecoverThePlantedSubspace() {
        double[] m = new double[dirs.count() * 3];
        for (int i = 0; i < dirs.count(); i++) {
            double[] n = dirs.row(i);
            assertEquals(1.0, plantedNorm(n), 1e-5, "direction " + i + " leaves the planted subspace");
            for (int c = 0; c < 3; c++) m[i * 3 + c] = Directions.dot(n, qRow(c));
        }
        // together they span all of it: the smallest singular value of the coordinates is well above 0
        try (PointerScope s = new PointerScope()) {
            double[] sv = Torch.toDoubles(TorchLinalg.INSTANCE.svd(Torch.of(m, dirs.count(), 3)).s());
            assertTrue(sv[2] > 0.05, "planted coordinates singular values " + java.util.Arrays.toString(sv));
        }
    }

    @Test
    void projectionIsIdempotentAndLocal() {
        Random rnd = new Random(1);
        double[] n = new double[D];
        for (int i = 0; i < D; i++) n[i] = rnd.nextGaussian();
        double[] p = nullSpace.project(n);
        double[] pp = nullSpace.project(p);
        assertEquals(1.0, Math.sqrt(Directions.dot(p, p)), 1e-12);
        for (int i = 0; i < D; i++) assertEquals(p[i], pp[i], 1e-12);
        // nothing of the background's row space survives
        for (int i = 3; i < 10; i++) assertEquals(0.0, Directions.dot(p, qRow(i)), 1e-5);
        // a planted direction is already local: unchanged
        double[] planted = qRow(1);
        assertTrue(Directions.absCos(nullSpace.project(planted), planted) >= 1 - 1e-10);
    }

    @Test
    void projectionRejectsBadDirections() {
        // a vector of L_B's row space: L_B times anything
        double[] rowSpace = new double[D];
        for (int x = 0; x < D; x++) for (int y = 0; y < D; y++) rowSpace[x] += lowB[x * D + y] * (y % 3 - 1);
        double[] c = nullSpace.component(rowSpace);
        System.out.printf("row-space vector keeps %.2e, true background direction Q[4] keeps %.2e%n",
                Math.sqrt(Directions.dot(c, c) / Directions.dot(rowSpace, rowSpace)), Math.sqrt(Directions.dot(nullSpace.component(qRow(4)), nullSpace.component(qRow(4)))));
        assertThrows(InputException.class, () -> nullSpace.project(rowSpace));
        // a direction of the planted background (its row space up to the RPCA tolerance)
        InputException inRowSpace = assertThrows(InputException.class, () -> nullSpace.project(qRow(4)));
        assertTrue(inRowSpace.getMessage().contains("row space"), inRowSpace.getMessage());
        double[] mix = new double[D];
        for (int i = 0; i < D; i++) mix[i] = 0.3 * q[3 * D + i] - 2 * q[6 * D + i];
        assertThrows(InputException.class, () -> nullSpace.project(mix));
        InputException dim = assertThrows(InputException.class, () -> nullSpace.project(new double[D + 1]));
        assertTrue(dim.getMessage().contains(String.valueOf(D)), dim.getMessage());
        assertThrows(InputException.class, () -> nullSpace.project(new double[D]));
    }

    @Test
    void atMostKDirectionsAndRelaxation() {
        LowRankGan.Options o = new LowRankGan.Options();
        o.rpca.lambda = options.rpca.lambda;
        o.maxDirections = 2;
        o.numRelax = 1;
        Directions two = LowRankGan.solve(a, b, o);
        assertEquals(2, two.count());
        assertEquals(D - 6, two.info().get("null_space_dim"));
        assertEquals(6, two.info().get("null_space_start"));
    }

    @Test
    void numericalRankLikeNumpy() {
        assertEquals(2, LowRankGan.numericalRank(new double[]{10, 1e-3, 1e-14}, 100, Double.NaN));
        assertEquals(1, LowRankGan.numericalRank(new double[]{10, 1e-3, 1e-14}, 100, 1e-2));
        assertEquals(1, LowRankGan.nullSpaceStart(0, 0, 10));
        assertEquals(9, LowRankGan.nullSpaceStart(10, 0, 10));
        assertEquals(3, LowRankGan.nullSpaceStart(5, 2, 10));
    }
}
