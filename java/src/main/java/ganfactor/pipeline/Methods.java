package ganfactor.pipeline;

import ganfactor.SettingException;

import ganfactor.linalg.Linalg;
import ganfactor.linalg.TorchLinalg;
import ganfactor.method.GanSpace;
import ganfactor.method.LowRankGan;
import ganfactor.method.ReSeFa;
import ganfactor.method.Rpca;
import ganfactor.method.SeFa;
import ganfactor.torch.ComputeDevice;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The registry of direction-finding methods and their settings: each setting is declared here
 * once, with its name, default, check and help text, and every front end (the CLI's flags, the
 * studio's form and its validation, the C API's keys, the Spark launcher's flags, the benchmarks
 * and the run record) is built from it. A front end that wants another value than the default
 * passes it explicitly (the demo asks for the paper's regularisation; its record says so).
 *
 * <p>To add a method: write its {@link Solver}, declare its settings below, and add one {@link
 * Method} to {@link #ALL}.
 */
public final class Methods {
    private Methods() {}

    private static final int BIG = 1 << 24;

    // ---- shared ----
    public static final Setting<Integer> K = Setting.integer("k", 0, 0, BIG,
            "directions kept (0 = all; for ganspace: min(80, d) components)");

    // ---- ReSeFa ----
    public static final Setting<ReSeFa.Regularization> REGULARIZE = Setting.choice("regularize", ReSeFa.Regularization.NONE, ReSeFa.Regularization::parse,
            "ReSeFa's background Gram: none (as the reference; a singular B falls back to paper with a warning), paper (B + eps tr(B)/d I) or reference (B + tau tr(B) I, the reference's --full_rank)");
    public static final Setting<Double> EPS = Setting.positive("eps", 1e-3, null,
            "ReSeFa: the paper regularisation's eps, also the fallback's and the fast path's shift");
    public static final Setting<Double> TAU = Setting.positive("tau", 1e-3, null, "ReSeFa: the reference regularisation's tau");
    public static final Setting<ReSeFa.SolvePath> SOLVE_PATH = Setting.choice("solve-path", ReSeFa.SolvePath.AUTO, ReSeFa.SolvePath::parse,
            "ReSeFa: auto, standard (Cholesky + eigh) or fast (truncated SVD + Woodbury; needs the region's Jacobian rows)");
    public static final Setting<Integer> FAST_RANK = Setting.integer("fast-rank", 0, 0, BIG,
            "ReSeFa fast path: rank of the background truncation (0 = min(d, 512))");

    // ---- LowRankGAN ----
    public static final Setting<Rpca.Solver> RPCA_SOLVER = Setting.choice("rpca-solver", Rpca.Solver.ADMM, Rpca.Solver::parse,
            "RPCA solver: admm (the reference's fixed-mu ADMM), exact (stops only when the primal and the dual residual are small: the PCP optimum, "
                    + "which the reference's stop can miss; slower on large Grams) or ialm (inexact ALM: ~10x fewer iterations, but it stops at a feasible, slightly suboptimal point)");
    public static final Setting<Double> RPCA_LAMBDA = Setting.positive("rpca-lambda", null, "auto",
            "RPCA sparsity weight lambda; auto: the reference's 1/60 from d = 512 (what it was tuned for), 1/sqrt(d) below, where 1/60 leaves the background's low-rank part nearly empty");
    public static final Setting<Double> RPCA_TOL = Setting.positive("rpca-tol", 1e-7, null, "RPCA stop: ||L + S - M||_F <= tol ||M||_F");
    public static final Setting<Integer> RPCA_MAX_ITERATIONS = Setting.integer("rpca-max-iterations", 10000, 1, BIG, "RPCA iteration cap");
    public static final Setting<Boolean> RPCA_CERTIFIED = Setting.flag("rpca-certified", null, "auto",
            "RPCA: a certified partial eigensolve in each step instead of a full one (the same iterates to 1e-9 of ||L||, a certificate that no eigenvalue is missed, "
                    + "a full solve when it fails); auto: on for admm and exact up to d = " + Rpca.Options.CERTIFIED_MAX_DIM + ", off for ialm");
    public static final Setting<Boolean> RPCA_PROFILE = Setting.flag("rpca-profile", false, null,
            "record where each certified RPCA's work and time go (counters, seconds per part of the iteration) in the JSON record");
    public static final Setting<Integer> NUM_RELAX = Setting.integer("num-relax", 0, 0, BIG,
            "LowRankGAN: smallest nonzero directions of L_B admitted into the null space");
    public static final Setting<Double> RANK_TOL = Setting.positive("rank-tol", null, "s_max*d*eps",
            "absolute tolerance for numerical ranks; default s_max * d * eps, as NumPy's matrix_rank");

    // ---- SeFa ----
    public static final Setting<String> LAYERS = Setting.text("layers", "all", s -> {
        if (s.isEmpty()) throw new SettingException("layers", "must be all, a list or ranges (0-3, 0,2,5-6), got ''");
    }, "SeFa: style affines to factorise: all, 0-3, 0,2,5-6");

    // ---- GANSpace ----
    public static final Setting<Integer> SAMPLES = Setting.integer("samples", GanSpace.DEFAULT_SAMPLES, 2, GanSpace.MAX_SAMPLES,
            "GANSpace: number of sampled codes N (the reference uses 300000)");
    public static final Setting<Integer> BATCH = Setting.integer("batch", GanSpace.DEFAULT_BATCH, 1, GanSpace.MAX_BATCH, "GANSpace: samples per mapping pass");
    public static final Setting<Long> SEED = Setting.longInteger("seed", GanSpace.DEFAULT_SEED, 0, 0xffffffffL,
            "GANSpace: seed for z, as NumPy's RandomState");

    public static final Method RESEFA = new Method("resefa", true,
            "ReSeFa: generalized eigenvectors of the region's Gram pair (directions that change the region and little else)",
            List.of(K, REGULARIZE, EPS, TAU, SOLVE_PATH, FAST_RANK), (r, dev) -> new ReSeFaSolver(resefa(r, dev)));
    public static final Method LOWRANKGAN = new Method("lowrankgan", true,
            "LowRankGAN: RPCA of both Grams, the foreground's principal directions projected into the background's null space",
            List.of(K, RPCA_SOLVER, RPCA_LAMBDA, RPCA_TOL, RPCA_MAX_ITERATIONS, RPCA_CERTIFIED, RPCA_PROFILE, NUM_RELAX, RANK_TOL),
            (r, dev) -> new LowRankGanSolver(lowRankGan(r)));
    public static final Method SEFA = new Method(SeFa.METHOD, false,
            "SeFa: closed-form eigenvectors of the generator's style weights (a global baseline)",
            List.of(K, LAYERS), (r, dev) -> new SeFaSolver(r.get(LAYERS), r.get(K), linalg(dev)));
    public static final Method GANSPACE = new Method(GanSpace.METHOD, false,
            "GANSpace: principal axes of w = mapping(z) over sampled codes (a global baseline)",
            List.of(K, SAMPLES, BATCH, SEED), (r, dev) -> new GanSpaceSolver(ganSpace(r), linalg(dev)));

    /** Every method, in the order front ends list them. */
    public static final List<Method> ALL = List.of(RESEFA, LOWRANKGAN, SEFA, GANSPACE);

    /** The method named {@code name} (any case). */
    public static Method named(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (Method m : ALL) if (m.name().equals(n)) return m;
        throw new SettingException("method", "must be " + Setting.or(ALL.stream().map(Method::name).toList()) + ", got '" + name + "'");
    }

    /** The regional method named {@code name} (discover, solve, Spark): a global one is refused. */
    public static Method regional(String name) {
        Method m = named(name);
        if (!m.regional())
            throw new SettingException("method", "must be " + Setting.or(regionalMethods().stream().map(Method::name).toList())
                    + " here (a region's Grams), got '" + name + "' (a global baseline: its own command)");
        return m;
    }

    public static List<Method> regionalMethods() {
        return ALL.stream().filter(Method::regional).toList();
    }

    /** The union of the settings of {@code methods}, each once, in declaration order. */
    public static List<Setting<?>> settingsOf(List<Method> methods) {
        Set<Setting<?>> s = new LinkedHashSet<>();
        for (Method m : methods) s.addAll(m.settings());
        return new ArrayList<>(s);
    }

    /** LowRankGAN's settings without {@link #K} (the null-space projection of edit --local and localize). */
    public static List<Setting<?>> nullSpaceSettings() {
        return LOWRANKGAN.settings().stream().filter(s -> s != K).toList();
    }

    // ---- the library's options from a request ----

    /** ReSeFa's options, its solves on {@code device}. */
    public static ReSeFa.Options resefa(MethodRequest r, ComputeDevice device) {
        ReSeFa.Options o = new ReSeFa.Options();
        o.regularization = r.get(REGULARIZE);
        o.eps = r.get(EPS);
        o.tau = r.get(TAU);
        o.k = r.get(K);
        o.path = r.get(SOLVE_PATH);
        o.fastRank = r.get(FAST_RANK);
        return ReSeFaSolver.onDevice(o, device);
    }

    /** LowRankGAN's options; an auto lambda ({@link #RPCA_LAMBDA} not given) is chosen from each Gram's d by the library. */
    public static LowRankGan.Options lowRankGan(MethodRequest r) {
        LowRankGan.Options o = new LowRankGan.Options();
        o.rpca.solver = r.get(RPCA_SOLVER);
        Double lambda = r.get(RPCA_LAMBDA);
        if (lambda != null) o.rpca.lambda = lambda;
        o.autoLambda = lambda == null;
        o.rpca.tol = r.get(RPCA_TOL);
        o.rpca.primalTol = r.get(RPCA_TOL);
        o.rpca.maxIterations = r.get(RPCA_MAX_ITERATIONS);
        o.rpca.certifiedSvt = r.get(RPCA_CERTIFIED);
        o.rpca.profile = r.get(RPCA_PROFILE);
        o.numRelax = r.get(NUM_RELAX);
        Double rankTol = r.get(RANK_TOL);
        if (rankTol != null) o.rankTolerance = rankTol;
        o.maxDirections = r.get(K);
        return o;
    }

    /** GANSpace's options (progress and cancellation are the caller's). */
    public static GanSpace.Options ganSpace(MethodRequest r) {
        GanSpace.Options o = new GanSpace.Options();
        o.k = r.get(K);
        o.samples = r.get(SAMPLES);
        o.batch = r.get(BATCH);
        o.seed = r.get(SEED);
        return o;
    }

    /** The linear algebra of the global baselines on {@code device}. */
    public static Linalg linalg(ComputeDevice device) {
        return Linalg.forDevice(device, TorchLinalg.INSTANCE);
    }
}
