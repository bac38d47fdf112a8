package ganfactor.method;

import ganfactor.InputException;
import ganfactor.linalg.Linalg;
import ganfactor.linalg.TorchLinalg;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LowRankGAN (docs/ALGORITHMS.md): local directions from the foreground Gram A and the background
 * Gram B of one region.
 * <ol>
 *   <li>L_A = RPCA(A), L_B = RPCA(B) ({@link Rpca}).</li>
 *   <li>rank_f = numerical rank of L_A; F = its top rank_f right singular vectors (rows).</li>
 *   <li>rank_b = numerical rank of L_B; the background null space N = the right singular vectors
 *       of L_B from index clamp(rank_b - numRelax, 1, d - 1) on (the reference's clamp).</li>
 *   <li>Directions: the rows of (N^T N F^T)^T = F N^T N, each renormalised. A row whose projection
 *       is numerically zero (norm &lt;= {@link Options#dropTolerance}; the rows of F are unit) is
 *       dropped with a warning, never normalised.</li>
 * </ol>
 * Numerical rank follows numpy.linalg.matrix_rank: singular values above s_max * d * eps_double
 * unless {@link Options#rankTolerance} gives an absolute tolerance.
 *
 * <p>{@code Directions.values} holds, for each kept row, the singular value of L_A of the
 * principal vector it came from; rows stay in the order of F (descending singular value). The
 * fraction of each principal vector that survived the projection, ||N N^T f_i||, is in
 * {@code info.retained}.
 */
public final class LowRankGan {

    private LowRankGan() {}

    /**
     * The RPCA lambda when none is given: the reference's 1/60 from d = 512 (the dimension it was
     * tuned for), 1/sqrt(d) below (the PCP paper's choice for a d x d matrix), where 1/60 leaves the
     * background's low-rank part nearly empty (the demo, d = 64: a null space of 63 of 64
     * dimensions with 1/60, 34 with 1/8) and a local edit changes nothing.
     */
    public static double autoLambda(int d) {
        return d >= 512 ? 1.0 / 60 : 1.0 / Math.sqrt(d);
    }

    public static final class Options implements Cloneable {
        public Rpca.Options rpca = new Rpca.Options();
        /** Absolute tolerance for the numerical ranks; NaN: s_max * d * eps_double (NumPy matrix_rank). */
        public double rankTolerance = Double.NaN;
        /** How many of the smallest nonzero singular directions of L_B are admitted into the null space. */
        public int numRelax = 0;
        /** At most this many directions (0: all rank_f of them, less any dropped). */
        public int maxDirections = 0;
        /**
         * A projected vector with ||N N^T n|| / ||n|| at most this is treated as zero. RPCA stops
         * at a relative residual of 1e-7, which leaves the row space of L_B (and so N) uncertain
         * by about 1e-7 / (relative gap of its smallest kept singular value): a vector of the
         * background's true row space keeps ~1e-6 of its norm, pure noise that normalising would
         * blow up.
         */
        public double dropTolerance = 1e-6;
        public Linalg linalg = TorchLinalg.INSTANCE;
        /**
         * Solve the RPCAs of A and B at the same time, B on a second thread (the two are
         * independent; the results are the same bit for bit). Only for CPU Grams on the certified
         * path (d up to {@link Rpca.Options#CERTIFIED_MAX_DIM}, so two solves' buffers fit),
         * without a {@link Rpca.Options#monitor}, with more than one processor and more than one
         * LibTorch thread (so {@code --threads 1} keeps to one); OpenBLAS is held at one thread
         * meanwhile (process-wide: other work in the JVM at that time gets one OpenBLAS thread
         * too). On the 2-core development machine, a 512-d pair on default threads: 3.18 s
         * against 5.52 s (JMH LowRankGanBenchmark, medians of 3; benchmarks/RESULTS.md); more
         * cores were not measured.
         */
        public boolean parallelRpca = true;
        /** Choose the RPCA lambda from the Gram's d by {@link #autoLambda} (ignoring {@code rpca.lambda}): the registry's default. */
        public boolean autoLambda = false;

        /** These options for Grams of dimension {@code d}: a copy with lambda chosen when {@link #autoLambda}, else these. */
        public Options forDim(int d) {
            if (!autoLambda) return this;
            Options c = copy();
            c.rpca.lambda = LowRankGan.autoLambda(d);
            c.autoLambda = false;
            return c;
        }

        /** A copy with its own RPCA options (the same linalg, monitor and cancellation objects): what a caller changes for one call. */
        public Options copy() {
            try {
                Options c = (Options) super.clone();
                c.rpca = rpca.copy();
                return c;
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }

        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            Map<String, Object> r = rpca.describe();
            if (autoLambda) r.put("lambda", "auto (1/60 from d = 512, 1/sqrt(d) below)");
            m.put("rpca", r);
            m.put("rank_tolerance", Double.isNaN(rankTolerance) ? "s_max*d*eps" : rankTolerance);
            m.put("num_relax", numRelax);
            m.put("max_directions", maxDirections);
            m.put("drop_tolerance", dropTolerance);
            return m;
        }
    }

    /**
     * The background null space: {@code size} orthonormal rows of length {@code dim} (row-major in
     * {@code basis}), the right singular vectors of L_B from index {@code start} on. Computed once
     * from B; {@link #project} makes any direction local.
     */
    public record NullSpace(double[] basis, int size, int dim, int rankB, int numRelax, int start, double dropTolerance) {
        public NullSpace {
            if (basis.length != (long) size * dim) throw new IllegalArgumentException("null space: " + basis.length + " values for " + size + " x " + dim);
        }

        /** The null space of the low-rank background part L_B [d, d] (symmetric). */
        public static NullSpace of(Tensor lowB, Options o) {
            try (PointerScope ignored = new PointerScope()) {
                int d = (int) lowB.size(1);
                Linalg.Svd svd = o.linalg.svd(lowB.to(torch.ScalarType.Double));
                double[] s = Torch.toDoubles(svd.s());
                int rankB = numericalRank(s, d, o.rankTolerance);
                int start = nullSpaceStart(rankB, o.numRelax, d);
                Tensor n = svd.vh().narrow(0, start, d - start).contiguous();
                return new NullSpace(Torch.toDoubles(n), d - start, d, rankB, o.numRelax, start, o.dropTolerance);
            }
        }

        /** The rows as a CPU float64 tensor [size, dim]. */
        public Tensor tensor() {
            return Torch.of(basis, size, dim);
        }

        /** N N^T n (not normalised). */
        public double[] component(double[] n) {
            if (n.length != dim) throw new InputException("direction has " + n.length + " values; the background null space lives in " + dim + " dimensions");
            double[] c = new double[size];
            for (int i = 0; i < size; i++) {
                double t = 0;
                for (int j = 0; j < dim; j++) t += basis[i * dim + j] * n[j];
                c[i] = t;
            }
            double[] p = new double[dim];
            for (int i = 0; i < size; i++) for (int j = 0; j < dim; j++) p[j] += c[i] * basis[i * dim + j];
            return p;
        }

        /**
         * n' = N N^T n / ||N N^T n||: the direction made local. Throws {@link InputException} when n
         * has the wrong dimension, is zero or not finite, or lies numerically inside the
         * background's row space (||N N^T n|| / ||n|| &lt;= dropTolerance).
         */
        public double[] project(double[] n) {
            double norm = Math.sqrt(Directions.dot(n, n));
            if (n.length == dim && (!(norm > 0) || !Double.isFinite(norm)))
                throw new InputException("direction has norm " + norm + "; a nonzero finite vector is needed");
            double[] p = component(n);
            double pn = Math.sqrt(Directions.dot(p, p));
            if (!(pn > dropTolerance * norm))
                throw new InputException(String.format("direction lies in the background's row space (||N N^T n|| / ||n|| = %.3g): it has no local component", pn / norm));
            for (int j = 0; j < dim; j++) p[j] /= pn;
            return p;
        }
    }

    /** RPCA of B and its null space. */
    public static NullSpace nullSpace(Tensor b, Options o) {
        o = o.forDim(checkGram(b, "B"));
        Rpca.Result rb = Rpca.solve(b, o.rpca);
        try (PointerScope ignored = new PointerScope()) {
            return NullSpace.of(rb.lowTensor(), o);
        }
    }

    /** The LowRankGAN directions of one region from its foreground and background Grams (float64, [d, d]). */
    public static Directions solve(Tensor a, Tensor b, Options o) {
        int d = checkGram(a, "A");
        if (checkGram(b, "B") != d) throw new InputException("A is " + Torch.shapeString(a) + " but B is " + Torch.shapeString(b));
        o = o.forDim(d);
        if (o.numRelax < 0) throw new InputException("num-relax must be >= 0, got " + o.numRelax);
        if (o.maxDirections < 0) throw new InputException("at most k directions: k must be >= 0, got " + o.maxDirections);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("method", "lowrankgan");
        info.putAll(o.describe());
        BothRpcas r = solveBoth(a, b, o);
        Rpca.Result ra = r.a(), rb = r.b();
        info.put("rpca_parallel", r.sideBySide());
        info.put("rpca_a", ra.describe());
        info.put("rpca_b", rb.describe());
        for (String w : ra.warnings()) Directions.warn(info, "A: " + w);
        for (String w : rb.warnings()) Directions.warn(info, "B: " + w);
        if (!ra.converged()) Directions.warn(info, String.format("RPCA of A did not converge in %d iterations (relative residual %.3g)", ra.iterations(), ra.residual()));
        if (!rb.converged()) Directions.warn(info, String.format("RPCA of B did not converge in %d iterations (relative residual %.3g)", rb.iterations(), rb.residual()));
        try (PointerScope ignored = new PointerScope()) {
            NullSpace ns;
            try (ganfactor.trace.Span sp = o.rpca.trace.span("null space of B", "d", d)) {
                ns = NullSpace.of(rb.lowTensor(), o);
            }
            try (ganfactor.trace.Span sp = o.rpca.trace.span("directions in the null space", "null_space_dimension", ns.size())) {
                return directions(ra.lowTensor(), ns, o, info);
            }
        }
    }

    /** The RPCAs of A and B, and whether they ran side by side. */
    record BothRpcas(Rpca.Result a, Rpca.Result b, boolean sideBySide) {}

    /**
     * RPCA of A and of B, at the same time when {@link Options#parallelRpca} allows it. A failure
     * or a cancellation of either stops the other at its next iteration (both solves poll a shared
     * flag besides the caller's {@code cancelled}); the first failure is the one reported, after
     * the other solve has stopped.
     */
    static BothRpcas solveBoth(Tensor a, Tensor b, Options lo) {
        Rpca.Options o = lo.rpca;
        int d = (int) a.size(0);
        boolean parallel = lo.parallelRpca && o.monitor == null && a.is_cpu() && b.is_cpu() && o.certified(d)
                && Runtime.getRuntime().availableProcessors() > 1 && org.bytedeco.pytorch.global.torch.get_num_threads() > 1;
        Rpca.Options oa = o.copy(), ob = o.copy();
        oa.traceLabel = "A";
        ob.traceLabel = "B";
        if (!parallel) return new BothRpcas(Rpca.solve(a, oa), Rpca.solve(b, ob), false);
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.function.BooleanSupplier user = o.cancelled;
        oa.cancelled = ob.cancelled = () -> failed.get() || user.getAsBoolean();
        return ganfactor.linalg.BlasThreads.single(() -> {
            java.util.concurrent.ExecutorService ex = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "ganfactor-rpca-b");
                t.setDaemon(true);
                return t;
            });
            try {
                java.util.concurrent.Future<Rpca.Result> fb = ex.submit(() -> {
                    try (PointerScope ignored = new PointerScope()) {
                        return Rpca.solve(b, ob);
                    } catch (Throwable t) {
                        failed.set(true);
                        throw t;
                    }
                });
                Rpca.Result ra;
                try {
                    ra = Rpca.solve(a, oa);
                } catch (Throwable t) {
                    failed.set(true);
                    awaitQuietly(fb);
                    throw t;
                }
                try {
                    return new BothRpcas(ra, fb.get(), true);
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException re) throw re;
                    if (c instanceof Error er) throw er;
                    throw new IllegalStateException(c);
                } catch (InterruptedException e) {
                    failed.set(true);
                    Thread.currentThread().interrupt();
                    throw new java.util.concurrent.CancellationException("interrupted");
                }
            } finally {
                ex.shutdown();
            }
        });
    }

    private static void awaitQuietly(java.util.concurrent.Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // (the other solve stops at its next iteration: the shared flag is set)
        } catch (Exception ignored) {
            // the first failure is reported; this one followed from it (cancelled) or is secondary
        }
    }

    /** Steps 2 and 4 given the low-rank foreground part and a background null space; adds to {@code info}. */
    public static Directions directions(Tensor lowA, NullSpace ns, Options o, Map<String, Object> info) {
        int d = ns.dim();
        try (PointerScope ignored = new PointerScope()) {
            Linalg.Svd svd = o.linalg.svd(lowA.to(torch.ScalarType.Double));
            double[] s = Torch.toDoubles(svd.s());
            int rankF = numericalRank(s, d, o.rankTolerance);
            info.put("rank_f", rankF);
            info.put("rank_b", ns.rankB());
            info.put("num_relax", ns.numRelax());
            info.put("null_space_start", ns.start());
            info.put("null_space_dim", ns.size());
            if (rankF == 0) Directions.warn(info, "the low-rank part of A is zero: no principal subspace, no directions (lambda " + o.rpca.lambda + " is too small for d = " + d + "; try about 1/sqrt(d) = " + String.format(java.util.Locale.ROOT, "%.3g", 1 / Math.sqrt(d)) + ")");
            if (ns.rankB() == 0)
                Directions.warn(info, "the low-rank part of B is zero; as in the reference the null space starts at index 1, so it omits one arbitrary direction");
            if (ns.rankB() - ns.numRelax() > d - 1)
                Directions.warn(info, "the low-rank part of B has full rank: the null space (clamped to the last singular vector, as in the reference) is not a null space");
            double[] f = rankF == 0 ? new double[0] : Torch.toDoubles(svd.vh().narrow(0, 0, rankF));
            List<double[]> rows = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            List<Double> retained = new ArrayList<>();
            int dropped = 0;
            int limit = o.maxDirections > 0 ? o.maxDirections : Integer.MAX_VALUE;
            for (int i = 0; i < rankF && rows.size() < limit; i++) {
                double[] fi = new double[d];
                System.arraycopy(f, i * d, fi, 0, d);
                double[] p = ns.component(fi);
                double pn = Math.sqrt(Directions.dot(p, p));
                retained.add(pn);
                if (!(pn > o.dropTolerance)) {
                    dropped++;
                    Directions.warn(info, String.format("principal vector %d (singular value %.4g) lies in the background's row space (||N N^T f|| = %.3g): dropped", i, s[i], pn));
                    continue;
                }
                rows.add(p);
                values.add(s[i]);
            }
            info.put("retained", retained);
            info.put("dropped", dropped);
            int k = rows.size();
            double[] v = new double[k * d];
            double[] val = new double[k];
            for (int i = 0; i < k; i++) {
                System.arraycopy(rows.get(i), 0, v, i * d, d);
                val[i] = values.get(i);
            }
            Directions.normaliseRows(v, k, d);
            Directions.canonicalSigns(v, k, d);
            info.put("count", k);
            return new Directions(v, k, d, val, info);
        }
    }

    /** Number of singular values above tol (NaN: s_max * d * eps_double, as numpy.linalg.matrix_rank). */
    public static int numericalRank(double[] s, int d, double tol) {
        double smax = 0;
        for (double x : s) smax = Math.max(smax, x);
        double t = Double.isNaN(tol) ? smax * d * Math.ulp(1.0) : tol;
        int r = 0;
        for (double x : s) if (x > t) r++;
        return r;
    }

    /** First index of the null space: rank_b - numRelax clamped to [1, d - 1] (the reference's clamp). */
    static int nullSpaceStart(int rankB, int numRelax, int d) {
        return Math.max(1, Math.min(d - 1, rankB - numRelax));
    }

    private static int checkGram(Tensor g, String name) {
        if (g.dim() != 2 || g.size(0) != g.size(1) || g.size(0) < 2)
            throw new InputException(name + " must be a square d x d Gram with d >= 2, got " + Torch.shapeString(g));
        return (int) g.size(0);
    }
}
