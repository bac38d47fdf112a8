package ganfactor.method;

import ganfactor.InputException;
import ganfactor.linalg.Linalg;
import ganfactor.linalg.TorchLinalg;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

import static ganfactor.InputException.ref;

/**
 * Principal Component Pursuit of a symmetric matrix: M = L + S with L low rank and S sparse,
 * the minimiser of ||L||_* + lambda ||S||_1 subject to L + S = M (docs/ALGORITHMS.md, LowRankGAN).
 * {@link RpcaReference} is the same ADMM written plainly, as the reference code has it; this class
 * is the production solver (the tests hold it to that one).
 *
 * <p>All three solvers run the same augmented-Lagrangian sweep, in the order of the reference code:
 * <pre>
 *   L &lt;- SVT_{1/mu}(M - S - Y/mu)          singular value soft-threshold
 *   S &lt;- shrink_{lambda/mu}(M - L - Y/mu)   entrywise soft-threshold
 *   Y &lt;- Y + mu (L + S - M)
 * </pre>
 * ADMM and IALM stop when ||L + S - M||_F &lt;= tol ||M||_F.
 * <ul>
 *   <li>{@link Solver#ADMM}: the reference. Fixed mu = n1 n2 / (4 ||M||_1) (induced 1-norm, the
 *       largest absolute column sum), L = S = Y = 0 at start.</li>
 *   <li>{@link Solver#IALM}: the inexact augmented Lagrange multiplier method (Lin, Chen and Ma):
 *       the same sweep with mu_0 = 1.25 / ||M||_2, mu_{k+1} = min(rho mu_k, mu_max), mu_max =
 *       1e7 mu_0 and the dual start Y_0 = -M / max(||M||_2, ||M||_max / lambda) (the sign follows
 *       the Y convention above). Same convex problem, so the same solution up to where each
 *       stops (both stop on the constraint residual alone, not at the exact optimum).</li>
 *   <li>{@link Solver#EXACT}: the same sweep and start (L = S = Y = 0), a fixed mu =
 *       {@link Options#muScale} (0.1) x the reference's, and a stop on BOTH KKT residuals: primal
 *       ||L + S - M||_F &lt;= primalTol ||M||_F (1e-7, the reference's rule) and dual
 *       mu ||S_k - S_(k-1)||_F &lt;= dualTol ||Y_k||_F (1e-6). Both vanish only at the optimum (the
 *       S-step keeps |Y_ij| &lt;= lambda exactly, and ||Y_k||_2 &lt;= 1 + mu ||S_k - S_(k-1)||_2 after
 *       the L-step, so Y_k tends to a dual certificate), which the primal residual alone does not
 *       measure: the reference's stopping rule can stop well short of the optimum.</li>
 * </ul>
 * <p>The iterates are symmetric, so the SVT uses the symmetric eigendecomposition X = Q diag(l)
 * Q^T: SVT_tau(X) = Q diag(sign(l) max(|l| - tau, 0)) Q^T. Three ways to compute it:
 * <ul>
 *   <li>a full eigendecomposition through {@link Options#linalg} every iteration (the literal
 *       sweep, on tensors);</li>
 *   <li>the <b>certified partial SVT</b> ({@link Options#certifiedSvt}, the default for ADMM and
 *       EXACT up to d = {@link Options#CERTIFIED_MAX_DIM}, {@link RpcaCertified}): the eigenpairs
 *       above 1/mu from a warm-started block, accepted only with a certificate that no eigenvalue
 *       off the block lies outside (-1/mu, 1/mu), else a full eigendecomposition; it follows the
 *       literal sweep (the same iterations, and L within a bound its class comment derives). Two
 *       backends ({@link CertifiedOps}): OpenBLAS on host buffers, LibTorch tensors for a matrix
 *       on a GPU;</li>
 *   <li>IALM's warm-started Rayleigh-Ritz sweeps on tensors, with a full eigendecomposition now
 *       and then and on the last iteration.</li>
 * </ul>
 * The knobs that choose between variants of these internals are in {@link Options.Tuning}, for
 * measurements. The measurements behind the choices (why ADMM is the default, EXACT's mu, IALM's
 * rho, the levers tried and rejected, the certified SVT's figures) are in benchmarks/RESULTS.md,
 * "RPCA: design measurements".
 *
 * <p>Non-convergence is not an exception: {@link Result#converged()} is false and the caller
 * records a warning. Cancellation (checked between iterations) throws {@link CancellationException}.
 * Every dense factorisation goes through {@link Linalg}.
 */
