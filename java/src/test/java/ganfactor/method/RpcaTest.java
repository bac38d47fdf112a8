package ganfactor.method;

import ganfactor.Engine;
import ganfactor.InputException;
import ganfactor.TestSupport;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.jacobian.GramPair;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.region.Regions;
import ganfactor.region.View;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Principal Component Pursuit on planted problems.
 *
 * <p>Planted case: M = L0 + S0 with L0 = U U^T / d (U Gaussian, d x r: incoherent, PSD, rank r)
 * and S0 symmetric with about 5 % of its off-diagonal pairs set to uniform values of +-3 times
 * the mean |L0| entry. With lambda = 1/sqrt(d) (the exact-recovery weight of Candes et al.) PCP
 * recovers L0 and S0 exactly, so the only error left is the stopping tolerance: tol = 1e-7 on
 * ||L+S-M|| / ||M|| bounds the distance to the optimum by a modest multiple of tol (the
 * prototype measured 7e-8 to 2e-7), hence the 1e-5 bounds below, with margin for the ADMM's slower
 * tail. The reference default lambda = 1/60 is tuned for d = 512 (lambda sqrt(d) = 0.38) and is too
 * small for d = 100: the PCP optimum there is L = 0, which is why these tests pass lambda.
 */
class RpcaTest {

    @BeforeAll
    static void init() {
        Engine.init(0);
    }

    record Planted(double[] l0, double[] s0, double[] m, int d, int rank) {}

