package ganfactor.jacobian;

import ganfactor.TestSupport;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import ganfactor.torch.Torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The three Jacobian modes are independent routes to the same exact derivative (forward-mode
 * dual numbers, reverse-over-reverse, plain reverse). In float64 their Jacobians and Grams must
 * agree to 1e-9 relative: the only differences are summation orders in the chain rule, each
 * worth a few ulps (1e-16) times the depth of the graph, far below 1e-9.
 */
class JacobianModesTest {
    static Generator g;
    static View view;
    static List<Region> regions;
    static double[] xW, xWp, xZ;

    @BeforeAll
    static void setup() {
        g = TestSupport.demo64();
        view = new View(32, View.Reduce.SUM, g.channels(), g.height(), g.width());
        regions = List.of(Regions.parse("eyes", 32, g), Regions.parse("mouth", 32, g), Regions.parse("mask:nose", 32, g));
        xW = Latents.fromSeed(g, LatentSpace.W, 4, 1, 1.0, 8).row(0);
        xWp = Latents.fromSeed(g, LatentSpace.WP, 5, 1, 0.7, 4).row(0);
        xZ = Latents.fromSeed(g, LatentSpace.Z, 6, 1, 1.0, 8).row(0);
    }

    record Out(JacobianEngine.Result result, double[] jacobian) {}

    static Out run(Mode mode, int chunk, double[] x, LatentSpace space, View v, long budget) {
        JacobianEngine.Options o = new JacobianEngine.Options();
        o.mode = mode;
        o.chunk = chunk;
        o.fullGram = true;
        if (budget > 0) o.memoryBudget = budget;
        List<double[]> blocks = new ArrayList<>();
        o.sink = (p0, block) -> blocks.add(Torch.toDoubles(block));
        JacobianEngine.Result r = JacobianEngine.compute(g, x, space, v, regions, o);
        int n = blocks.stream().mapToInt(b -> b.length).sum();
        double[] j = new double[n];
        int k = 0;
        for (double[] b : blocks) { System.arraycopy(b, 0, j, k, b.length); k += b.length; }
        return new Out(r, j);
    }

    /**
     * Forward-mode Jacobians from two threads at once (as Spark executors, the studio beside a
     * script, or a multi-threaded C host run them): both finish (without the engine's dual-level
     * lock the second fails with "Nested forward mode AD is not supported", measured) and each equals its sequential result to 1e-5 relative:
     * the passes only interleave, but LibTorch may split a float32 reduction differently while its
     * thread pool is shared (float32 sums in another order differ by ~1e-7 relative per sum).
     */
    @Test
    void forwardModeFromTwoThreadsFinishesWithTheSequentialResults() throws Exception {
        View v = new View(32, View.Reduce.SUM, g.channels(), g.height(), g.width());
        Out a = run(Mode.FORWARD, 4, xW, LatentSpace.W, v, 0), b = run(Mode.FORWARD, 4, xWp, LatentSpace.WP, v, 0);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var fa = pool.submit(() -> run(Mode.FORWARD, 4, xW, LatentSpace.W, v, 0));
            var fb = pool.submit(() -> run(Mode.FORWARD, 4, xWp, LatentSpace.WP, v, 0));
            Out ca = fa.get(120, java.util.concurrent.TimeUnit.SECONDS), cb = fb.get(120, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(rel(ca.jacobian(), a.jacobian()) < 1e-5, "W Jacobian from a thread: " + rel(ca.jacobian(), a.jacobian()));
            assertTrue(rel(cb.jacobian(), b.jacobian()) < 1e-5, "W+ Jacobian from a thread: " + rel(cb.jacobian(), b.jacobian()));
            assertEquals(a.jacobian().length, ca.jacobian().length);
        } finally {
            pool.shutdownNow();
        }
    }

    static double rel(double[] a, double[] b) {
        return TestSupport.maxAbsDiff(a, b) / Math.max(TestSupport.maxAbs(b), 1e-300);
    }

    /**
     * W space on the demo, on a 16 x 16 summed view: 256 rows, since reverse mode runs one pass per
     * row (one row per pass here; at 32 x 32 this test took 17 s of the suite).
     */
    @Test
    void threeModesAgreeInWSpace() {
        View view = new View(16, View.Reduce.SUM, g.channels(), g.height(), g.width());
        List<Region> saved = regions;
        regions = List.of(Regions.parse("eyes", 16, g), Regions.parse("mouth", 16, g), Regions.parse("mask:nose", 16, g));
        try {
            threeModesAgree(view);
        } finally {
            regions = saved;
        }
    }