public final class Rpca {

    private Rpca() {}

    /** Block Rayleigh-Ritz sweeps tried before falling back to a full eigendecomposition. */
    static final int MAX_SUBSPACE_SWEEPS = 4;
    /**
     * A subspace SVT is accepted when the Ritz residuals of the pairs it keeps, sqrt(sum ||X u -
     * theta u||^2), are at most this fraction of the previous sweep's ||L + S - M||_F: an inexact
     * step whose error shrinks with the residual (the converging sweep is always exact).
     */
    static final double SVT_ERROR_FRACTION = 1.0;

    public enum Solver {
        /** The reference fixed-mu ADMM (alternating directions, L then S then Y); the default. */
        ADMM,
        /** Inexact ALM with a geometrically increasing mu: far fewer iterations, a feasible but slightly suboptimal answer. */
        IALM,
        /**
         * The same sweep with mu = {@link Options#muScale} x the reference's and a stop on both KKT
         * residuals (primal and dual): aims at the PCP optimum itself rather than at the
         * reference's stopping point (see the class comment). Opt-in: slower than ADMM on large
         * ill-conditioned Grams.
         */
        EXACT;

        /** admm, exact or ialm, any case. */
        public static Solver parse(String s) {
            for (Solver v : values()) if (v.name().equalsIgnoreCase(s.trim())) return v;
            throw new ganfactor.InputException("unknown " + ref("rpca-solver") + " '" + s + "' (expected admm, exact or ialm)");
        }
    }

    /** Called after every iteration with the relative residual ||L+S-M||_F / ||M||_F and rank(L). */
    @FunctionalInterface
    public interface Monitor {
        void iteration(int iteration, double relativeResidual, int rank);
    }

    public static final class Options implements Cloneable {
        /** The largest d for which the certified partial SVT is on by default ({@link #certified(int)}). */
        public static final int CERTIFIED_MAX_DIM = 2048;
        /**
         * The smallest d for which a matrix on a GPU takes the device backend of the certified SVT
         * by default; smaller ones are solved on the host. An estimate, not a measurement (no GPU
         * has run it): a device iteration is ~85 small kernels and about 5 host round trips (3 reads
         * and 2 uploads of small host values per iteration, counted on CPU tensors by RpcaTest's
         * deviceBackendRoundTripsPerIterationAreCounted; every one goes through Torch's counted
         * functions), guessed at
         * ~1 ms whatever d, against ~4.5 ms on the host at d = 512 (and ~0.1 ms at 64, where the
         * demo's 2,400 iterations would be ~10x slower on the device).
         */
        public static final int CERTIFIED_DEVICE_MIN_DIM = 512;
        /** Weight of ||S||_1 (reference 1/60). */
        public double lambda = 1.0 / 60;
        /** ADMM: the fixed mu; IALM: mu_0. NaN: the solver's default (see the class comment). */
        public double mu = Double.NaN;
        /** Stop when ||L + S - M||_F &lt;= tol ||M||_F. */
        public double tol = 1e-7;
        public int maxIterations = 10000;
        public Solver solver = Solver.ADMM;
        /** IALM growth factor of mu. */
        public double rho = 1.3;
        /** IALM: mu_max = muMaxFactor * mu_0. */
        public double muMaxFactor = 1e7;
        /**
         * EXACT: also stop only when the dual residual mu ||S_k - S_(k-1)||_F is at most dualTol
         * ||Y_k||_F (together with the primal rule ||L + S - M||_F &lt;= primalTol ||M||_F).
         */
        public double dualTol = 1e-6;
        /** EXACT: the primal part of its stopping rule (relative to ||M||_F); EXACT ignores {@link #tol}. */
        public double primalTol = 1e-7;
        /** EXACT: mu is this multiple of the reference's n1 n2 / (4 ||M||_1) (ignored when {@link #mu} is set). */
        public double muScale = 0.1;
        /**
         * Certified partial SVT on plain arrays ({@link RpcaCertified}): warm-started subspace
         * iteration, accepted only with a certificate that no eigenvalue outside the block
         * exceeds 1/mu, else a full LAPACK eigendecomposition. null (the default): on for ADMM and
         * EXACT up to d = {@link #CERTIFIED_MAX_DIM}, off for IALM (whose mu grows every sweep, so
         * there is nothing to warm-start from; it keeps its own subspace SVT). true overrides
         * {@link Tuning#subspaceSvt}.
         */
        public Boolean certifiedSvt = null;
        public Linalg linalg = TorchLinalg.INSTANCE;
        /** Sees every iteration (progress, tests); none by default. */
        public Monitor monitor = null;
        public BooleanSupplier cancelled = () -> false;
        /** Spans of the solve and of its iterations in groups ({@link ganfactor.trace.IterationSpans}); a run's trace, none by default. */
        public ganfactor.trace.Trace trace = ganfactor.trace.Trace.OFF;
        /** The matrix's name in the spans ("A", "B"). */
        public String traceLabel = "";
        /** Record where the certified solve's work and time go (counters, seconds per part) in the result ({@code --rpca-profile}). */
        public boolean profile;
        /** The solvers' internal knobs, for measurements and tests only ({@link Tuning}); {@link #copy()} copies them. */
        public Tuning tuning = new Tuning();

