package ganfactor.check;

import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.jacobian.GramPair;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.linalg.CusolverLinalg;
import ganfactor.linalg.LapackLinalg;
import ganfactor.linalg.Linalg;
import ganfactor.linalg.NotPositiveDefiniteException;
import ganfactor.linalg.TorchLinalg;
import ganfactor.method.Directions;
import ganfactor.method.ReSeFa;
import ganfactor.method.Rpca;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import ganfactor.torch.ComputeDevice;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static ganfactor.check.Matrices.*;

/**
 * CPU-vs-GPU parity and device residency, as the unit tests and {@code ganfactor gpu-check} both
 * run them. Each method throws an {@link AssertionError} on the first property that fails and
 * returns one line of what it measured.
 *
 * <p>Tolerances: float64 Grams agree to 1e-9 relative to their largest entry (the same exact
 * derivatives, summed in another order); generalized eigenvalues to 1e-8 relative in float64 and
 * 1e-3 in float32; the top 5 directions to |cos| >= 0.9999; the certified RPCA on the device
 * takes the CPU's iterations and rank, L within 1e-8 relative (two certified sequences, each within
 * a few 1e-9 of the literal sweep on these Grams), most steps certified.
 */
public final class GpuParity {
    private GpuParity() {}

    /** cuSOLVER ({@link CusolverLinalg}) against LAPACK on random Grams, d = 64 and 512, float64 and float32. */
    public static String cusolverMatchesLapack(ComputeDevice gpu) {
        CusolverLinalg cu = new CusolverLinalg(LapackLinalg.INSTANCE);
        double worstCos = 1;
        for (int d : new int[]{64, 512}) {
            for (torch.ScalarType type : new torch.ScalarType[]{torch.ScalarType.Double, torch.ScalarType.Float}) {
                boolean f64 = type == torch.ScalarType.Double;
                String at = "d " + d + " " + (f64 ? "float64" : "float32");
                try (PointerScope scope = new PointerScope()) {
                    double[] a = gram(d, 3 * d, 1 + d, 0), b = gram(d, 3 * d, 2 + d, 0.1);
                    Tensor A = Torch.of(a, d, d), B = Torch.of(b, d, d);
                    Tensor Ag = A.to(gpu.torch(), type), Bg = B.to(gpu.torch(), type);
                    Linalg.Eigen ref = LapackLinalg.INSTANCE.generalizedEigh(A, B);
                    for (int k : new int[]{d, 5}) {
                        Linalg.Eigen e = cu.generalizedEighTop(Ag, Bg, k);
                        Require.that(e.values().is_cuda() && e.vectors().is_cuda(), at + ": results stay on the GPU");
                        double[] v = Torch.toDoubles(e.values()), rv = Torch.toDoubles(ref.values());
                        for (int i = 0; i < Math.min(k, 5); i++)
                            Require.near(rv[i], v[i], (f64 ? 1e-8 : 1e-3) * Math.abs(rv[0]), at + " k " + k + " value " + i);
                        double c = minAbsCos(Torch.toDoubles(e.vectors().narrow(0, 0, 5)), Torch.toDoubles(ref.vectors().narrow(0, 0, 5)), 5, d);
                        worstCos = Math.min(worstCos, c);
                        Require.that(c >= 0.9999, at + " k " + k + ": top-5 |cos| " + c);
                        Require.near(ref.pivotRatio(), e.pivotRatio(), (f64 ? 1e-8 : 1e-3) * ref.pivotRatio(), at + " pivot ratio");
                    }
                    Linalg.Eigen top = cu.eighTop(Ag, 5), all = cu.eigh(Ag), refA = TorchLinalg.INSTANCE.eigh(A);
                    double r0 = Torch.toDoubles(refA.values())[0];
                    Require.near(r0, Torch.toDoubles(top.values())[0], (f64 ? 1e-10 : 1e-4) * r0, at + " eighTop value 0");
                    Require.that(minAbsCos(Torch.toDoubles(top.vectors()), Torch.toDoubles(refA.vectors().narrow(0, 0, 5)), 5, d) >= 0.9999, at + " eighTop vectors");
                    Require.that(minAbsCos(Torch.toDoubles(all.vectors().narrow(0, 0, 5)), Torch.toDoubles(refA.vectors().narrow(0, 0, 5)), 5, d) >= 0.9999, at + " eigh vectors");
                    Tensor L = cu.cholesky(Bg);
                    double lerr = maxAbsDiff(Torch.toDoubles(L.mm(L.t())), b);
                    Require.that(lerr <= (f64 ? 1e-12 : 1e-4) * maxAbs(b), at + ": L L^T = B to " + lerr);
                    Tensor X = Torch.of(gram(d, 1, 9, 0), d, d).narrow(0, 0, d / 2).to(gpu.torch(), type);  // [d/2, d]
                    double[] gx = Torch.toDoubles(cu.rowGram(X)), gref = Torch.toDoubles(X.mm(X.t()));
                    Require.that(maxAbsDiff(gx, gref) <= (f64 ? 1e-12 : 1e-4) * maxAbs(gref), at + ": syrk row Gram");
                    Linalg.Svd s = cu.svd(X);
                    Tensor back = s.u().mul(s.s().unsqueeze(0)).mm(s.vh());
                    Require.that(maxAbsDiff(Torch.toDoubles(back), Torch.toDoubles(X)) <= (f64 ? 1e-10 : 1e-3) * maxAbs(Torch.toDoubles(X)), at + ": u s vh = X");
                }
            }
        }
        return String.format(Locale.ROOT, "d 64 and 512, float64 and float32: generalized, eigh, Cholesky, syrk, SVD agree; worst top-5 |cos| %.6f; gesvdj fallbacks %d",
                worstCos, CusolverLinalg.gesvdjFallbacks());
    }

