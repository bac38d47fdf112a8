package ganfactor.bench;

import ganfactor.Engine;
import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import ganfactor.method.Rpca;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The RPCA side-by-side against the NumPy reference (benchmarks/rpca_side_by_side.sh runs it):
 * <pre>
 *   write DIR [dim]                      the RpcaBenchmark Gram as DIR/M.npy (float64)
 *   solve DIR repeats solver[:k=v,...]   times each solver on DIR/M.npy (median of repeats),
 *                                        compares L with DIR/L_ref.npy (NumPy reference ADMM at
 *                                        its 1e-7 stop), DIR/L_opt.npy (the optimum: the same
 *                                        ADMM run to 1e-12) and DIR/L_official.npy (the official
 *                                        LowRankGAN RobustPCA, rpca_official.py) when present
 * </pre>
 *   demo DIR [lambda]                    LowRankGAN end to end on the demo generator's eyes region
 *                                        (Jacobian in W, seed 4, 256 view): ADMM against EXACT
 * </pre>
 * <pre>
 * Solver options after the colon: tol, primalTol, dualTol, muScale, muScaleTail, muSwitch,
 * maxIterations, subspace, certified (1: the certified partial SVT), certifiedTol, lambda (e.g.
 * {@code exact:dualTol=1e-6}).
 */
public final class RpcaSideBySide {

    public static void main(String[] args) throws Exception {
        // -Dthreads=1 for the side-by-side: one LibTorch thread against one OpenBLAS thread in NumPy
        Engine.init(Integer.getInteger("threads", 0));
        Path dir = Path.of(args[1]);
        Files.createDirectories(dir);
        if (args[0].equals("write")) {
            int dim = args.length > 2 ? Integer.parseInt(args[2]) : 512;
            try (PointerScope s = new PointerScope()) {
                Tensor m = RpcaBenchmark.gram(dim);
                Npy.writeFloat64(dir.resolve("M.npy"), Torch.toDoubles(m), dim, dim);
            }
            System.out.println("wrote " + dir.resolve("M.npy"));
            return;
        }
        if (args[0].equals("demo")) {
            demo(args.length > 2 ? Double.parseDouble(args[2]) : 1.0 / 60);
            return;
        }
        int repeats = Integer.parseInt(args[2]);
        NpyArray ma = Npy.read(dir.resolve("M.npy"));
        int d = (int) ma.shape()[0];
        double[] mData = ma.data();
        double[] lRef = load(dir.resolve("L_ref.npy")), lOpt = load(dir.resolve("L_opt.npy")), lOff = load(dir.resolve("L_official.npy"));
        for (int a = 3; a < args.length; a++) {
            String[] parts = args[a].split(":", 2);
            Rpca.Options o = new Rpca.Options();
            o.solver = Rpca.Solver.valueOf(parts[0].toUpperCase(Locale.ROOT));
            boolean onCuda = false;
            if (parts.length > 1)
                for (String kv : parts[1].split(",")) {
                    String[] p = kv.split("=");
                    double v = Double.parseDouble(p[1]);
                    switch (p[0]) {
                        case "tol" -> o.tol = v;
                        case "primalTol" -> o.primalTol = v;
                        case "dualTol" -> o.dualTol = v;
                        case "muScale" -> o.muScale = v;
                        case "muScaleTail" -> o.tuning.muScaleTail = v;
                        case "muSwitch" -> o.tuning.muSwitch = (int) v;
                        case "maxIterations" -> o.maxIterations = (int) v;
                        case "subspace" -> o.tuning.subspaceSvt = v != 0;
                        case "certified" -> o.certifiedSvt = v != 0;
                        case "certifiedTol" -> o.tuning.certifiedTol = v;
                        case "tensors" -> o.tuning.certifiedTensors = v != 0;
                        case "cuda" -> onCuda = v != 0;
                        case "lambda" -> o.lambda = v;
                        default -> throw new IllegalArgumentException("unknown option " + p[0]);
                    }
                }
            org.bytedeco.pytorch.Device dev = null;
            if (onCuda) {
                ganfactor.torch.ComputeDevice cuda = ganfactor.torch.Devices.select("cuda");
                dev = cuda.torch();
                o.linalg = ganfactor.linalg.Linalg.forDevice(cuda, o.linalg);
            }
            List<Double> times = new ArrayList<>();
            Rpca.Result r = null;
            for (int i = 0; i < repeats; i++) {
                try (PointerScope s = new PointerScope()) {
                    long t0 = System.nanoTime();
                    org.bytedeco.pytorch.Tensor mt = Torch.of(mData, d, d);
                    if (dev != null) mt = mt.to(dev, org.bytedeco.pytorch.global.torch.ScalarType.Double);
                    r = Rpca.solve(mt, o);
                    times.add((System.nanoTime() - t0) / 1e9);
                }
            }
            List<Double> sorted = new ArrayList<>(times);
            sorted.sort(null);
            double median = sorted.get(sorted.size() / 2);
            double obj = objective(r, mData, o.lambda);
            System.out.printf(Locale.ROOT, "java %s: median %.3f s of %s, iterations %d, converged %b, rank %d, primal %.3e, dual %s, mu %.6g, "
                            + "objective %.12f, |L - L_ref|/|L_ref| %s, |L - L_opt|/|L_opt| %s, |L - L_official|/|L_official| %s, full eigh %d, certified steps %d, block products %d%n",
                    args[a], median, times, r.iterations(), r.converged(), r.rank(), r.residual(),
                    Double.isNaN(r.dualResidual()) ? "-" : String.format(Locale.ROOT, "%.3e", r.dualResidual()), r.muFinal(), obj,
                    lRef == null ? "-" : String.format(Locale.ROOT, "%.3e", relF(r.low(), lRef)),
                    lOpt == null ? "-" : String.format(Locale.ROOT, "%.3e", relF(r.low(), lOpt)),
                    lOff == null ? "-" : String.format(Locale.ROOT, "%.3e", relF(r.low(), lOff)), r.fullEigh(), r.subspaceSteps(), r.blockProducts());
        }
    }