        /**
         * For measurements: knobs of the solvers' internals that benchmarks, the GPU check and
         * tests turn to compare variants. Not settings a caller needs: the defaults are the
         * measured choices (benchmarks/RESULTS.md, "RPCA: design measurements"), and none of them
         * changes the problem solved or its stopping rule.
         */
        public static final class Tuning implements Cloneable {
            /**
             * Warm-started Rayleigh-Ritz SVT on the tensor path; null: on for IALM, off for ADMM
             * and EXACT (the literal sweep).
             */
            public Boolean subspaceSvt = null;
            /** With the subspace SVT, a full eigendecomposition at least this often. */
            int fullEvery = 10;
            /**
             * Certified SVT: Ritz residual of the kept pairs, relative to ||L||_F, at which a step is
             * accepted; 0: a full LAPACK dsyevd every iteration (the plain-array sweep alone).
             */
            public double certifiedTol = 1e-9;
            /**
             * Certified SVT on LibTorch tensors through {@link Options#linalg} ({@link
             * TensorCertifiedOps}) rather than OpenBLAS on host buffers ({@link BlasCertifiedOps});
             * null (the default): tensors when the matrix is on a GPU and d &gt;= {@link
             * Options#CERTIFIED_DEVICE_MIN_DIM}.
             */
            public Boolean certifiedTensors = null;
            /**
             * Certified SVT: try the partial solve every iteration, even after failures and with
             * blocks wider than d / 3 (by default it backs off; tests use this to exercise the
             * certificate in the large steps of planted problems).
             */
            boolean certifiedEager = false;
            /** Certified SVT: start each partial solve from the kept vectors extrapolated along their last step (off: from the last ones as they are). */
            boolean certifiedExtrapolate = true;
            /**
             * EXACT: the sweep after which mu changes from {@link Options#muScale} to {@link
             * #muScaleTail} times the reference's (0: never, the default).
             */
            public int muSwitch = 0;
            /** EXACT: the multiple of the reference's mu after {@link #muSwitch} sweeps. */
            public double muScaleTail = 0.3;

            Tuning copy() {
                try {
                    return (Tuning) super.clone();
                } catch (CloneNotSupportedException e) {
                    throw new AssertionError(e);
                }
            }
        }