    /** An indefinite B is reported as such by the generalized solve and the Cholesky factorisation. */
    public static String notPositiveDefiniteIsReported(ComputeDevice gpu) {
        CusolverLinalg cu = new CusolverLinalg(LapackLinalg.INSTANCE);
        try (PointerScope scope = new PointerScope()) {
            int d = 32;
            Tensor A = Torch.of(gram(d, 64, 3, 0), d, d).to(gpu.torch(), torch.ScalarType.Double);
            Tensor B = Torch.of(gram(d, 8, 4, 0), d, d).to(gpu.torch(), torch.ScalarType.Double)
                    .sub(torch.eye(d, gpu.options(torch.ScalarType.Double)));   // indefinite
            Require.raises(NotPositiveDefiniteException.class, () -> cu.generalizedEigh(A, B), "generalized solve with an indefinite B");
            Require.raises(NotPositiveDefiniteException.class, () -> cu.cholesky(B), "Cholesky of an indefinite B");
        }
        return "an indefinite B raises NotPositiveDefiniteException (sygvd, potrf)";
    }

    /** The demo's Grams computed on the GPU against the CPU (1e-9), and ReSeFa's top 5 directions on cuSOLVER (|cos| >= 0.9999). */
    public static String demoGramsAndDirectionsMatchTheCpu(Generator cpu, ComputeDevice gpu) {
        try (Generator cuda = Generator.demo().to(gpu)) {   // its own copy: the caller's stays on the CPU
            View view = new View(64, View.Reduce.SUM, cpu.channels(), cpu.height(), cpu.width());
            List<Region> regions = List.of(Regions.parse("eyes", 64, cpu), Regions.parse("mouth", 64, cpu));
            double[] x = Latents.fromSeed(cpu, LatentSpace.W, 4, 1, 1.0, 8).row(0);
            JacobianEngine.Options o = new JacobianEngine.Options();
            o.chunk = 16;
            List<String> found = new ArrayList<>();
            try (PointerScope scope = new PointerScope()) {
                List<GramPair> gc = JacobianEngine.compute(cpu, x, LatentSpace.W, view, regions, o).grams();
                o.deviceGrams = true;
                List<GramPair> gg = JacobianEngine.compute(cuda, x, LatentSpace.W, view, regions, o).grams();
                Require.that(gg.get(0).aTensor().is_cuda(), "the GPU Grams are on the GPU");
                for (int i = 0; i < regions.size(); i++) {
                    String r = regions.get(i).name();
                    GramPair.Host gh = gg.get(i).toHost(), hc = gc.get(i).toHost();
                    double[] a = hc.a(), ag = gh.a(), b = hc.b(), bg = gh.b();
                    double ea = maxAbsDiff(a, ag) / maxAbs(a), eb = maxAbsDiff(b, bg) / maxAbs(b);
                    Require.that(ea <= 1e-9, "A of " + r + ": " + ea);
                    Require.that(eb <= 1e-9, "B of " + r + ": " + eb);
                    ReSeFa.Options so = new ReSeFa.Options();
                    so.regularization = ReSeFa.Regularization.PAPER;
                    Directions dc = ReSeFa.solve(gc.get(i), so);
                    so.device = gpu;
                    so.linalg = Linalg.forDevice(gpu, so.linalg);
                    Directions dg = ReSeFa.solve(gg.get(i), so);
                    Require.that("cusolver".equals(dg.info().get("linalg")), r + ": solved by " + dg.info().get("linalg") + ", not cusolver");
                    double c = minAbsCos(dc.vectors(), dg.vectors(), 5, dc.dim());
                    Require.that(c >= 0.9999, r + ": top-5 |cos| " + c);
                    found.add(String.format(Locale.ROOT, "%s: A %.1e, B %.1e, top-5 |cos| %.6f", r, ea, eb, c));
                }
            }
            return String.join("; ", found);
        }
    }

