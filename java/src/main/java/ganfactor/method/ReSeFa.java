package ganfactor.method;

import ganfactor.InputException;
import ganfactor.jacobian.GramPair;
import ganfactor.linalg.Linalg;
import ganfactor.linalg.NotPositiveDefiniteException;
import ganfactor.linalg.RandomizedEigh;
import ganfactor.linalg.LapackLinalg;
import ganfactor.torch.Torch;
import ganfactor.trace.Span;
import ganfactor.trace.Trace;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Region-based semantic factorisation (ReSeFa): directions n maximising the generalized Rayleigh
 * quotient n^T A n / n^T B n of a region's foreground Gram A and background Gram B, i.e. the top
 * generalized eigenvectors of A n = lambda B n (docs/ALGORITHMS.md).
 *
 * <p>Two solution paths give the same directions where both apply:
 * <ul>
 * <li>standard: Cholesky reduction + symmetric eigensolve (LAPACK/cuSOLVER sygv, itype 1), cost
 * O(d^3);</li>
 * <li>fast (paper Eq. 12): B_e = B_r + e I with B_r the rank-r truncation of B (randomized
 * Nystrom, {@link RandomizedEigh#nystrom}), applied through
 * the Woodbury identity, and a thin SVD in the region's row space; cost O(d^2 r + m^2 d + m^3)
 * for m region rows. It needs the region's Jacobian rows and e > 0.</li>
 * </ul>
 *
 * <p>Regularisation, named so the two published forms cannot be confused: {@code PAPER} adds
 * eps * tr(B) / d * I (the paper's Eq. 10), {@code REFERENCE} adds tau * tr(B) * I (the
 * reference code's --full_rank, no division by d). Default none, as the reference. When B is
 * not numerically positive definite the solve falls back to the paper's form (eps = 1e-3) and
 * records a warning instead of failing.
 *
 * <p>Output: unit rows sorted by descending generalized eigenvalue, signs fixed by the {@link
 * Directions} convention; values = the generalized eigenvalues of the pair actually solved.
 */
public final class ReSeFa {

    public enum Regularization {
        NONE, PAPER, REFERENCE;

        public static Regularization parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "none" -> NONE;
                case "paper" -> PAPER;
                case "reference", "full_rank", "full-rank" -> REFERENCE;
                default -> throw new InputException("unknown regularization '" + s + "' (expected none, paper or reference)");
            };
        }

        public String label() { return name().toLowerCase(Locale.ROOT); }
    }

    public enum SolvePath {
        AUTO, STANDARD, FAST;

        public static SolvePath parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InputException("unknown solve path '" + s + "' (expected auto, standard or fast)");
            }
        }

        public String label() { return name().toLowerCase(Locale.ROOT); }
    }

    public static final class Options {
        public Regularization regularization = Regularization.NONE;
        /** Paper form: B + eps * tr(B)/d * I. Also the fallback and the fast path's shift. */
        public double eps = 1e-3;
        /** Reference form: B + tau * tr(B) * I. */
        public double tau = 1e-3;
        /** Directions kept (0 = all d on the standard path, all non-zero ones on the fast path). */
        public int k = 0;
        public SolvePath path = SolvePath.AUTO;
        /** Rank of the background truncation on the fast path (0 = min(d, 512)). */
        public int fastRank = 0;
        /** Power steps of the randomized background truncation on the fast path (0 = one product with B). */
        public int fastPowerSteps = 1;
        /** Pivot ratio min(L_ii^2) / max(L_ii^2) below which B counts as numerically singular (0 = d * 1e-14). */
        public double pdTolerance = 0;
        public Linalg linalg = LapackLinalg.INSTANCE;
        /** Where the standard path solves the Grams it is given as host arrays (null = the CPU). */
        public ganfactor.torch.ComputeDevice device;
    }

    /** Dimension above which the automatic choice considers the fast path. */
    public static final int FAST_PATH_MIN_DIM = 2048;

    private ReSeFa() {}

    /** Standard path for one region's Grams. */
    public static Directions solve(GramPair g, Options o) {
        return solve(g, o, Trace.OFF);
    }

    /** As {@link #solve(GramPair, Options)}, its steps (input checks, the generalized solve, a fallback) as spans of {@code trace}. */
    public static Directions solve(GramPair g, Options o, Trace trace) {
        if (g instanceof GramPair.Device dv) return solve(dv.a(), dv.b(), o, trace);
        GramPair.Host h = (GramPair.Host) g;
        return solve(h.a(), h.b(), h.dim(), o, trace);
    }

    /**
     * Sum (mean) of several samples' Grams for directions that hold across images: on the device
     * when all are device pairs, else on the host (a device pair among host ones is copied, counted).
     */
    public static GramPair aggregate(List<GramPair> gs) {
        if (gs.isEmpty()) throw new IllegalArgumentException("no Grams to aggregate");
        int d = gs.get(0).dim();
        if (gs.stream().allMatch(GramPair::isOnDevice)) {
            // on the device, in the caller's PointerScope: the same sum of a_i / N as below
            Tensor a = torch.zeros_like(gs.get(0).aTensor()), b = torch.zeros_like(gs.get(0).bTensor());
            long in = 0, out = 0;
            for (GramPair g : gs) {
                if (g.dim() != d) throw new InputException("Grams of different sizes cannot be aggregated: " + d + " and " + g.dim());
                a.add_(g.aTensor().div(new Scalar((double) gs.size())));
                b.add_(g.bTensor().div(new Scalar((double) gs.size())));
                in += g.inside();
                out += g.outside();
            }
            return GramPair.onDevice(gs.get(0).region(), d, in, out, a, b);
        }
        double[] a = new double[d * d], b = new double[d * d];
        long in = 0, out = 0;
        for (GramPair g : gs) {
            if (g.dim() != d) throw new InputException("Grams of different sizes cannot be aggregated: " + d + " and " + g.dim());
            GramPair.Host h = g.toHost();
            for (int i = 0; i < a.length; i++) { a[i] += h.a()[i] / gs.size(); b[i] += h.b()[i] / gs.size(); }
            in += g.inside();
            out += g.outside();
        }
        return GramPair.of(gs.get(0).region(), d, in, out, a, b);
    }

    /** Standard path: Cholesky reduction + eigh, with the regularisation and fallback rules above. */
    public static Directions solve(double[] a, double[] b, int d, Options o) {
        return solve(a, b, d, o, Trace.OFF);
    }

    private static Directions solve(double[] a, double[] b, int d, Options o, Trace trace) {
        if (a.length != (long) d * d) throw new InputException("A (foreground Gram) has " + a.length + " entries, expected " + d + " x " + d);
        if (b.length != (long) d * d) throw new InputException("B (background Gram) has " + b.length + " entries, expected " + d + " x " + d);
        try (PointerScope scope = new PointerScope()) {
            return solve(Torch.of(a, d, d), Torch.of(b, d, d), o, trace);
        }
    }

    /**
     * Standard path on tensors A and B [d, d] (any device; moved to {@code o.device} when one is
     * set). Host copies: one for the input checks and tr(B) together, what the linear algebra
     * reads back (its status and pivot ratio), and the directions and values (the output).
     */
    public static Directions solve(Tensor a, Tensor b, Options o) {
        return solve(a, b, o, Trace.OFF);
    }

    /** As {@link #solve(Tensor, Tensor, Options)}, with its steps as spans of {@code trace}. */
    public static Directions solve(Tensor a, Tensor b, Options o, Trace trace) {
        int d = (int) a.size(0);
        if (a.dim() != 2 || a.size(1) != d) throw new InputException("A (foreground Gram) is " + Torch.shapeString(a) + ", expected a square matrix");
        if (b.dim() != 2 || b.size(0) != d || b.size(1) != d) throw new InputException("B (background Gram) is " + Torch.shapeString(b) + ", expected [" + d + ", " + d + "]");
        long t0 = System.nanoTime();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("method", "resefa");
        info.put("path", "standard");
        info.put("linalg", o.linalg.name());
        try (PointerScope scope = new PointerScope()) {
            // check() has bounded the asymmetry; the solvers read one triangle, so no symmetrised copy
            Tensor A = a, B = b;
            if (o.device != null) { A = A.to(o.device.torch(), torch.ScalarType.Double); B = B.to(o.device.torch(), torch.ScalarType.Double); }
            // one host read for every input check and the trace (counted, Torch.scalars)
            double[] s;
            try (Span sp = trace.span("input checks", "d", d)) {
                s = Torch.scalars(concat(checks(A), checks(B), B.trace()));
            }
            verify(s, 0, "A (foreground Gram)");
            verify(s, 3, "B (background Gram)");
            double trB = s[6];
            requirePositiveTrace(trB);
            Regularization reg = o.regularization;
            double shift = shift(reg, o, trB, d);
            recordRegularization(info, reg, o, shift);
            double tol = o.pdTolerance > 0 ? o.pdTolerance : d * 1e-14;
            int k = o.k > 0 ? Math.min(o.k, d) : d;
            // One LAPACK/cuSOLVER call; its Cholesky factor of B tells whether B was numerically
            // positive definite (a failed pivot, or a pivot ratio below tol): a returned outcome.
            Attempt at;
            try (Span sp = trace.span("generalized solve", "d", d, "k", k, "regularization", reg.name().toLowerCase(Locale.ROOT), "linalg", o.linalg.name())) {
                at = attempt(A, shifted(B, shift), k, o, info, tol);
            }
            if (!at.ok()) {
                if (reg != Regularization.NONE && shift > 0)
                    throw new InputException("B + " + shift + " I is not positive definite (" + at.why() + "): the Grams are not valid (negative eigenvalues?)");
                reg = Regularization.PAPER;
                shift = o.eps * trB / d;
                Directions.warn(info, "B is not numerically positive definite (" + at.why() + "); fell back to the paper's regularisation B + "
                        + o.eps + " * tr(B)/d * I");
                info.put("fallback", true);
                recordRegularization(info, reg, o, shift);
                try (Span sp = trace.span("generalized solve (fallback)", "d", d, "k", k, "regularization", "paper", "linalg", o.linalg.name())) {
                    at = attempt(A, shifted(B, shift), k, o, info, 0);
                }
                if (at.eigen() == null)
                    throw new InputException("B + eps tr(B)/d I is still not positive definite (" + at.why() + "): the Grams are not valid");
            }
            Linalg.Eigen e = at.eigen();
            info.put("cholesky_pivot_ratio", e.pivotRatio());
            Directions dir = Directions.of(e.vectors().narrow(0, 0, k), e.values().narrow(0, 0, k), info);
            info.put("count", k);
            info.put("seconds", (System.nanoTime() - t0) / 1e9);
            return dir;
        }
    }

    /**
     * B's trace decides between "zero" (the region covers everything the code changes) and "not a
     * Gram at all" (a negative trace: B = J^T J is positive semidefinite, so its trace is >= 0).
     */
    private static void requirePositiveTrace(double trB) {
        if (trB == 0) throw new InputException("the background Gram B is zero: the region covers everything the latent code changes");
        if (!(trB > 0))
            throw new InputException(String.format(Locale.ROOT, "the background Gram B has a negative trace (%.6g): a Gram J^T J is positive semidefinite, so B is not a valid Gram", trB));
    }

    /**
     * Fast path (paper Eq. 12). {@code fa} holds the region's Jacobian rows scaled so that
     * A = fa^T fa (that is J_R / sqrt|R|, or several samples' blocks stacked, each divided by
     * sqrt(N |R|)); {@code b} is the background Gram [d, d]. B is replaced by its rank-r
     * truncation V diag(mu) V^T plus e I, e from the chosen regularisation (the paper's eps when
     * none is chosen: the fast path cannot run unregularised, which is recorded).
     */
    public static Directions solveFast(Tensor fa, Tensor b, Options o) {
        return solveFast(fa, b, o, Trace.OFF);
    }

    /** As {@link #solveFast(Tensor, Tensor, Options)}, each phase a span of {@code trace}. */
    public static Directions solveFast(Tensor fa, Tensor b, Options o, Trace trace) {
        long t0 = System.nanoTime();
        int m = (int) fa.size(0), d = (int) fa.size(1);
        if (b.dim() != 2 || b.size(0) != d || b.size(1) != d)
            throw new InputException("background Gram is " + Torch.shapeString(b) + ", expected [" + d + ", " + d + "] for " + d + "-dimensional region rows");
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("method", "resefa");
        info.put("path", "fast");
        info.put("linalg", o.linalg.name());
        info.put("region_rows", m);
        try (PointerScope scope = new PointerScope()) {
            // B is only multiplied (Nystrom sketch): no symmetrised d x d copy, which at d = 9216 is 680 MB
            Tensor F = fa.to(torch.ScalarType.Double), B = b.to(torch.ScalarType.Double);
            double trB = Torch.scalar(B.trace());   // counted host read: the shift depends on it
            requirePositiveTrace(trB);
            Regularization reg = o.regularization;
            if (reg == Regularization.NONE) {
                reg = Regularization.PAPER;
                Directions.warn(info, "the fast path needs B + e I with e > 0: used the paper's eps = " + o.eps);
            }
            double e = shift(reg, o, trB, d);
            recordRegularization(info, reg, o, e);
            int r = Math.min(d, o.fastRank > 0 ? o.fastRank : 512);
            // randomized Nystrom with one power step: two products with B (see RandomizedEigh)
            Phases phases = new Phases(trace);
            phases.begin("background_truncation");
            Linalg.Eigen bg = RandomizedEigh.nystrom(o.linalg, B, r, 16, o.fastPowerSteps, 0x5EFA);
            phases.begin("whitening");
            r = (int) bg.values().size(0);                                   // fewer when B has lower rank
            if (r == 0) throw new InputException("the background Gram B is numerically zero");
            Tensor mu = bg.values().clamp_min(new Scalar(0.0));            // [r]
            Tensor V = bg.vectors().t();                                    // [d, r]
            double[] muStats = Torch.scalars(mu.sum(), mu.narrow(0, r - 1, 1));   // one counted read, for the JSON record and a warning
            double captured = muStats[0] / trB;
            double last = muStats[1];
            info.put("background_rank", r);
            info.put("background_power_steps", o.fastPowerSteps);
            info.put("background_energy_captured", captured);
            info.put("background_last_eigenvalue_over_e", last / e);
            if (r < d && last > e)
                Directions.warn(info, String.format(Locale.ROOT, "background truncated at rank %d whose last eigenvalue is %.3g x e: raise the fast-rank setting for an exact answer", r, last / e));
            // B_e^-1/2 x = (x - V diag(c) V^T x) / sqrt(e), c = 1 - sqrt(e / (mu + e)).
            Tensor c = torch.ones_like(mu).sub(mu.add(new Scalar(e)).reciprocal().mul(new Scalar(e)).sqrt());
            // G = M M^T with M = F B_e^-1/2 = (F - (F V) diag(c) V^T) / sqrt(e); since V^T V = I,
            // G = (F F^T - (F V) diag(2c - c^2) (F V)^T) / e: M itself is never formed.
            Tensor FV = F.mm(V);                                               // [m, r]
            phases.begin("row_gram");
            Tensor G = o.linalg.rowGram(F).sub(FV.mul(c.mul(new Scalar(2)).sub(c.mul(c)).unsqueeze(0)).mm(FV.t())).div(new Scalar(e));
            G = G.add(G.t()).mul(new Scalar(0.5));
            phases.begin("small_eigensolve");
            // Few directions of a large m x m problem: certified subspace iteration, else exact.
            Linalg.Eigen ge = null;
            if (o.k > 0 && 2L * o.k < m && m > 512) ge = RandomizedEigh.certifiedTop(o.linalg, G, o.k, 1e-10, 20, 0xE16);
            info.put("small_eigensolve", ge != null ? "certified subspace iteration" : o.k > 0 && 2L * o.k < m ? "partial (MRRR)" : "full");
            if (ge == null) ge = o.k > 0 && 2L * o.k < m ? o.linalg.eighTop(G, o.k) : o.linalg.eigh(G);
            phases.begin("back_substitution");
            double[] sig2 = Torch.toDoubles(ge.values());
            int nz = 0;
            double floor = Math.max(sig2[0], 0) * m * 1e-15;
            while (nz < sig2.length && sig2[nz] > floor) nz++;
            int k = Math.min(o.k > 0 ? o.k : nz, nz);
            if (k == 0) throw new InputException("the region's Jacobian rows are zero: nothing in the region depends on the latent code");
            Tensor U = ge.vectors().narrow(0, 0, k);                          // rows u_i [k, m]
            Tensor W = halfInverse(U.mm(F), V, c, e);                          // rows (M^T u_i)^T = sigma_i w_i^T
            Tensor N = halfInverse(W, V, c, e);                                // rows (B_e^-1/2 M^T u_i)^T, norm irrelevant
            Directions dir = Directions.of(N, ge.values().narrow(0, 0, k), info);
            info.put("phase_seconds", phases.end());
            info.put("count", k);
            info.put("seconds", (System.nanoTime() - t0) / 1e9);
            return dir;
        }
    }

    /**
     * The k top generalized eigenpairs by one LAPACK/cuSOLVER generalized solve (partial when few
     * are wanted). A certified subspace iteration on C = L^-1 A L^-T was tried here and dropped:
     * on Jacobian-like test spectra it often failed to certify 32 pairs and cost more than the
     * solve it tried to avoid (JMH, benchmarks/RESULTS.md).
     */
    /**
     * One generalized solve and whether B was numerically positive definite: {@code eigen} null
     * when its Cholesky factorisation failed, {@code why} (null when ok) says how B fell short.
     */
    private record Attempt(Linalg.Eigen eigen, String why) {
        boolean ok() {
            return why == null;
        }
    }

    /** The generalized solve as an outcome: a failed Cholesky pivot or a pivot ratio at most {@code tol} is "not positive definite". */
    private static Attempt attempt(Tensor A, Tensor B, int k, Options o, Map<String, Object> info, double tol) {
        try {
            Linalg.Eigen e = generalized(A, B, k, o, info);
            return new Attempt(e, e.pivotRatio() > tol ? null : String.format(Locale.ROOT, "Cholesky pivot ratio %.2g below %.2g", e.pivotRatio(), tol));
        } catch (NotPositiveDefiniteException x) {   // the linalg contract reports a failed factorisation this way, here only
            return new Attempt(null, "Cholesky failed at leading minor " + x.order());
        }
    }

    private static Linalg.Eigen generalized(Tensor A, Tensor B, int k, Options o, Map<String, Object> info) {
        info.put("eigensolver", "generalized symmetric solve (" + o.linalg.name() + (2L * k > A.size(0) ? ", full" : ", partial") + ")");
        return o.linalg.generalizedEighTop(A, B, k);
    }

    /** The fast path's phases, one after another: their seconds for the record, and a span each. */
    private static final class Phases {
        private final Trace trace;
        private final Map<String, Object> seconds = new LinkedHashMap<>();
        private String name;
        private long since;
        private Span span;

        Phases(Trace trace) {
            this.trace = trace;
        }

        /** Ends the current phase, if any, and begins {@code next}. */
        void begin(String next) {
            end();
            name = next;
            since = System.nanoTime();
            span = trace.span("resefa fast: " + next.replace('_', ' '));
        }

        /** Ends the current phase; the seconds of every phase so far. */
        Map<String, Object> end() {
            if (name != null) {
                span.close();
                seconds.put(name, (System.nanoTime() - since) / 1e9);
                name = null;
            }
            return seconds;
        }
    }

    /** Rows of X times B_e^-1/2 (B_e^-1/2 is symmetric). */
    private static Tensor halfInverse(Tensor X, Tensor V, Tensor c, double e) {
        Tensor XV = X.mm(V).mul(c.unsqueeze(0));
        return X.sub(XV.mm(V.t())).div(new Scalar(Math.sqrt(e)));
    }

    /** Whether the automatic choice takes the fast path for this size. */
    public static boolean preferFast(int d, long regionRows, Options o) {
        if (o.path == SolvePath.STANDARD) return false;
        if (o.path == SolvePath.FAST) return true;
        return d >= FAST_PATH_MIN_DIM && regionRows < d / 2;
    }

    static double shift(Regularization reg, Options o, double trB, int d) {
        return switch (reg) {
            case NONE -> 0;
            case PAPER -> o.eps * trB / d;
            case REFERENCE -> o.tau * trB;
        };
    }

    private static void recordRegularization(Map<String, Object> info, Regularization reg, Options o, double shift) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("form", reg.label());
        switch (reg) {
            case PAPER -> r.put("formula", "B + eps * tr(B) / d * I");
            case REFERENCE -> r.put("formula", "B + tau * tr(B) * I");
            default -> r.put("formula", "B");
        }
        if (reg == Regularization.PAPER) r.put("eps", o.eps);
        if (reg == Regularization.REFERENCE) r.put("tau", o.tau);
        r.put("shift", shift);
        info.put("regularization", r);
    }


    private static Tensor shifted(Tensor B, double shift) {
        if (shift == 0) return B;
        return B.add(torch.eye(B.size(0), new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Double).device(new org.bytedeco.pytorch.DeviceOptional(B.device()))).mul(new Scalar(shift)));
    }

    /** Finite flag, max |M| and max |M - M^T| of m, on m's device (read back together with {@link Torch#scalars}). */
    private static Tensor[] checks(Tensor m) {
        return new Tensor[]{torch.isfinite(m).all(), m.abs().max(), m.sub(m.t()).abs().max()};
    }

    private static Tensor[] concat(Tensor[] a, Tensor[] b, Tensor c) {
        Tensor[] out = java.util.Arrays.copyOf(a, a.length + b.length + 1);
        System.arraycopy(b, 0, out, a.length, b.length);
        out[out.length - 1] = c;
        return out;
    }

    /** Finite and symmetric to 1e-5 of the largest entry, from the values {@link #checks} computed (the Grams are d x d). */
    private static void verify(double[] s, int at, String what) {
        if (s[at] == 0) throw new InputException(what + " contains NaN or infinite entries");
        double scale = s[at + 1], asym = s[at + 2];
        if (asym > 1e-5 * scale + 1e-300) throw new InputException(what + " is not symmetric (max |M - M^T| = " + asym + " of max |M| = " + scale + ")");
    }

}