        boolean subspace() {
            return tuning.subspaceSvt != null ? tuning.subspaceSvt : solver == Solver.IALM;
        }

        /** A copy with its own {@link #tuning} (the same linalg, monitor and cancellation objects). */
        public Options copy() {
            try {
                Options c = (Options) super.clone();
                c.tuning = tuning.copy();
                return c;
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }

        /**
         * Whether the certified partial SVT runs on a d x d matrix ({@link #certifiedSvt}
         * resolved): by default for ADMM and EXACT up to d = {@link #CERTIFIED_MAX_DIM} (it keeps
         * about 24 d x d double buffers: 0.8 GB at 2048, 16 GB at W+'s 9216).
         */
        public boolean certified(int d) {
            return certifiedSvt != null ? certifiedSvt : solver != Solver.IALM && d <= CERTIFIED_MAX_DIM;
        }

        /** The settings as recorded in a result's info. */
        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("solver", solver.name().toLowerCase());
            m.put("lambda", lambda);
            m.put("mu", Double.isNaN(mu) ? (solver == Solver.IALM ? "1.25/||M||_2" : "n1*n2/(4*||M||_1)") : mu);
            if (solver == Solver.IALM) {
                m.put("rho", rho);
                m.put("mu_max_factor", muMaxFactor);
            }
            if (solver == Solver.EXACT) {
                m.put("primal_tol", primalTol);
                m.put("dual_tol", dualTol);
                if (Double.isNaN(mu)) {
                    m.put("mu_scale", muScale);
                    m.put("mu_scale_tail", tuning.muScaleTail);
                    m.put("mu_switch", tuning.muSwitch);
                }
            } else {
                m.put("tol", tol);
            }
            m.put("max_iterations", maxIterations);
            m.put("subspace_svt", subspace());
            boolean auto = certifiedSvt == null && solver != Solver.IALM;
            m.put("certified_svt", auto ? "auto (d <= " + CERTIFIED_MAX_DIM + ")" : certifiedSvt == Boolean.TRUE);
            if (auto || certifiedSvt == Boolean.TRUE) m.put("certified_tol", tuning.certifiedTol);
            return m;
        }
    }

    /**
     * L and S as row-major float64 [dim, dim] arrays; {@code rank} = number of eigenvalues that
     * survived the last threshold (the exact rank of L as built); {@code residual} = final
     * ||L+S-M||_F / ||M||_F; {@code muFinal} the last penalty; {@code fullEigh} and
     * {@code subspaceSteps} count how the SVTs were computed.
     */
    public record Result(double[] low, double[] sparse, int dim, int iterations, boolean converged, double residual,
                         int rank, double seconds, String solver, double muInitial, double muFinal,
                         int fullEigh, int subspaceSteps, double dualResidual, int blockProducts, java.util.List<String> warnings,
                         Map<String, Object> profile) {
        public Result {
            warnings = java.util.List.copyOf(warnings);
            profile = profile == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(profile));
        }

        /** A result without warnings. */
        public Result(double[] low, double[] sparse, int dim, int iterations, boolean converged, double residual,
                      int rank, double seconds, String solver, double muInitial, double muFinal,
                      int fullEigh, int subspaceSteps, double dualResidual, int blockProducts) {
            this(low, sparse, dim, iterations, converged, residual, rank, seconds, solver, muInitial, muFinal, fullEigh, subspaceSteps,
                    dualResidual, blockProducts, java.util.List.of(), Map.of());
        }

        /** This result with the certified solve's profile ({@link Options#profile}). */
        public Result withProfile(Map<String, Object> p) {
            return with(warnings, p);
        }

        /** This result with one more warning (for the caller's record; the library prints nothing). */
        public Result withWarning(String w) {
            java.util.List<String> all = new java.util.ArrayList<>(warnings);
            all.add(w);
            return with(all, profile);
        }

        private Result with(java.util.List<String> w, Map<String, Object> p) {
            return new Result(low, sparse, dim, iterations, converged, residual, rank, seconds, solver, muInitial, muFinal, fullEigh,
                    subspaceSteps, dualResidual, blockProducts, w, p);
        }