    /**
     * StyleGAN3, configs T and R (random, the filters designed as the official constructors design
     * them, 64 px, 2 - 16 channels and d = 8: every op of the published models, small enough for the
     * rehearsal on two CPU cores; no file needed), in float64 on {@code gpu} against the CPU:
     * the image of one code and the W-space Gram pair of the eyes box through the Jacobian engine
     * (the model's own tangent pass; on the GPU the filters' products run on cuBLAS, R's radial
     * filters and the convolutions on cuDNN). Bound 1e-9 relative: the same float64 arithmetic in
     * another order. On the CPU (the rehearsal) both sides are the CPU.
     */
    public static String styleGan3MatchesTheCpu(ComputeDevice gpu) {
        List<String> found = new ArrayList<>();
        for (String cfg : List.of("t", "r")) {
            String spec = "stylegan3:64:cfg=" + cfg + ":cbase=128:cmax=16:zdim=8:seed=1";
            try (Generator cpu = Generator.open(spec).to(torch.ScalarType.Double);
                 Generator dev = Generator.open(spec).to(torch.ScalarType.Double).to(gpu);
                 PointerScope scope = new PointerScope()) {
                View view = View.defaultFor(cpu.channels(), cpu.height(), cpu.width());
                List<Region> regions = List.of(Regions.parse("ffhq:eyes", view.grid(), cpu));
                double[] x = Latents.fromSeed(cpu, LatentSpace.W, 4, 1, 1.0, cpu.numLayers()).row(0);
                Tensor wp = cpu.toWp(Torch.of(x, 1, x.length).to(torch.ScalarType.Double), LatentSpace.W);
                double[] ic = Torch.toDoubles(cpu.synthesis(wp)), ig = Torch.toDoubles(dev.synthesis(wp));
                double ei = maxAbsDiff(ic, ig) / maxAbs(ic);
                Require.that(ei <= 1e-9, "stylegan3-" + cfg + " image: " + ei);
                JacobianEngine.Options o = new JacobianEngine.Options();
                o.chunk = 8;
                GramPair.Host hc = JacobianEngine.compute(cpu, x, LatentSpace.W, view, regions, o).grams().get(0).toHost();
                GramPair.Host hg = JacobianEngine.compute(dev, x, LatentSpace.W, view, regions, o).grams().get(0).toHost();
                double ea = maxAbsDiff(hc.a(), hg.a()) / maxAbs(hc.a()), eb = maxAbsDiff(hc.b(), hg.b()) / maxAbs(hc.b());
                Require.that(maxAbs(hc.a()) > 0 && maxAbs(hc.b()) > 0, "stylegan3-" + cfg + ": non-zero Grams");
                Require.that(ea <= 1e-9 && eb <= 1e-9, "stylegan3-" + cfg + " Grams: A " + ea + ", B " + eb);
                found.add(String.format(Locale.ROOT, "%s: image %.1e, A %.1e, B %.1e", cfg.toUpperCase(Locale.ROOT), ei, ea, eb));
            }
        }
        return "stylegan3 (float64) " + String.join("; ", found);
    }

    /**
     * The certified RPCA with the Gram on the GPU (tensor backend, through LibTorch's linalg and
     * through cuSOLVER) against the same Gram on the CPU (OpenBLAS backend).
     */
    public static String certifiedRpcaFollowsTheCpu(Generator demo, ComputeDevice gpu) {
        GramPair.Host gp = demoEyes(demo);
        record Case(String what, double[] m, int d, double lambda) {}
        List<String> found = new ArrayList<>();
        for (Case c : new Case[]{new Case("decaying Gram d=96", decayingGram(96, 5), 96, 0.38 / Math.sqrt(96)),
                new Case("demo eyes B", gp.b(), gp.dim(), 0.047),
                new Case("decaying Gram d=512", decayingGram(512, 5), 512, 0.38 / Math.sqrt(512))}) {
            for (Linalg la : new Linalg[]{TorchLinalg.INSTANCE, Linalg.forDevice(gpu, TorchLinalg.INSTANCE)}) {
                Rpca.Options cpu = new Rpca.Options(), dev = new Rpca.Options();
                cpu.lambda = dev.lambda = c.lambda();
                dev.linalg = la;
                dev.tuning.certifiedTensors = true; // (by default only from d = 512 on the GPU)
                Rpca.Result a, b;
                try (PointerScope s = new PointerScope()) {
                    a = Rpca.solve(Torch.of(c.m(), c.d(), c.d()), cpu);
                    b = Rpca.solve(Torch.of(c.m(), c.d(), c.d()).to(gpu.torch(), torch.ScalarType.Double), dev);
                }
                double dL = relF(b.low(), a.low());
                String at = c.what() + ", " + la.name();
                Require.equal(a.iterations(), b.iterations(), at + ": iterations");
                Require.equal(a.rank(), b.rank(), at + ": rank");
                Require.that(dL <= 1e-8, at + ": GPU and CPU L differ by " + dL);
                Require.that(b.subspaceSteps() > 0.9 * b.iterations(), at + ": " + b.subspaceSteps() + " certified of " + b.iterations());
                found.add(String.format(Locale.ROOT, "%s: %d iterations, CPU %.3f s, GPU %.3f s, |dL| %.1e", at, b.iterations(), a.seconds(), b.seconds(), dL));
            }
        }
        return String.join("; ", found);
    }