    private static void threeModesAgree(View view) {
        Out fwd = run(Mode.FORWARD, 16, xW, LatentSpace.W, view, 0);
        Out dbl = run(Mode.DOUBLE_BACKWARD, 8, xW, LatentSpace.W, view, 0);
        Out rev = run(Mode.REVERSE, 1, xW, LatentSpace.W, view, 0);
        assertEquals(16 * 16 * 64, fwd.jacobian().length);
        assertTrue(TestSupport.maxAbs(fwd.jacobian()) > 1e-3, "the Jacobian is not trivially zero");
        assertTrue(rel(fwd.jacobian(), rev.jacobian()) <= 1e-9, "forward vs reverse: " + rel(fwd.jacobian(), rev.jacobian()));
        assertTrue(rel(dbl.jacobian(), rev.jacobian()) <= 1e-9, "double-backward vs reverse: " + rel(dbl.jacobian(), rev.jacobian()));
        for (int i = 0; i < regions.size(); i++) {
            GramPair.Host f = fwd.result().grams().get(i).toHost(), r = rev.result().grams().get(i).toHost(), d = dbl.result().grams().get(i).toHost();
            assertTrue(rel(f.a(), r.a()) <= 1e-9 && rel(f.b(), r.b()) <= 1e-9, regions.get(i).name());
            assertTrue(rel(d.a(), r.a()) <= 1e-9 && rel(d.b(), r.b()) <= 1e-9, regions.get(i).name());
        }
    }

    /**
     * W+ (512 columns) and Z on the demo with R, G and B kept as rows, on an 8 x 8 view (192 rows):
     * forward against reverse mode. The cost of a forward or double-backward pass grows with the
     * columns, of a reverse one with the rows, so the small view keeps reverse mode cheap; W+
     * double-backward over 512 columns (15 s here) is checked on the small StyleGAN2 below instead.
     */
    @Test
    void modesAgreeInWPlusAndZWithKeptChannels() {
        View v = new View(8, View.Reduce.NONE, 3, 256, 256);
        List<Region> saved = regions;
        regions = List.of(Regions.parse("eyes", 8, g));
        try {
            Out fwd = run(Mode.FORWARD, 16, xWp, LatentSpace.WP, v, 0);
            Out rev = run(Mode.REVERSE, 16, xWp, LatentSpace.WP, v, 0);
            assertEquals(3 * 8 * 8 * 512, fwd.jacobian().length);
            assertTrue(TestSupport.maxAbs(fwd.jacobian()) > 1e-3, "the Jacobian is not trivially zero");
            assertTrue(rel(fwd.jacobian(), rev.jacobian()) <= 1e-9, "W+: " + rel(fwd.jacobian(), rev.jacobian()));
            Out fz = run(Mode.FORWARD, 32, xZ, LatentSpace.Z, v, 0);
            Out rz = run(Mode.REVERSE, 16, xZ, LatentSpace.Z, v, 0);
            Out dz = run(Mode.DOUBLE_BACKWARD, 16, xZ, LatentSpace.Z, v, 0);
            assertTrue(rel(fz.jacobian(), rz.jacobian()) <= 1e-9, "Z: " + rel(fz.jacobian(), rz.jacobian()));
            assertTrue(rel(dz.jacobian(), rz.jacobian()) <= 1e-9, "Z, double-backward: " + rel(dz.jacobian(), rz.jacobian()));
        } finally {
            regions = saved;
        }
    }

    static final String SMALL_STYLEGAN2 = "stylegan2:16:cbase=128:cmax=8:zdim=8:map=2:seed=3";