        public Tensor lowTensor() { return Torch.of(low, dim, dim); }

        public Tensor sparseTensor() { return Torch.of(sparse, dim, dim); }

        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("solver", solver);
            m.put("iterations", iterations);
            m.put("converged", converged);
            m.put("relative_residual", residual);
            m.put("rank_svt", rank);
            m.put("mu_initial", muInitial);
            m.put("mu_final", muFinal);
            m.put("seconds", seconds);
            m.put("full_eigh", fullEigh);
            m.put("subspace_steps", subspaceSteps);
            if (blockProducts > 0) m.put("block_products", blockProducts);
            if (!Double.isNaN(dualResidual)) m.put("relative_dual_residual", dualResidual);
            if (!warnings.isEmpty()) m.put("warnings", warnings);
            if (!profile.isEmpty()) m.put("profile", profile);
            return m;
        }
    }

    /** PCP of the symmetric float64 (or float32, widened) matrix m [d, d]; m is not modified. */
    public static Result solve(Tensor m, Options o) {
        if (m.dim() != 2 || m.size(0) != m.size(1) || m.size(0) < 1)
            throw new InputException("rpca: a square matrix is needed, got " + Torch.shapeString(m));
        if (!(o.lambda > 0) || !(o.tol > 0) || o.maxIterations < 1 || !(o.rho >= 1) || !(o.muMaxFactor >= 1)
                || !(o.primalTol > 0) || !(o.dualTol > 0) || !(o.muScale > 0) || !(o.tuning.muScaleTail > 0) || o.tuning.muSwitch < 0)
            throw new IllegalArgumentException("rpca: lambda, tol, primalTol, dualTol, muScale, muScaleTail > 0, maxIterations >= 1, rho >= 1, muMaxFactor >= 1, muSwitch >= 0 needed");
        int d = (int) m.size(0);
        long t0 = System.nanoTime();
        try (PointerScope scope = new PointerScope();
             ganfactor.trace.Span span = o.trace.span("rpca", "matrix", o.traceLabel, "d", d, "solver", o.solver.name().toLowerCase(java.util.Locale.ROOT), "certified", o.certified(d))) {
            Tensor mm = m.detach().to(torch.ScalarType.Double).contiguous();
            double normF = Torch.scalar(mm.norm());
            if (!Double.isFinite(normF)) throw new InputException("rpca: the matrix has non-finite entries");
            double asym = Torch.scalar(mm.sub(mm.t()).norm());
            if (asym > 1e-6 * normF) throw new InputException("rpca: the matrix is not symmetric (||M - M^T|| / ||M|| = " + asym / normF + ")");
            mm = sym(mm);
            if (normF == 0) {
                double[] z = new double[d * d];
                return new Result(z, z.clone(), d, 0, true, 0, 0, seconds(t0), o.solver.name().toLowerCase(), 0, 0, 0, 0,
                        o.solver == Solver.EXACT ? 0 : Double.NaN, 0);
            }
            if (o.certified(d)) {
                if (!(o.tuning.certifiedTol >= 0)) throw new IllegalArgumentException("rpca: certifiedTol >= 0 needed");
                boolean tensors = o.tuning.certifiedTensors != null ? o.tuning.certifiedTensors : !mm.is_cpu() && d >= Options.CERTIFIED_DEVICE_MIN_DIM;
                if (!tensors) return RpcaCertified.solve(Torch.toDoubles(mm), d, normF, o, t0);
                try {
                    return RpcaCertified.solve(mm, normF, o, t0);
                } catch (InputException | java.util.concurrent.CancellationException e) {
                    throw e;
                } catch (RuntimeException e) {
                    if (o.tuning.certifiedTensors != null) throw e;
                    // the device path has never run on a GPU (README): rather than fail a LowRankGAN run,
                    // say so and solve the same problem on the host
                    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
                    return RpcaCertified.solve(Torch.toDoubles(mm), d, normF, o, t0)
                            .withWarning("rpca on " + mm.device().str().getString() + " failed (" + why + "); solved on the host instead");
                }
            }
            return new Run(mm, normF, o, t0).run();
        }
    }

    /** One solve: state tensors allocated once in the caller's scope and updated in place. */
    private static final class Run {
        final Tensor m;
        final double normF;
        final Options o;
        final long t0;
        final int d;
        final Linalg la;
        final Tensor l, s, y;
        final Tensor prevL, prevS; // the state before the current sweep (subspace SVT only), to redo it exactly
        Tensor basis; // rows [k, d]: warm start of the subspace SVT, retained across iteration scopes
        int fullEigh, subspaceSteps, rank;
        double lastDual; // mu ||S_k - S_(k-1)||_F of the last sweep

        Run(Tensor m, double normF, Options o, long t0) {
            this.m = m;
            this.normF = normF;
            this.o = o;
            this.t0 = t0;
            this.d = (int) m.size(0);
            this.la = o.linalg;
            this.l = torch.zeros_like(m);
            this.s = torch.zeros_like(m);
            this.y = torch.zeros_like(m);
            this.prevL = o.subspace() ? torch.zeros_like(m) : null;
            this.prevS = o.subspace() ? torch.zeros_like(m) : null;
        }

        Result run() {
            double mu, muMax, muRef = Double.NaN;
            if (o.solver != Solver.IALM) {
                // n1 n2 / (4 ||M||_1), ||M||_1 = largest absolute column sum (NumPy norm(M, 1))
                double norm1 = Torch.scalar(m.abs().sum(new long[]{0}).max());
                muRef = (double) d * d / (4 * norm1);
                mu = Double.isNaN(o.mu) ? muRef * (o.solver == Solver.EXACT ? o.muScale : 1) : o.mu;
                muMax = mu;
            } else {
                double norm2 = spectralNorm();
                mu = Double.isNaN(o.mu) ? 1.25 / norm2 : o.mu;
                muMax = mu * o.muMaxFactor;
                double maxAbs = Torch.scalar(m.abs().max());
                try (PointerScope ignored = new PointerScope()) {
                    y.copy_(m.mul(new Scalar(-1.0 / Math.max(norm2, maxAbs / o.lambda))));
                }
            }
            if (!(mu > 0) || !Double.isFinite(mu)) throw new IllegalArgumentException("rpca: mu = " + mu);
            double mu0 = mu;
            boolean subspace = o.subspace();
            double residualAbs = Double.POSITIVE_INFINITY;
            boolean converged = false;
            boolean exact = o.solver == Solver.EXACT;
            double dualRel = Double.NaN;
            int it = 0;
            try (ganfactor.trace.IterationSpans spans = new ganfactor.trace.IterationSpans(o.trace, "rpca iterations", ganfactor.trace.IterationSpans.GROUP, "matrix", o.traceLabel)) {
                while (it < o.maxIterations) {
                    if (o.cancelled.getAsBoolean()) throw new CancellationException("cancelled");
                    it++;
                    spans.begin(it);
                    boolean full = !subspace || basis == null || (it % Math.max(1, o.tuning.fullEvery)) == 0;
                    double res = step(mu, full, residualAbs, false);
                    if (res <= (exact ? o.primalTol : o.tol) * normF && !full) {
                        // confirm with an exact SVT: redo this sweep from the previous state
                        res = step(mu, true, residualAbs, true);
                    }
                    residualAbs = res;
                    if (o.monitor != null) o.monitor.iteration(it, res / normF, rank);
                    if (exact) {
                        double normY = Torch.scalar(y.norm());
                        dualRel = normY > 0 ? lastDual / normY : (lastDual > 0 ? Double.POSITIVE_INFINITY : 0);
                        double primalRel = res / normF;
                        if (primalRel <= o.primalTol && dualRel <= o.dualTol) {
                            converged = true;
                            break;
                        }
                        // Y is kept unscaled, so mu can change between sweeps without touching the state
                        if (it == o.tuning.muSwitch && Double.isNaN(o.mu)) mu = muRef * o.tuning.muScaleTail;
                    } else if (res <= o.tol * normF) {
                        converged = true;
                        break;
                    }
                    if (o.solver == Solver.IALM) mu = Math.min(o.rho * mu, muMax);
                }
            } finally {
                if (basis != null) basis.close();
                basis = null;
            }
            return new Result(Torch.toDoubles(l), Torch.toDoubles(s), d, it, converged, residualAbs / normF, rank,
                    seconds(t0), o.solver.name().toLowerCase(), mu0, mu, fullEigh, subspaceSteps, dualRel, 0);
        }

        /** ||M||_2 = largest |eigenvalue| of the symmetric M. */
        double spectralNorm() {
            try (PointerScope ignored = new PointerScope()) {
                Linalg.Eigen e = la.eigh(m);
                fullEigh++;
                double[] w = Torch.toDoubles(e.values());
                return Math.max(Math.abs(w[0]), Math.abs(w[w.length - 1]));
            }
        }

        /**
         * One sweep L, S, Y. With {@code redo}, the previous sweep's update is undone first: only
         * Y changed irreversibly, and Y_prev = Y - mu (L + S - M) with the L, S it was built from.
         * Returns ||L + S - M||_F.
         */
        double step(double mu, boolean full, double previousResidual, boolean redo) {
            try (PointerScope ignored = new PointerScope()) {
                if (redo) {
                    // undo Y += mu R with the state it was computed from (restored below)
                    y.sub_(l.add(s).sub(m), new Scalar(mu));
                    l.copy_(prevL);
                    s.copy_(prevS);
                } else if (subspace()) {
                    savePrevious();
                }
                Tensor yOverMu = y.div(new Scalar(mu));
                // M, S, Y and L are exactly symmetric (L is symmetrised when built; the entrywise
                // operations preserve symmetry bit for bit), so X is too
                Tensor x = m.sub(s).sub(yOverMu);
                Tensor newL = null;
                if (!full) newL = subspaceSvt(x, 1 / mu, SVT_ERROR_FRACTION * Math.min(previousResidual, normF));
                if (newL == null) newL = fullSvt(x, 1 / mu);
                l.copy_(newL);
                Tensor sNew = shrink(m.sub(l).sub(yOverMu), o.lambda / mu);
                lastDual = mu * Torch.scalar(sNew.sub(s).norm());
                s.copy_(sNew);
                Tensor r = l.add(s).sub(m);
                y.add_(r, new Scalar(mu));
                return Torch.scalar(r.norm());
            }
        }

        boolean subspace() {
            return o.subspace();
        }

        void savePrevious() {
            prevL.copy_(l);
            prevS.copy_(s);
        }

        /** Full SVT by eigh; records the new warm-start basis. */
        Tensor fullSvt(Tensor x, double tau) {
            Linalg.Eigen e = la.eigh(x);
            fullEigh++;
            double[] w = Torch.toDoubles(e.values());
            Tensor lowRank = threshold(w, e.vectors(), tau);
            if (o.subspace()) {
                int c = rank;
                int k = Math.min(d, c + Math.max(8, c / 4));
                keepBasis(topByMagnitude(w, e.vectors(), k));
            }
            return lowRank;
        }

        /**
         * Rayleigh-Ritz on span[Q; Q X] (Q the previous basis rows). Returns null when the block
         * cannot certify the SVT (too many values above tau, or residuals above errTol).
         */
        Tensor subspaceSvt(Tensor x, double tau, double errTol) {
            int k0 = (int) basis.size(0);
            Tensor start = basis;
            for (int sweep = 0; sweep < MAX_SUBSPACE_SWEEPS; sweep++) {
                Tensor b = torch.cat(new org.bytedeco.pytorch.TensorVector(start, start.matmul(x)), 0); // [2k, d]
                Linalg.Eigen g = la.eigh(sym(b.matmul(b.t())));
                double[] gw = Torch.toDoubles(g.values());
                int keep = 0;
                while (keep < gw.length && gw[keep] > gw[0] * 1e-13) keep++;
                if (keep < k0) return null;
                double[] inv = new double[keep];
                for (int i = 0; i < keep; i++) inv[i] = 1 / Math.sqrt(gw[i]);
                Tensor w = g.vectors().narrow(0, 0, keep).mul(like(m, inv, keep, 1));
                Tensor q = w.matmul(b);                       // [keep, d], orthonormal rows
                Tensor xq = q.matmul(x);                      // rows = X q_i
                Linalg.Eigen h = la.eigh(sym(q.matmul(xq.t())));
                double[] theta = Torch.toDoubles(h.values());
                Tensor u = h.vectors().matmul(q);             // Ritz vectors as rows, descending theta
                int above = 0;
                for (double t : theta) if (Math.abs(t) > tau) above++;
                if (above > k0 - 2) return null;
                Tensor xu = h.vectors().matmul(xq);
                Tensor resid = xu.sub(u.mul(like(m, theta, theta.length, 1)));
                double[] rn = Torch.toDoubles(resid.mul(resid).sum(new long[]{1}));
                double err = 0;
                for (int i = 0; i < theta.length; i++) if (Math.abs(theta[i]) > tau) err += rn[i];
                start = topByMagnitude(theta, u, k0);
                if (Math.sqrt(err) <= errTol) {
                    subspaceSteps++;
                    Tensor lowRank = threshold(theta, u, tau);
                    int k = Math.min(theta.length, Math.max(k0, above + Math.max(8, above / 4)));
                    keepBasis(topByMagnitude(theta, u, k));
                    return lowRank;
                }
            }
            return null;
        }

        void keepBasis(Tensor rows) {
            Tensor kept = rows.contiguous().clone();
            kept.retainReference(); // outlives this iteration's scope; closed when replaced or at the end
            if (basis != null) basis.close();
            basis = kept;
        }

        /** sum over |w_i| > tau of sign(w_i)(|w_i| - tau) v_i v_i^T with v_i the rows; sets rank. */
        Tensor threshold(double[] w, Tensor rows, double tau) {
            int n = w.length;
            double[] shrunk = new double[n];
            int c = 0;
            for (int i = 0; i < n; i++) {
                double a = Math.abs(w[i]) - tau;
                if (a > 0) { shrunk[i] = Math.signum(w[i]) * a; c++; }
            }
            rank = c;
            if (c == 0) return torch.zeros_like(m);
            // only the c surviving pairs enter the product (c x d instead of n x d rows)
            long[] keep = new long[c];
            double[] kept = new double[c];
            for (int i = 0, j = 0; i < n; i++) if (shrunk[i] != 0) { keep[j] = i; kept[j++] = shrunk[i]; }
            Tensor v = c == n ? rows : rows.index_select(0, Torch.uploadLong(keep, rows, c));
            Tensor scaled = v.mul(like(m, kept, c, 1));
            return sym(v.t().matmul(scaled));
        }
    }

    /** The k rows of largest |value|. */
    static Tensor topByMagnitude(double[] w, Tensor rows, int k) {
        Integer[] idx = new Integer[w.length];
        for (int i = 0; i < w.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (a, b) -> Double.compare(Math.abs(w[b]), Math.abs(w[a])));
        long[] pick = new long[Math.min(k, w.length)];
        for (int i = 0; i < pick.length; i++) pick[i] = idx[i];
        return rows.index_select(0, Torch.uploadLong(pick, rows, pick.length));
    }

    /** A small float64 tensor of the given values on the device of {@code like}. */
    static Tensor like(Tensor like, double[] v, long... shape) {
        return Torch.upload(v, like, shape);
    }

    /** Entrywise soft threshold sign(x) max(|x| - t, 0). */
    static Tensor shrink(Tensor x, double t) {
        return torch.softshrink(x, new Scalar(t));
    }

    static Tensor sym(Tensor x) {
        return x.add(x.t()).mul(new Scalar(0.5));
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
