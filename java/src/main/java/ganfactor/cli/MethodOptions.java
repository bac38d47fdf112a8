package ganfactor.cli;

import ganfactor.InputException;
import ganfactor.method.ReSeFa;
import ganfactor.pipeline.LowRankGanSolver;
import ganfactor.pipeline.ReSeFaSolver;
import ganfactor.pipeline.Solver;
import picocli.CommandLine.Option;

import java.util.Locale;

/** Options of the region methods (ReSeFa, LowRankGAN), shared by {@code discover} and {@code solve}. */
final class MethodOptions {
    @Option(names = "--method", defaultValue = "resefa", description = "resefa or lowrankgan (default: ${DEFAULT-VALUE})")
    String method;
    @Option(names = "--k", defaultValue = "0", description = "directions kept (0 = all; discover renders the first --show)")
    int k;
    @Option(names = "--regularize", defaultValue = "none", description = "ReSeFa: none (the reference), paper (B + eps tr(B)/d I) or reference (B + tau tr(B) I, the reference's --full_rank) (default: ${DEFAULT-VALUE})")
    String regularize;
    @Option(names = "--eps", defaultValue = "1e-3", description = "ReSeFa paper regularisation eps, also the fallback and fast-path shift (default: ${DEFAULT-VALUE})")
    double eps;
    @Option(names = "--tau", defaultValue = "1e-3", description = "ReSeFa reference regularisation tau (default: ${DEFAULT-VALUE})")
    double tau;
    @Option(names = "--solve-path", defaultValue = "auto", description = "ReSeFa: auto, standard (Cholesky + eigh) or fast (truncated SVD + Woodbury; needs the region's Jacobian rows) (default: ${DEFAULT-VALUE})")
    String path;
    @picocli.CommandLine.Mixin LowRank lowRank = new LowRank();

    /** Where the solves run (set by the command from its {@code --device}; the CPU unless told). */
    ganfactor.torch.ComputeDevice device = ganfactor.torch.ComputeDevice.CPU;
    @Option(names = "--fast-rank", defaultValue = "0", description = "ReSeFa fast path: rank of the background truncation (0 = min(d, 512))")
    int fastRank;

    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec mixee;

    static final java.util.List<String> RESEFA_ONLY = java.util.List.of("--regularize", "--eps", "--tau", "--solve-path", "--fast-rank");
    static final java.util.List<String> LOWRANK_ONLY = java.util.List.of("--rpca-solver", "--rpca-lambda", "--rpca-tol", "--rpca-max-iterations", "--rpca-certified", "--rpca-profile", "--num-relax", "--rank-tol");

    String methodName() {
        String m = method.toLowerCase(Locale.ROOT);
        if (!m.equals("resefa") && !m.equals("lowrankgan")) throw new InputException("unknown --method '" + method + "' (expected resefa or lowrankgan)");
        // an option of the other method would be silently ignored: say so instead
        picocli.CommandLine.ParseResult pr = mixee == null || mixee.commandLine() == null ? null : mixee.commandLine().getParseResult();
        if (pr != null)
            for (String opt : m.equals("resefa") ? LOWRANK_ONLY : RESEFA_ONLY)
                if (pr.hasMatchedOption(opt))
                    throw new InputException(opt + " is an option of " + (m.equals("resefa") ? "--method lowrankgan" : "--method resefa") + "; this run uses --method " + m);
        return m;
    }

    ReSeFa.Options resefa() {
        ReSeFa.Options o = new ReSeFa.Options();
        o.regularization = ReSeFa.Regularization.parse(regularize);
        if (!(eps > 0) || !(tau > 0)) throw new InputException("--eps and --tau must be positive");
        o.eps = eps;
        o.tau = tau;
        if (k < 0) throw new InputException("--k must be >= 0, got " + k);
        o.k = k;
        o.path = ReSeFa.SolvePath.parse(path);
        o.fastRank = fastRank;
        return ReSeFaSolver.onDevice(o, device);
    }

    /** The solver these options describe (checked: an option of the other method is an error). */
    Solver solver() {
        return methodName().equals("lowrankgan") ? new LowRankGanSolver(lowRank.options(k)) : new ReSeFaSolver(resefa());
    }
}