    /**
     * The three modes in W+ and Z on a real architecture: a small random StyleGAN2 (16 px, 8
     * channels, z = w = 8, 6 W+ layers: 48 columns) in float64, R, G and B kept. Forward mode there
     * is the module's own tangent pass (gf_synthesis_jvp), reverse and double-backward are autograd,
     * so the agreement also checks the hand-written tangents. The module's autograd forward is
     * called once before (see {@link #firstCallOfAFreshStyleGan2AgreesWithLaterCalls}).
     */
    @Test
    void modesAgreeOnAStyleGan2() {
        withSmallStyleGan2(v -> {
            // The first call runs plain autograd, exact; later calls run TorchScript's optimised
            // gradient graph, whose leaky ReLU takes its slope 0.2 as a float32 (0.2f - 0.2 = 3.0e-9,
            // read off a one-op module: see docs/JAVACPP.md). Forward mode (the hand-written
            // tangents, equal to PyTorch's dual numbers bit for bit) is compared with the exact call.
            Out exact = run(Mode.REVERSE, 16, xWp, LatentSpace.WP, v, 0);
            Out fwd = run(Mode.FORWARD, 16, xWp, LatentSpace.WP, v, 0);
            Out rev = run(Mode.REVERSE, 16, xWp, LatentSpace.WP, v, 0);
            Out dbl = run(Mode.DOUBLE_BACKWARD, 16, xWp, LatentSpace.WP, v, 0);
            assertEquals(3 * 16 * 16 * 48, fwd.jacobian().length);
            assertTrue(TestSupport.maxAbs(fwd.jacobian()) > 1e-3, "the Jacobian is not trivially zero");
            assertTrue(rel(fwd.jacobian(), exact.jacobian()) <= 1e-12, "W+ forward vs exact reverse: " + rel(fwd.jacobian(), exact.jacobian()));
            assertTrue(rel(fwd.jacobian(), rev.jacobian()) <= 1e-8, "W+ forward vs optimised reverse: " + rel(fwd.jacobian(), rev.jacobian()));
            assertTrue(rel(dbl.jacobian(), rev.jacobian()) <= 1e-9, "W+ double-backward vs reverse: " + rel(dbl.jacobian(), rev.jacobian()));
            Out fz = run(Mode.FORWARD, 8, xZ, LatentSpace.Z, v, 0);
            Out rz = run(Mode.REVERSE, 16, xZ, LatentSpace.Z, v, 0);
            Out dz = run(Mode.DOUBLE_BACKWARD, 8, xZ, LatentSpace.Z, v, 0);
            assertTrue(rel(fz.jacobian(), rz.jacobian()) <= 1e-8, "Z forward vs optimised reverse: " + rel(fz.jacobian(), rz.jacobian()));
            assertTrue(rel(dz.jacobian(), rz.jacobian()) <= 1e-9, "Z double-backward vs reverse: " + rel(dz.jacobian(), rz.jacobian()));
        });
    }

    /**
     * Found open in issue 30's session, explained in issue 27's: the first autograd call of a
     * freshly built float64 StyleGAN2 differs from every later one by 3.8e-9 of the largest entry,
     * because LibTorch runs the first call as plain autograd (the leaky ReLU's slope 0.2 exact) and
     * later ones through TorchScript's optimised gradient graph, which takes the slope as float32
     * (a one-op module shows 0.2f - 0.2 = 2.98e-9 from the second call on). The hand-written
     * forward tangents are exact: they agree with the first call ({@link #modesAgreeOnAStyleGan2}).
     * Kept as a record of LibTorch's behaviour, not as a claim about ours.
     */
    @Test
    @org.junit.jupiter.api.Disabled("LibTorch's optimised TorchScript gradient of leaky_relu uses a float32 slope from the second call on (3.8e-9 here); see the comment")
    /** Runs {@code body} with the small StyleGAN2 as the generator, its W+ and Z codes, a 16 x 16 view with R, G, B kept and one box region. */
    private static void withSmallStyleGan2(java.util.function.Consumer<View> body) {
        Generator saveG = g;
        double[] savedWp = xWp, savedZ = xZ;
        List<Region> saved = regions;
        try (Generator s = Generator.open(SMALL_STYLEGAN2).to(org.bytedeco.pytorch.global.torch.ScalarType.Double)) {
            g = s;
            xWp = Latents.fromSeed(g, LatentSpace.WP, 5, 1, 0.7, 4).row(0);
            xZ = Latents.fromSeed(g, LatentSpace.Z, 6, 1, 1.0, 4).row(0);
            regions = List.of(Regions.parse("6,8,4,6", 16, g));
            body.accept(new View(16, View.Reduce.NONE, 3, 16, 16));
        } finally {
            regions = saved;
            g = saveG;
            xWp = savedWp;
            xZ = savedZ;
        }
    }