    static Planted planted(int d, int r, double fraction, long seed) {
        Random rnd = new Random(seed);
        double[] u = new double[d * r];
        for (int i = 0; i < u.length; i++) u[i] = rnd.nextGaussian();
        double[] l0 = new double[d * d];
        double meanAbs = 0;
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) {
                double t = 0;
                for (int k = 0; k < r; k++) t += u[i * r + k] * u[j * r + k];
                l0[i * d + j] = t / d;
                meanAbs += Math.abs(t / d);
            }
        meanAbs /= d * d;
        double[] s0 = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = i + 1; j < d; j++)
                if (rnd.nextDouble() < fraction) {
                    double v = (2 * rnd.nextDouble() - 1) * 3 * meanAbs;
                    s0[i * d + j] = v;
                    s0[j * d + i] = v;
                }
        double[] m = new double[d * d];
        for (int i = 0; i < m.length; i++) m[i] = l0[i] + s0[i];
        return new Planted(l0, s0, m, d, r);
    }

    static double relF(double[] a, double[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) { num += (a[i] - b[i]) * (a[i] - b[i]); den += b[i] * b[i]; }
        return Math.sqrt(num / den);
    }

    static Rpca.Result solve(double[] m, int d, Rpca.Options o) {
        try (PointerScope s = new PointerScope()) {
            return Rpca.solve(Torch.of(m, d, d), o);
        }
    }

    /** The literal sweep (a full eigendecomposition every iteration) unless a test turns the certified SVT on. */
    static Rpca.Options options(Rpca.Solver solver, double lambda) {
        Rpca.Options o = new Rpca.Options();
        o.solver = solver;
        o.lambda = lambda;
        o.certifiedSvt = false;
        return o;
    }

    @Test
    void recoversPlantedLowRankPlusSparse() {
        Planted p = planted(100, 4, 0.05, 11);
        Rpca.Result r = solve(p.m(), p.d(), options(Rpca.Solver.IALM, 1 / Math.sqrt(p.d())));
        double eL = relF(r.low(), p.l0()), eS = relF(r.sparse(), p.s0());
        System.out.printf("planted d=100 r=4: ialm %d iterations, rank %d, |L-L0|/|L0| = %.2e, |S-S0|/|S0| = %.2e, residual %.2e, %.3fs%n",
                r.iterations(), r.rank(), eL, eS, r.residual(), r.seconds());
        assertTrue(r.converged());
        assertTrue(r.residual() <= 1e-7);
        assertEquals(4, r.rank());
        assertTrue(eL <= 1e-5, "L error " + eL);
        assertTrue(eS <= 1e-5, "S error " + eS);
        for (int i = 0; i < p.d(); i++)
            for (int j = 0; j < i; j++) {
                assertEquals(r.low()[i * p.d() + j], r.low()[j * p.d() + i], 0.0, "L symmetric");
                assertEquals(r.sparse()[i * p.d() + j], r.sparse()[j * p.d() + i], 0.0, "S symmetric");
            }
    }

    /**
     * Same convex problem, same unique optimum: on the well-posed planted problem the fast solver
     * and the reference ADMM both stop within ~1e-7 of it, so they agree to 1e-5 (the same bound
     * as the recovery test) with the same rank, and IALM needs fewer iterations (2.4 times here;
     * on the realistic 512 x 512 Gram of the class comment of Rpca, 78 against 525).
     */
    @Test
    void onPlantedMatricesTheFastSolverReachesTheReferenceSolution() {
        Planted p = planted(80, 3, 0.05, 5);
        double lambda = 1 / Math.sqrt(p.d());
        Rpca.Result ref = solve(p.m(), p.d(), options(Rpca.Solver.ADMM, lambda));
        Rpca.Result fast = solve(p.m(), p.d(), options(Rpca.Solver.IALM, lambda));
        Rpca.Options exact = options(Rpca.Solver.IALM, lambda);
        exact.tuning.subspaceSvt = false;
        Rpca.Result fastExact = solve(p.m(), p.d(), exact);
        double dL = relF(fast.low(), ref.low()), dS = relF(fast.sparse(), ref.sparse());
        System.out.printf("planted d=80 r=3: admm %d iterations (rank %d), ialm %d iterations (rank %d; %d full eigh, %d subspace), |L_ialm - L_admm|/|L_admm| = %.2e, S: %.2e%n",
                ref.iterations(), ref.rank(), fast.iterations(), fast.rank(), fast.fullEigh(), fast.subspaceSteps(), dL, dS);
        assertTrue(ref.converged() && fast.converged());
        assertEquals(ref.rank(), fast.rank());
        assertEquals(ref.rank(), fastExact.rank());
        assertTrue(dL <= 1e-5, "L differs by " + dL);
        assertTrue(dS <= 1e-5, "S differs by " + dS);
        assertTrue(relF(fast.low(), fastExact.low()) <= 1e-5, "subspace SVT vs full SVT");
        assertTrue(fast.iterations() * 2 < ref.iterations(), fast.iterations() + " vs " + ref.iterations());
    }

    static Rpca.Options certified(Rpca.Options o) {
        o.certifiedSvt = true;
        return o;
    }

    /**
     * The certified partial SVT follows the literal (full-eigendecomposition) sweep: same
     * iteration count, same rank, L to 1e-6 relative (the target of issue 15). Justification of
     * the bound: each certified step's L is within sqrt(2) certifiedTol ||L||_F = 1.4e-9 ||L||_F of
     * the exact SVT of the same argument (RpcaCertified's class comment), the sweep is
     * nonexpansive, so n iterations drift at most ~1.4e-9 n apart: 1.2e-7 for the planted case's
     * ~84 and 8e-7 for the Grams below (at most ~600), all under 1e-6. Measured: 1e-10 to 1e-9.
     * At least {@code minCertified} of the iterations must be certified steps (the fallback is the
     * literal sweep itself, so without them the comparison would test nothing): 90 % on the
     * Jacobian-like Grams the solver is meant for; on the planted problems, which converge in a
     * few large steps, most iterations run out of block products and fall back (35 of 84
     * certified at d = 80), so there only some.
     */
    static Rpca.Result assertFollowsLiteral(String what, double[] m, int d, Rpca.Options literalOptions, Rpca.Options certifiedOptions,
                                            double minCertified) {
        Rpca.Result lit = solve(m, d, literalOptions);
        Rpca.Result cer = solve(m, d, certified(certifiedOptions));
        double dL = relF(cer.low(), lit.low()), dS = relF(cer.sparse(), lit.sparse());
        System.out.printf("%s: literal %d iterations rank %d %.3fs; certified %d iterations rank %d %.3fs (%d full eigh, %d certified steps, %d block products); |L_c - L|/|L| = %.2e, S: %.2e%n",
                what, lit.iterations(), lit.rank(), lit.seconds(), cer.iterations(), cer.rank(), cer.seconds(), cer.fullEigh(),
                cer.subspaceSteps(), cer.blockProducts(), dL, dS);
        assertTrue(lit.converged() && cer.converged());
        assertEquals(lit.iterations(), cer.iterations(), "iteration count");
        assertEquals(lit.rank(), cer.rank(), "rank");
        assertTrue(dL <= 1e-6, "L differs by " + dL);
        assertTrue(dS <= 1e-6 || relF(cer.sparse(), new double[cer.sparse().length]) == 0, "S differs by " + dS);
        if (minCertified > 0)
            assertTrue(cer.subspaceSteps() >= Math.max(1, minCertified * cer.iterations()), "certified steps " + cer.subspaceSteps() + " of " + cer.iterations());
        for (int i = 0; i < d; i++)
            for (int j = 0; j < i; j++) {
                assertEquals(cer.low()[i * d + j], cer.low()[j * d + i], 0.0, "L symmetric");
                assertEquals(cer.sparse()[i * d + j], cer.sparse()[j * d + i], 0.0, "S symmetric");
            }
        return cer;
    }

    /**
     * Planted problems move X in large steps, so by default the certified path mostly backs off
     * to full solves there; {@code certifiedEager} keeps it trying every iteration, which puts the
     * certificate under the hardest conditions (the default is checked as well).
     */
    @Test
    void certifiedSvtFollowsTheLiteralAdmmOnPlantedLowRankPlusSparse() {
        Planted p = planted(80, 3, 0.05, 5);
        double lambda = 1 / Math.sqrt(p.d());
        assertFollowsLiteral("planted d=80 r=3 admm", p.m(), p.d(), options(Rpca.Solver.ADMM, lambda), eager(options(Rpca.Solver.ADMM, lambda)), 0.1);
        assertFollowsLiteral("planted d=80 r=3 admm, default back-off", p.m(), p.d(), options(Rpca.Solver.ADMM, lambda), options(Rpca.Solver.ADMM, lambda), 0);
        assertFollowsLiteral("planted d=80 r=3 exact", p.m(), p.d(), options(Rpca.Solver.EXACT, lambda), eager(options(Rpca.Solver.EXACT, lambda)), 0.1);
        Planted q = planted(120, 6, 0.05, 17);
        double lq = 1 / Math.sqrt(q.d());
        assertFollowsLiteral("planted d=120 r=6 admm", q.m(), q.d(), options(Rpca.Solver.ADMM, lq), eager(options(Rpca.Solver.ADMM, lq)), 0.1);
    }

    static Rpca.Options eager(Rpca.Options o) {
        o.tuning.certifiedEager = true;
        return o;
    }

    /**
     * Jacobian-like Grams (a decaying spectrum, J = U diag(exp(-i/8)) V^T, as RpcaBenchmark's 512
     * one) at d = 96 with lambda sqrt(d) = 0.38 (the reference's 1/60 at d = 512), and the
     * demo generator's eyes background Gram (d = 64, lambda 0.047): the certified SVT gives the
     * literal ADMM's L to 1e-6 at the same stop. (d = 40, 2,238 iterations: RpcaReferenceTest,
     * against the plain reference loop.)
     */
    @Test
    void certifiedSvtFollowsTheLiteralAdmmOnJacobianLikeGrams() {
        for (int d : new int[]{96}) {
            double[] g = decayingGram(d, 5);
            double lambda = 0.38 / Math.sqrt(d);
            assertFollowsLiteral("decaying Gram d=" + d, g, d, options(Rpca.Solver.ADMM, lambda), options(Rpca.Solver.ADMM, lambda), 0.9);
        }
        GramPair.Host gp = demoEyes();
        assertFollowsLiteral("demo eyes B", gp.b(), gp.dim(), options(Rpca.Solver.ADMM, 0.047), options(Rpca.Solver.ADMM, 0.047), 0.9);
        // the default (certifiedSvt unset) is this path for ADMM and EXACT, not for IALM
        Rpca.Options byDefault = new Rpca.Options();
        byDefault.lambda = 0.047;
        assertTrue(byDefault.certified(gp.dim()));
        assertFalse(byDefault.certified(Rpca.Options.CERTIFIED_MAX_DIM + 1), "W+ sized Grams keep the full solve (memory)");
        Rpca.Result r = solve(gp.b(), gp.dim(), byDefault);
        assertTrue(r.subspaceSteps() > 0.9 * r.iterations(), r.subspaceSteps() + " certified steps of " + r.iterations());
        byDefault.solver = Rpca.Solver.IALM;
        assertFalse(byDefault.certified(gp.dim()));
    }

    /**
     * The extrapolated warm start changes where each partial solve starts, not what it accepts:
     * with and without it the same iterations, rank and L (both within certifiedTol-sized steps of
     * the literal sweep, so within 1e-6 of each other here), and with it fewer block products
     * (the reason it exists; counts are deterministic, unlike times).
     */
    @Test
    void extrapolatedWarmStartGivesTheSameSolveWithFewerProducts() {
        GramPair.Host gp = demoEyes();
        record Case(String what, double[] m, int d, double lambda) {}
        for (Case c : new Case[]{new Case("decaying Gram d=96", decayingGram(96, 5), 96, 0.38 / Math.sqrt(96)),
                new Case("demo eyes B", gp.b(), gp.dim(), 0.047)}) {
            Rpca.Result with = solve(c.m(), c.d(), certified(options(Rpca.Solver.ADMM, c.lambda())));
            Rpca.Options plain = certified(options(Rpca.Solver.ADMM, c.lambda()));
            plain.tuning.certifiedExtrapolate = false;
            Rpca.Result without = solve(c.m(), c.d(), plain);
            double dL = relF(with.low(), without.low());
            System.out.printf("%s: %d iterations, block products %d extrapolated against %d plain, |dL|/|L| = %.2e%n",
                    c.what(), with.iterations(), with.blockProducts(), without.blockProducts(), dL);
            assertEquals(without.iterations(), with.iterations(), c.what());
            assertEquals(without.rank(), with.rank(), c.what());
            assertTrue(dL <= 1e-6, c.what() + ": L differs by " + dL);
            assertTrue(with.subspaceSteps() > 0.9 * with.iterations(), c.what() + ": " + with.subspaceSteps() + " certified steps");
            assertTrue(with.blockProducts() < without.blockProducts(), c.what() + ": " + with.blockProducts() + " products against " + without.blockProducts());
        }
    }

    /**
     * The Gram on which IALM stops early (decayingGram40, lambda 1/sqrt(40); see
     * {@link #exactReachesTheOptimalObjectiveWhereResidualStopsDoNot}): the certified SVT follows
     * the literal ADMM there too, to the objective ||L||_* + lambda ||M - L||_1. Bound: with
     * ||dL||_F &lt;= 1e-6 ||L||_F (assertFollowsLiteral) the objective moves by at most
     * (sqrt(d) + lambda d) ||dL||_F &lt;= 12.7e-6 ||L||_F &lt;= 1.3e-5 of the objective (which is at
     * least ||L||_* &gt;= ||L||_F), below IALM's measured 1.8e-4 gap; the blocks here are wider than
     * d / 3, so the eager mode makes the certified path run at all.
     */
    @Test
    void certifiedSvtMatchesTheObjectiveWhereIalmStopsEarly() {
        int d = 40;
        double lambda = 1 / Math.sqrt(d);
        double[] m = decayingGram40();
        assertFollowsLiteral("IALM-early Gram d=40", m, d, options(Rpca.Solver.ADMM, lambda), eager(options(Rpca.Solver.ADMM, lambda)), 0.5);
        Rpca.Result lit = solve(m, d, options(Rpca.Solver.ADMM, lambda));
        Rpca.Result cer = solve(m, d, certified(eager(options(Rpca.Solver.ADMM, lambda))));
        Rpca.Result ialm = solve(m, d, options(Rpca.Solver.IALM, lambda));
        double ol = feasibleObjective(lit, m, lambda), oc = feasibleObjective(cer, m, lambda), oi = feasibleObjective(ialm, m, lambda);
        System.out.printf("IALM-early Gram d=40: objective literal ADMM %.12f, certified %.12f (relative %.2e), IALM %.12f%n",
                ol, oc, Math.abs(oc - ol) / ol, oi);
        assertEquals(ol, oc, 1.3e-5 * ol);
        assertTrue(oi > oc * (1 + 1e-5), "IALM stays above: " + oi + " vs " + oc);
    }

    /**
     * The certificate on its own, where the block misses an eigenvalue beyond tau. (None of the
     * solves above ever needs a refusal: with the upper certificate forced to accept they all
     * pass unchanged, measured.) X_a = V diag(lambda) V^T, d = 60, tau = 1: eigenvalues 40, 20,
     * 10, 5, 3, 2 (c = 6; the block holds their eigenvectors and the 8 next by |lambda|), the rest
     * evenly in [-0.5, 0.5]. X_b lifts one eigenvector off the block to 1.2 (upper side) or drops
     * one to -1.2 (lower side): the block's subspace iteration never sees it (it is orthogonal to
     * the block and an eigenvector of X_b) and converges at once, so only the certificate can
     * refuse. A perturbation that crosses nothing (||E||_2 ~ 0.02) is certified.
     */
    @Test
    void theCertificateRefusesAnEigenvalueTheBlockMisses() {
        for (boolean tensors : new boolean[]{false, true}) refusals(tensors);
    }

    /** The cases above on the host backend or (tensors) on LibTorch CPU tensors. */
    private static void refusals(boolean tensors) {
        String on = tensors ? " (tensors)" : " (host)";
        int d = 60;
        double[] v;
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        double[] g = new double[d * d];
        for (int i = 0; i < g.length; i++) g[i] = r.nextGaussian();
        try (PointerScope scope = new PointerScope()) {
            v = Torch.toDoubles(new org.bytedeco.pytorch.Tensor(org.bytedeco.pytorch.global.torch.linalg_qr(Torch.of(g, d, d)).get0()));
        }
        double[] lambda = new double[d];
        double[] top = {40, 20, 10, 5, 3, 2};
        for (int i = 0; i < d; i++) lambda[i] = i < top.length ? top[i] : -0.5 + (double) (i - top.length) / (d - top.length - 1);
        double[] xa = spectral(v, lambda, d);
        double[] up = lambda.clone(), down = lambda.clone();
        up[30] = 1.2;   // lambda 0.0 before: inside the floor, off the block
        down[40] = -1.2; // 0.19 before
        assertFalse(RpcaCertified.partialStepAfter(xa, spectral(v, up, d), d, 1.0, null, 0, tensors), "an eigenvalue 1.2 > tau off the block must be refused" + on);
        assertFalse(RpcaCertified.partialStepAfter(xa, spectral(v, down, d), d, 1.0, null, 0, tensors), "an eigenvalue -1.2 < -tau off the block must be refused" + on);
        double[] e = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j <= i; j++) e[i * d + j] = e[j * d + i] = 0.0015 * r.nextGaussian();
        double[] xd = xa.clone();
        for (int i = 0; i < xd.length; i++) xd[i] += e[i];
        assertTrue(RpcaCertified.partialStepAfter(xa, xd, d, 1.0, null, 0, tensors), "a move that crosses nothing is certified" + on);

        // The anchor's rotation term: X does not move, but the block is another invariant
        // subspace, X_a's 14-vector block with the eigenvector of lambda = 2 swapped for a floor
        // one. The Ritz pairs are exact, so only the term lambda_max(D^(1/2)(I - C C^T)D^(1/2)),
        // which sees the anchor block's lambda = 2 direction off the new block, can refuse.
        int k = 14;
        int[] order = java.util.stream.IntStream.range(0, d).boxed()
                .sorted((a, b) -> Double.compare(Math.abs(lambda[b]), Math.abs(lambda[a]))).mapToInt(Integer::intValue).toArray();
        double[] block = new double[d * k];
        for (int j = 0, col = 0; col < k; j++) {
            int idx = order[j];
            if (idx == 5) continue; // lambda = 2, kept: left out of the block
            for (int i = 0; i < d; i++) block[col * d + i] = v[i * d + idx];
            col++;
        }
        assertFalse(RpcaCertified.partialStepAfter(xa, xa, d, 1.0, block, k, tensors), "a kept eigenvector outside the block must be refused" + on);
        for (int i = 0; i < d; i++) block[4 * d + i] = v[i * d + 5]; // the block with it (lambda 3 out, now outside and kept)
        assertFalse(RpcaCertified.partialStepAfter(xa, xa, d, 1.0, block, k, tensors), "likewise lambda = 3" + on);
    }

    /**
     * The certified SVT on LibTorch tensors through the linalg interface ({@link TensorCertifiedOps},
     * what a matrix on a GPU gets) against the OpenBLAS backend and the literal sweep, here on CPU
     * tensors: the same algorithm on other kernels. Both must follow the literal ADMM (the same
     * iterations and rank, L within 1e-6: assertFollowsLiteral's bound) and agree with each other to
     * 1e-8 (two certified sequences, each within a few 1e-9 of the literal one on these problems,
     * measured ~1e-14 apart). Certified-step and product counts may differ by a few
     * (the kernels round differently, and a step that certifies in one may need another product
     * in the other), so only "most steps certified" is asserted, as for the host backend.
     * ({@link #theCertificateRefusesAnEigenvalueTheBlockMisses} runs on both backends.)
     */
    /**
     * The host round trips of the device backend (issue 31), counted where a GPU would pay them:
     * device-to-host reads ({@code Torch.hostCopies}) and host-to-device uploads of Java values
     * ({@code Torch.uploads}), on CPU tensors. Every read and upload of the certified solve goes
     * through those two counted functions. Measured here: 3.0 reads and 2.0 uploads per iteration
     * (2,238 iterations); the bound leaves room for Grams whose steps need more block products.
     */
    @Test
    void deviceBackendRoundTripsPerIterationAreCounted() {
        double[] g = decayingGram(40, 5);
        Rpca.Options tens = options(Rpca.Solver.ADMM, 0.38 / Math.sqrt(40)).copy();
        tens.tuning.certifiedTensors = true;
        long c0 = ganfactor.torch.Torch.hostCopies(), u0 = ganfactor.torch.Torch.uploads();
        Rpca.Result r = solve(g, 40, tens);
        double reads = (ganfactor.torch.Torch.hostCopies() - c0) / (double) r.iterations();
        double uploads = (ganfactor.torch.Torch.uploads() - u0) / (double) r.iterations();
        System.out.printf("device backend, decaying Gram d=40: %d iterations, %.1f reads and %.1f uploads per iteration%n", r.iterations(), reads, uploads);
        assertTrue(reads > 1 && uploads > 1, "both kinds are counted");
        assertTrue(reads + uploads <= ROUND_TRIPS_PER_ITERATION, "host round trips per iteration: " + reads + " reads + " + uploads + " uploads");
    }

    /**
     * The certified solve's profile goes into the result, not to stderr (the library prints nothing;
     * it used to print with -Dganfactor.rpca.debug): the counters agree with the result's own, and
     * the seconds per part add up to no more than the solve's time.
     */
    @Test
    void theProfileIsInTheResultAndNothingIsPrinted() {
        Rpca.Options o = options(Rpca.Solver.ADMM, 0.38 / Math.sqrt(40)).copy();
        o.certifiedSvt = true;
        o.profile = true;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        Rpca.Result r;
        try {
            System.setErr(new java.io.PrintStream(err, true));
            r = solve(decayingGram(40, 5), 40, o);
        } finally {
            System.setErr(saved);
        }
        assertEquals("", err.toString());
        java.util.Map<String, Object> p = r.profile();
        assertEquals(r.blockProducts(), ((Number) p.get("block_products")).intValue());
        assertEquals(r.subspaceSteps(), ((Number) p.get("certified")).intValue());
        double parts = 0;
        for (Object v : ((java.util.Map<?, ?>) p.get("seconds")).values()) parts += ((Number) v).doubleValue();
        assertTrue(parts > 0 && parts <= r.seconds() * 1.01, parts + " s in parts of a " + r.seconds() + " s solve");
        assertTrue(r.describe().containsKey("profile"));
        o.profile = false;
        assertTrue(solve(decayingGram(40, 5), 40, o).profile().isEmpty());
    }

    /** The documented bound (Rpca's class comment): reads + uploads per iteration of the device backend. */
    static final double ROUND_TRIPS_PER_ITERATION = 8;

    @Test
    void certifiedSvtOnTensorsMatchesTheHostBackend() {
        GramPair.Host gp = demoEyes();
        record Case(String what, double[] m, int d, Rpca.Options o, double minCertified) {}
        Planted p = planted(80, 3, 0.05, 5);
        double lp = 1 / Math.sqrt(p.d());
        for (Case c : new Case[]{
                new Case("decaying Gram d=40", decayingGram(40, 5), 40, options(Rpca.Solver.ADMM, 0.38 / Math.sqrt(40)), 0.9),
                new Case("demo eyes B", gp.b(), gp.dim(), options(Rpca.Solver.ADMM, 0.047), 0.9),
                new Case("planted d=80 r=3 exact, eager", p.m(), p.d(), eager(options(Rpca.Solver.EXACT, lp)), 0.1)}) {
            Rpca.Options literal = options(c.o().solver, c.o().lambda);
            Rpca.Options host = certified(c.o());
            host.tuning.certifiedTensors = false;
            Rpca.Options tens = c.o().copy();
            tens.tuning.certifiedTensors = true;
            Rpca.Result b = assertFollowsLiteral(c.what() + ", tensors", c.m(), c.d(), literal, tens, c.minCertified());
            Rpca.Result a = solve(c.m(), c.d(), host);
            double dL = relF(b.low(), a.low());
            System.out.printf("%s: host backend %d iterations, %d certified, %d products, %.3fs; tensors %d, %d, %d, %.3fs; |L_t - L_h|/|L_h| = %.2e%n",
                    c.what(), a.iterations(), a.subspaceSteps(), a.blockProducts(), a.seconds(), b.iterations(), b.subspaceSteps(), b.blockProducts(), b.seconds(), dL);
            assertEquals(a.iterations(), b.iterations(), c.what());
            assertEquals(a.rank(), b.rank(), c.what());
            assertTrue(dL <= 1e-8, c.what() + ": backends differ by " + dL);
        }
    }

    /** V diag(lambda) V^T for V [d, d] row-major (columns = eigenvectors). */
    static double[] spectral(double[] v, double[] lambda, int d) {
        double[] x = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) {
                double acc = 0;
                for (int k = 0; k < d; k++) acc += v[i * d + k] * lambda[k] * v[j * d + k];
                x[i * d + j] = acc;
            }
        return x;
    }

    @Test
    void nonConvergenceIsReportedNotThrown() {
        Planted p = planted(40, 2, 0.05, 2);
        Rpca.Options o = options(Rpca.Solver.ADMM, 1 / Math.sqrt(40));
        o.maxIterations = 3;
        int[] seen = {0};
        o.monitor = (it, res, rank) -> seen[0] = it;
        Rpca.Result r = solve(p.m(), p.d(), o);
        assertFalse(r.converged());
        assertEquals(3, r.iterations());
        assertEquals(3, seen[0]);
        assertTrue(r.residual() > 1e-7);
    }

    @Test
    void cancellationStopsBetweenIterations() {
        Planted p = planted(40, 2, 0.05, 3);
        Rpca.Options o = options(Rpca.Solver.IALM, 1 / Math.sqrt(40));
        int[] calls = {0};
        o.cancelled = () -> ++calls[0] > 2;
        assertThrows(CancellationException.class, () -> solve(p.m(), p.d(), o));
        assertEquals(3, calls[0]);
    }

    @Test
    void rejectsNonSymmetricInput() {
        double[] m = {1, 2, 0, 1};
        InputException e = assertThrows(InputException.class, () -> solve(m, 2, new Rpca.Options()));
        assertTrue(e.getMessage().contains("not symmetric"), e.getMessage());
    }

    /**
     * The honest comparison behind the default: on a Jacobian-like Gram both solvers meet the
     * reference's stopping rule, but only ADMM reaches the optimum of the convex problem. IALM's
     * objective ||L||_* + lambda ||S||_1 is measurably higher (1.8e-4 relative when this test was
     * written) and its L differs from ADMM's by about 1e-2. Bounds are loose on purpose: the test
     * proves the gap exists and that ADMM is the lower one.
     */
    @Test
    void ialmStopsAtAFeasibleButSuboptimalPointAdmmAtTheOptimum() {
        int d = 40;
        double lambda = 1 / Math.sqrt(d);
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            org.bytedeco.pytorch.Tensor m = Torch.of(decayingGram40(), d, d);
            Rpca.Result admm = Rpca.solve(m, options(Rpca.Solver.ADMM, lambda));
            Rpca.Result ialm = Rpca.solve(m, options(Rpca.Solver.IALM, lambda));
            assertTrue(admm.converged() && ialm.converged());
            double oa = objective(admm, lambda, d), oi = objective(ialm, lambda, d);
            System.out.printf("RPCA d=40: ADMM %d iterations, objective %.10f, rank %d; IALM %d iterations, objective %.10f, rank %d%n",
                    admm.iterations(), oa, admm.rank(), ialm.iterations(), oi, ialm.rank());
            assertTrue(oi > oa * (1 + 1e-5), "IALM's objective is measurably above ADMM's: " + oi + " vs " + oa);
            assertTrue(ialm.iterations() * 3 < admm.iterations(), "and it got there much sooner");
        }
    }

    /** EXACT tightened to the optimum (primal 1e-10, dual 1e-9 relative residuals). */
    static Rpca.Options tightExact(double lambda) {
        Rpca.Options o = options(Rpca.Solver.EXACT, lambda);
        o.primalTol = 1e-10;
        o.dualTol = 1e-9;
        o.maxIterations = 100000;
        return o;
    }

    /** The reference ADMM run past the reference's stop, to a 1e-12 constraint residual. */
    static Rpca.Options convergedAdmm(double lambda) {
        Rpca.Options o = options(Rpca.Solver.ADMM, lambda);
        o.tol = 1e-12;
        o.maxIterations = 100000;
        return o;
    }

    /**
     * Planted low-rank + sparse (lambda = 1/sqrt(d), exact recovery holds): the PCP optimum is the
     * planted pair and the reference's ADMM stops within ~1e-7 of it, so EXACT must land on
     * ADMM's L to 1e-6 (ten times the stopping tolerance, i.e. both within a small multiple of
     * it of the same point) with the same rank, at its default tolerances.
     */
    @Test
    void exactEqualsAdmmOnPlantedLowRankPlusSparse() {
        Planted p = planted(80, 3, 0.05, 5);
        double lambda = 1 / Math.sqrt(p.d());
        Rpca.Result admm = solve(p.m(), p.d(), options(Rpca.Solver.ADMM, lambda));
        Rpca.Result exact = solve(p.m(), p.d(), options(Rpca.Solver.EXACT, lambda));
        double dL = relF(exact.low(), admm.low()), dTruth = relF(exact.low(), p.l0());
        System.out.printf("planted d=80 r=3: admm %d iterations rank %d; exact %d iterations rank %d (primal %.2e, dual %.2e); |L_exact - L_admm|/|L_admm| = %.2e, |L_exact - L0|/|L0| = %.2e%n",
                admm.iterations(), admm.rank(), exact.iterations(), exact.rank(), exact.residual(), exact.dualResidual(), dL, dTruth);
        assertTrue(admm.converged() && exact.converged());
        assertEquals(3, admm.rank());
        assertEquals(admm.rank(), exact.rank());
        assertTrue(dL <= 1e-6, "L differs by " + dL);
        assertTrue(dTruth <= 1e-6, "L off the planted truth by " + dTruth);
    }

    /** The foreground and background Grams of the demo generator's eyes region (d = 64, W). */
    static GramPair.Host demoEyes() {
        return ganfactor.check.Matrices.demoEyes(TestSupport.demo32());
    }

    /**
     * A Jacobian-like Gram from the demo generator (background Gram B of the eyes region, d = 64,
     * lambda = 0.047: rank 4). Here the reference's stopping rule (constraint residual 1e-7) stops
     * far from the optimum: its L is 1.6e-3 (relative) from the same ADMM run on to 1e-12
     * (6,647 iterations). EXACT tightened (primal 1e-10, dual 1e-9) lands on that converged ADMM's L
     * to 1e-6 with the same rank in an eighth of the iterations (same convex problem with a unique
     * L here; measured 5.6e-8, the rest of the 1e-6 is margin for both stopping points). At its
     * defaults EXACT is 3.4e-6 from it (bound 1e-5) in 450 iterations, ~460 times closer than
     * the reference's answer, which the last assertions pin down. About 10 s on 2 cores, most of
     * it the converged ADMM and the demo Jacobian.
     */
    @Test
    void exactEqualsConvergedAdmmOnADemoGram() {
        GramPair.Host gp = demoEyes();
        int d = gp.dim();
        double lambda = 0.047;
        Rpca.Result reference = solve(gp.b(), d, options(Rpca.Solver.ADMM, lambda));
        Rpca.Result admm = solve(gp.b(), d, convergedAdmm(lambda));
        Rpca.Result tight = solve(gp.b(), d, tightExact(lambda));
        Rpca.Result exact = solve(gp.b(), d, options(Rpca.Solver.EXACT, lambda));
        double dTight = relF(tight.low(), admm.low()), dExact = relF(exact.low(), admm.low()), dRef = relF(reference.low(), admm.low());
        System.out.printf("demo B d=%d lambda=%.3f: admm(1e-7) %d it rank %d; admm(1e-12) %d it rank %d; exact(tight) %d it rank %d; exact %d it rank %d; |tight - admm*| %.2e, |exact - admm*| %.2e, |admm(1e-7) - admm*| %.2e%n",
                d, lambda, reference.iterations(), reference.rank(), admm.iterations(), admm.rank(), tight.iterations(), tight.rank(),
                exact.iterations(), exact.rank(), dTight, dExact, dRef);
        assertTrue(admm.converged() && tight.converged() && exact.converged());
        assertEquals(admm.rank(), tight.rank());
        assertEquals(admm.rank(), exact.rank());
        assertTrue(dTight <= 1e-6, "tight EXACT vs converged ADMM: " + dTight);
        assertTrue(tight.iterations() * 4 < admm.iterations(), tight.iterations() + " vs " + admm.iterations());
        assertTrue(exact.iterations() < reference.iterations(), "fewer iterations than even the reference's early stop");
        assertTrue(dRef > 1e-4, "the reference's stop is far from the optimum here: " + dRef);
        assertTrue(dExact <= 1e-5, "EXACT at its defaults vs converged ADMM: " + dExact);
        assertTrue(dExact * 10 < dRef, "EXACT's default stop is closer to the optimum than the reference's: " + dExact + " vs " + dRef);
    }

    /**
     * The objective, where stopping on the constraint residual alone fails. (1) The 40 x 40 Gram on
     * which IALM stops 1.8e-4 above ADMM's objective: EXACT's objective ||L||_* + lambda ||M - L||_1
     * equals ADMM's to 2e-7 relative (ADMM itself stops ~1e-7 above the optimum there; EXACT may
     * be below it, never above by more than that). (2) The demo's foreground Gram with the
     * reference's lambda = 1/60: the dual certificate ||lambda sign(M)||_2 &lt;= 1 proves L = 0 optimal
     * (objective lambda ||M||_1); EXACT returns L = 0 to the last bit, while the reference's ADMM
     * reaches its 1e-7 residual at a rank-1 L whose objective is over 20 % higher (the primal
     * residual vanishes long before the dual one when mu is that large).
     */
    @Test
    void exactReachesTheOptimalObjectiveWhereResidualStopsDoNot() {
        int d = 40;
        double lambda = 1 / Math.sqrt(d);
        double[] m = decayingGram40();
        Rpca.Result admm = solve(m, d, options(Rpca.Solver.ADMM, lambda));
        Rpca.Result ialm = solve(m, d, options(Rpca.Solver.IALM, lambda));
        Rpca.Result exact = solve(m, d, options(Rpca.Solver.EXACT, lambda));
        double oa = feasibleObjective(admm, m, lambda), oi = feasibleObjective(ialm, m, lambda), oe = feasibleObjective(exact, m, lambda);
        System.out.printf("RPCA d=40: objective ADMM %.12f (%d it, rank %d), IALM %.12f (%d it, rank %d), EXACT %.12f (%d it, rank %d)%n",
                oa, admm.iterations(), admm.rank(), oi, ialm.iterations(), ialm.rank(), oe, exact.iterations(), exact.rank());
        assertTrue(oi > oa * (1 + 1e-5), "IALM stops above the optimum");
        assertTrue(oe <= oa * (1 + 2e-7), "EXACT's objective " + oe + " vs ADMM's " + oa);
        assertEquals(admm.rank(), exact.rank());

        GramPair.Host gp = demoEyes();
        int n = gp.dim();
        double l60 = 1.0 / 60;
        double[] a = gp.a();
        double certificate, l1 = 0;
        try (PointerScope scope = new PointerScope()) {
            certificate = org.bytedeco.pytorch.global.torch.linalg_eigvalsh(Torch.of(a, n, n).sign().mul(new org.bytedeco.pytorch.Scalar(l60)))
                    .abs().max().item_double();
        }
        for (double v : a) l1 += Math.abs(v);
        Rpca.Result ref = solve(a, n, options(Rpca.Solver.ADMM, l60));
        Rpca.Result ex = solve(a, n, options(Rpca.Solver.EXACT, l60));
        double or = feasibleObjective(ref, a, l60), oex = feasibleObjective(ex, a, l60);
        System.out.printf("demo A lambda=1/60: ||lambda sign(A)||_2 = %.4f; optimum lambda ||A||_1 = %.10f; ADMM rank %d objective %.10f (%d it); EXACT rank %d objective %.10f (%d it)%n",
                certificate, l60 * l1, ref.rank(), or, ref.iterations(), ex.rank(), oex, ex.iterations());
        assertTrue(certificate <= 1, "L = 0 is optimal: " + certificate);
        assertEquals(0, ex.rank());
        for (double v : ex.low()) assertEquals(0.0, v);
        assertEquals(l60 * l1, oex, 1e-12 * oex);
        assertTrue(ref.rank() > 0 && or > oex * 1.1, "the residual-only stop is not at the optimum: " + or + " vs " + oex);
    }

    /** ||L||_* + lambda ||M - L||_1: the objective at the feasible point (L, M - L). */
    /**
     * The 40 x 40 Gram on which IALM stops early: J = U diag(exp(-i/8)) V^T with U, V from the QR of
     * seeded Gaussians (160 x 40 and 40 x 40), G = J^T J scaled to max |entry| 1.
     */
    static double[] decayingGram40() {
        return decayingGram(40, 5);
    }

    /** The same construction at order d (J of 4d x d), seeded. */
    static double[] decayingGram(int d, long seed) {
        return ganfactor.check.Matrices.decayingGram(d, seed);
    }

    static double feasibleObjective(Rpca.Result r, double[] m, double lambda) {
        double nuclear;
        try (PointerScope scope = new PointerScope()) {
            nuclear = org.bytedeco.pytorch.global.torch.linalg_eigvalsh(r.lowTensor()).abs().sum().item_double();
        }
        double l1 = 0;
        for (int i = 0; i < m.length; i++) l1 += Math.abs(m[i] - r.low()[i]);
        return nuclear + lambda * l1;
    }

    static double objective(Rpca.Result r, double lambda, int d) {
        double nuclear = org.bytedeco.pytorch.global.torch.linalg_svdvals(Torch.of(r.low(), d, d)).sum().item_double();
        double l1 = 0;
        for (double v : r.sparse()) l1 += Math.abs(v);
        return nuclear + lambda * l1;
    }
}