    /**
     * Device residency of the hot path, counted through the single host-copy function
     * ({@link Torch#toHost}): the Jacobian engine, chunk after chunk, makes no copy; one standard
     * ReSeFa solve of a region makes exactly four (the input checks with tr(B), the Cholesky pivot
     * ratio with the status, the directions, the eigenvalues); the device Grams equal the host
     * route's bit for bit. {@code g} may be on the CPU (the unit test) or the GPU (gpu-check).
     */
    public static String residency(Generator g) {
        View view = new View(64, View.Reduce.SUM, g.channels(), g.height(), g.width());
        List<Region> rs = List.of(Regions.parse("eyes", 64, g), Regions.parse("mouth", 64, g));
        double[] x = Latents.fromSeed(g, LatentSpace.W, 4, 1, 1.0, 8).row(0);
        ReSeFa.Options so = new ReSeFa.Options();
        so.regularization = ReSeFa.Regularization.PAPER;
        so.k = 5;
        if (g.device().cuda()) {
            so.device = g.device();
            so.linalg = Linalg.forDevice(g.device(), so.linalg);
        }
        try (PointerScope scope = new PointerScope()) {
            JacobianEngine.Options od = new JacobianEngine.Options();
            od.chunk = 16;
            od.deviceGrams = true;
            long before = Torch.hostCopies();
            JacobianEngine.Result r = JacobianEngine.compute(g, x, LatentSpace.W, view, rs, od);
            Require.equal(before, Torch.hostCopies(), "host copies of the Jacobian engine");
            Require.that(r.passes() >= 4, "several chunks ran: " + r.passes());
            Require.that(r.grams().get(0).isOnDevice(), "the Grams stay where the generator is");
            long s0 = Torch.hostCopies();
            Directions d = ReSeFa.solve(r.grams().get(0), so);
            Require.equal(4, Torch.hostCopies() - s0, "host copies of one standard solve");
            JacobianEngine.Options oh = new JacobianEngine.Options();
            oh.chunk = 16;
            JacobianEngine.Result h = JacobianEngine.compute(g, x, LatentSpace.W, view, rs, oh);
            Require.that(!h.grams().get(0).isOnDevice(), "host Grams asked for");
            // a silent host read of device Grams does not compile: a GramPair.Device has no arrays, only toHost()
            Require.that(r.grams().get(0) instanceof GramPair.Device, "device Grams are typed as such");
            long c0 = Torch.hostCopies();
            GramPair.Host host0 = r.grams().get(0).toHost(), host1 = r.grams().get(1).toHost();
            Require.equal(4, Torch.hostCopies() - c0, "toHost() copies, two per pair");
            Require.that(java.util.Arrays.equals(h.grams().get(0).toHost().a(), host0.a()), "device and host Grams are the same numbers (A)");
            Require.that(java.util.Arrays.equals(h.grams().get(1).toHost().b(), host1.b()), "device and host Grams are the same numbers (B)");
            Directions dh = ReSeFa.solve(h.grams().get(0), so);
            if (g.device().cuda()) {   // host Grams are solved by LAPACK, device Grams by cuSOLVER
                for (int i = 0; i < d.count(); i++)
                    Require.near(dh.values()[i], d.values()[i], 1e-8 * Math.abs(dh.values()[0]), "eigenvalue " + i + " of both routes");
            } else {
                Require.that(java.util.Arrays.equals(dh.values(), d.values()), "the same eigenvalues from both routes");
            }
            return String.format(Locale.ROOT, "%s: Jacobian %d passes with 0 host copies, one solve 4, toHost 2 per pair", g.device().label(), r.passes());
        }
    }
}