    /** J^T J = |R| A + |R'| B, for every region, to rounding of the float64 sums. */
    @Test
    void gramIdentity() {
        Out fwd = run(Mode.FORWARD, 0, xW, LatentSpace.W, view, 0);
        double[] full = fwd.result().full();
        for (GramPair g0 : fwd.result().grams()) {
            GramPair.Host gp = g0.toHost();
            assertEquals(view.rows(), gp.inside() + gp.outside());
            double[] sum = new double[full.length];
            for (int i = 0; i < sum.length; i++) sum[i] = gp.inside() * gp.a()[i] + gp.outside() * gp.b()[i];
            assertTrue(rel(sum, full) <= 1e-12, gp.region() + ": " + rel(sum, full));
        }
        // and J^T J really is the Gram of the saved Jacobian
        int D = 64;
        double[] J = fwd.jacobian();
        double[] direct = new double[D * D];
        for (int p = 0; p < view.rows(); p++)
            for (int i = 0; i < D; i++)
                for (int j = 0; j < D; j++) direct[i * D + j] += J[p * D + i] * J[p * D + j];
        assertTrue(rel(direct, full) <= 1e-12);
    }

    /** A budget too small for the whole Jacobian splits the pixels into blocks: same Grams, more passes. */
    @Test
    void pixelBlocksUnderATightBudget() {
        Out one = run(Mode.FORWARD, 16, xW, LatentSpace.W, view, 0);
        Out split = run(Mode.FORWARD, 16, xW, LatentSpace.W, view, 2L * 300 * 8 * 64);
        assertTrue(split.result().pixelBlocks() >= 3, "blocks: " + split.result().pixelBlocks());
        assertEquals(split.result().pixelBlocks() * 4L, split.result().passes());
        assertTrue(rel(split.jacobian(), one.jacobian()) == 0.0);
        for (int i = 0; i < regions.size(); i++)
            assertTrue(rel(split.result().grams().get(i).toHost().a(), one.result().grams().get(i).toHost().a()) <= 1e-13);
    }

    @Test
    void cancellationStopsBetweenChunks() {
        JacobianEngine.Options o = new JacobianEngine.Options();
        o.chunk = 8;
        int[] calls = {0};
        o.cancelled = () -> ++calls[0] > 2;
        assertThrows(java.util.concurrent.CancellationException.class,
                () -> JacobianEngine.compute(g, xW, LatentSpace.W, view, regions, o));
        assertEquals(3, calls[0]);
    }

    /** The default budget follows the memory the machine has, and the result says which budget and chunk were used. */
    @Test
    void automaticBudgetFollowsTheAvailableMemory() {
        JacobianEngine.Budget b = JacobianEngine.budget(g, JacobianEngine.AUTO_BUDGET);
        long avail = JacobianEngine.hostAvailable();
        assertTrue(avail > 0, "/proc/meminfo has MemAvailable on Linux");
        Runtime rt = Runtime.getRuntime();
        long expect = Math.max(JacobianEngine.MIN_BUDGET, (avail - Math.max(0, rt.maxMemory() - rt.totalMemory())) / 2);
        // MemAvailable moves between the two reads by what other processes do: allow 5 %
        assertEquals(expect, b.bytes(), 0.05 * expect, b.source());
        assertTrue(b.source().startsWith("auto: half of the host's available"), b.source());
        Out r = run(Mode.FORWARD, 0, xW, LatentSpace.W, view, 0);
        assertTrue(r.result().budget().source().startsWith("auto"), r.result().budget().source());
        assertEquals(JacobianEngine.autoChunk(g, view, xW.length, Mode.FORWARD, r.result().budget().bytes()), r.result().chunk());
        JacobianEngine.Budget given = JacobianEngine.budget(g, 123L << 20);
        assertEquals(123L << 20, given.bytes());
        assertEquals("given", given.source());
    }

    /** A given budget below one column's activations is refused at once instead of running thousands of passes. */
    @Test
    void budgetBelowOneColumnIsRefused() {
        long one = JacobianEngine.bytesPerColumn(g, Mode.FORWARD);
        ganfactor.InputException e = assertThrows(ganfactor.InputException.class, () -> run(Mode.FORWARD, 0, xW, LatentSpace.W, view, one / 2));
        assertTrue(e.getMessage().contains("cannot hold one Jacobian column"), e.getMessage());
        assertTrue(e.getMessage().contains("give at least"), e.getMessage());
        assertEquals(1, run(Mode.FORWARD, 0, xW, LatentSpace.W, view, one).result().chunk(), "exactly one column's worth runs, one column per pass");
    }
}