    static void demo(double lambda) {
        ganfactor.generator.Generator g = ganfactor.generator.Generator.demo().to(torch.ScalarType.Float);
        ganfactor.generator.Latents lat = ganfactor.generator.Latents.fromSeed(g, ganfactor.generator.LatentSpace.W, 4, 1, 1.0, g.numLayers());
        ganfactor.region.View view = new ganfactor.region.View(256, ganfactor.region.View.Reduce.SUM, g.channels(), g.height(), g.width());
        ganfactor.jacobian.GramPair.Host gp = ganfactor.jacobian.JacobianEngine.compute(g, lat.row(0), ganfactor.generator.LatentSpace.W, view,
                List.of(ganfactor.region.Regions.parse("eyes", 256, g)), new ganfactor.jacobian.JacobianEngine.Options()).grams().get(0).toHost();
        int d = gp.dim();
        ganfactor.method.Directions[] out = new ganfactor.method.Directions[2];
        Rpca.Solver[] solvers = {Rpca.Solver.ADMM, Rpca.Solver.EXACT};
        for (int k = 0; k < 2; k++) {
            ganfactor.method.LowRankGan.Options o = new ganfactor.method.LowRankGan.Options();
            o.rpca.solver = solvers[k];
            o.rpca.lambda = lambda;
            long t0 = System.nanoTime();
            try (PointerScope s = new PointerScope()) {
                out[k] = ganfactor.method.LowRankGan.solve(Torch.of(gp.a(), d, d), Torch.of(gp.b(), d, d), o);
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "demo eyes lowrankgan lambda %.4g, %s: %.3f s, rank_f %s, rank_b %s, directions %d, rpca_a %s, rpca_b %s, warnings %s%n",
                    lambda, solvers[k], sec, out[k].info().get("rank_f"), out[k].info().get("rank_b"), out[k].count(),
                    out[k].info().get("rpca_a"), out[k].info().get("rpca_b"), out[k].warnings());
        }
        int n = Math.min(out[0].count(), out[1].count());
        for (int i = 0; i < n; i++)
            System.out.printf(Locale.ROOT, "direction %d: |cos(admm, exact)| = %.8f%n", i,
                    Math.abs(ganfactor.method.Directions.dot(out[0].row(i), out[1].row(i))));
    }

    static double[] load(Path p) {
        return Files.exists(p) ? Npy.read(p).data() : null;
    }

    static double relF(double[] a, double[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) { num += (a[i] - b[i]) * (a[i] - b[i]); den += b[i] * b[i]; }
        return Math.sqrt(num / den);
    }

    /** ||L||_* + lambda ||M - L||_1 for the symmetric L (the objective at the feasible point (L, M - L)). */
    static double objective(Rpca.Result r, double[] m, double lambda) {
        try (PointerScope s = new PointerScope()) {
            double nuclear = torch.linalg_eigvalsh(r.lowTensor()).abs().sum().item_double();
            double l1 = 0;
            for (int i = 0; i < m.length; i++) l1 += Math.abs(m[i] - r.low()[i]);
            return nuclear + lambda * l1;
        }
    }
}
