package ganfactor.cli;

import ganfactor.InputException;
import ganfactor.method.LowRankGan;
import ganfactor.method.Rpca;
import picocli.CommandLine.Option;


/** LowRankGAN options (RPCA and null space), shared by discover, solve and localize. */
final class LowRank {
    @Option(names = "--rpca-solver", defaultValue = "admm", description = "RPCA solver: admm (the reference's fixed-mu ADMM; default), exact (stops only when the primal and the dual residual are small: the PCP optimum, which the reference's stop can miss; slower on large Grams) or ialm (inexact ALM: ~10x fewer iterations, but it stops at a feasible, slightly suboptimal point)")
    String solver = "admm";
    @Option(names = "--rpca-lambda", defaultValue = "0.016666666666666666", description = "RPCA sparsity weight lambda (default 1/60, the reference's)")
    double lambda = 1.0 / 60;

    @Option(names = "--rpca-tol", defaultValue = "1e-7", description = "RPCA stop: ||L + S - M||_F <= tol ||M||_F (default: ${DEFAULT-VALUE})")
    double tol = 1e-7;

    @Option(names = "--rpca-max-iterations", defaultValue = "10000", description = "RPCA iteration cap (default: ${DEFAULT-VALUE})")
    int maxIterations = 10000;
    @Option(names = "--rpca-certified", negatable = true, description = "RPCA: a certified partial eigensolve in each step instead of a full one (the same iterates to 1e-9 of ||L||, a certificate that no eigenvalue is missed, a full solve when it fails); default on for admm and exact up to d = 2048 (8x faster on 512 x 512 Grams, benchmarks/RESULTS.md), off for ialm; --no-rpca-certified: a full eigendecomposition every step")
    Boolean certified;
    @Option(names = "--num-relax", defaultValue = "0", description = "LowRankGAN: smallest nonzero directions of L_B admitted into the null space (default: ${DEFAULT-VALUE})")
    int numRelax;
    @Option(names = "--rank-tol", description = "absolute tolerance for numerical ranks (default: s_max * d * eps, as NumPy's matrix_rank)")
    Double rankTol;
    @Option(names = "--rpca-profile", description = "record where each certified RPCA's work and time go (counters, seconds per part of the iteration) in the JSON record")
    boolean profile;

    LowRankGan.Options options(int k) {
        LowRankGan.Options o = new LowRankGan.Options();
        o.rpca.solver = Rpca.Solver.parse(solver);
        if (!(lambda > 0)) throw new InputException("--rpca-lambda must be positive");
        if (!(tol > 0)) throw new InputException("--rpca-tol must be positive");
        if (maxIterations < 1) throw new InputException("--rpca-max-iterations must be positive");
        if (numRelax < 0) throw new InputException("--num-relax must be >= 0");
        o.rpca.lambda = lambda;
        o.rpca.tol = tol;
        o.rpca.primalTol = tol;
        o.rpca.maxIterations = maxIterations;
        o.rpca.certifiedSvt = certified;
        o.rpca.profile = profile;
        o.rpca.cancelled = Main.CANCEL;
        o.numRelax = numRelax;
        if (rankTol != null) o.rankTolerance = rankTol;
        o.maxDirections = k;
        return o;
    }
}
