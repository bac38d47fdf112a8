package ganfactor.linalg;

import ganfactor.TestSupport;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.jacobian.GramPair;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.method.Directions;
import ganfactor.method.ReSeFa;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import ganfactor.torch.ComputeDevice;
import ganfactor.torch.Devices;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * CPU vs GPU parity: cuSOLVER ({@link CusolverLinalg}) against LAPACK ({@link LapackLinalg}) on
 * random Grams, and the demo generator's Grams and ReSeFa directions computed on the GPU against
 * the CPU. Skipped, with the reason, on a machine without a usable CUDA device and CUDA preset.
 *
 * <p>Tolerances: float64 Grams agree to 1e-9 relative to their largest entry (the same exact
 * derivatives, summed in another order); generalized eigenvalues to 1e-8 relative in float64 and
 * 1e-3 in float32; the top 5 directions to |cos| >= 0.9999 (the threshold).
 */
class CusolverParityTest {
    static ComputeDevice gpu;

    /** Per test (not once per class), so that each test is reported as skipped with the reason. */
    @BeforeEach
    void needsGpu() {
        Devices.Probe p = Devices.probe();
        assumeTrue(p.cuda() && p.cusolver(), "skipped: no usable CUDA GPU and CUDA preset on this machine (" + p.note() + ")");
        gpu = new ComputeDevice(true, true);
    }

    /** A random SPD-ish Gram X X^T / n + shift I, d x d, float64 on the CPU. */
    static double[] gram(int d, int n, long seed, double shift) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[d * n];
        for (int i = 0; i < x.length; i++) x[i] = r.nextDouble() * 2 - 1;
        double[] g = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += x[i * n + k] * x[j * n + k];
                g[i * d + j] = g[j * d + i] = s / n + (i == j ? shift : 0);
            }
        return g;
    }

    static double minAbsCos(double[] a, double[] b, int k, int d) {
        double worst = 1;
        for (int i = 0; i < k; i++) {
            double dot = 0, na = 0, nb = 0;
            for (int j = 0; j < d; j++) {
                dot += a[i * d + j] * b[i * d + j];
                na += a[i * d + j] * a[i * d + j];
                nb += b[i * d + j] * b[i * d + j];
            }
            worst = Math.min(worst, Math.abs(dot) / Math.sqrt(na * nb));
        }
        return worst;
    }

    @Test
    void randomGramsMatchLapack() {
        CusolverLinalg cu = new CusolverLinalg(LapackLinalg.INSTANCE);
        for (int d : new int[]{64, 512}) {
            for (torch.ScalarType type : new torch.ScalarType[]{torch.ScalarType.Double, torch.ScalarType.Float}) {
                boolean f64 = type == torch.ScalarType.Double;
                try (PointerScope scope = new PointerScope()) {
                    double[] a = gram(d, 3 * d, 1 + d, 0), b = gram(d, 3 * d, 2 + d, 0.1);
                    Tensor A = Torch.of(a, d, d), B = Torch.of(b, d, d);
                    Tensor Ag = A.to(gpu.torch(), type), Bg = B.to(gpu.torch(), type);
                    Linalg.Eigen ref = LapackLinalg.INSTANCE.generalizedEigh(A, B);
                    for (int k : new int[]{d, 5}) {
                        Linalg.Eigen e = cu.generalizedEighTop(Ag, Bg, k);
                        assertTrue(e.values().is_cuda() && e.vectors().is_cuda(), "results stay on the GPU");
                        double[] v = Torch.toDoubles(e.values()), rv = Torch.toDoubles(ref.values());
                        for (int i = 0; i < Math.min(k, 5); i++)
                            assertEquals(rv[i], v[i], (f64 ? 1e-8 : 1e-3) * Math.abs(rv[0]), "d " + d + " " + type + " k " + k + " value " + i);
                        double c = minAbsCos(Torch.toDoubles(e.vectors().narrow(0, 0, 5)), Torch.toDoubles(ref.vectors().narrow(0, 0, 5)), 5, d);
                        assertTrue(c >= 0.9999, "d " + d + " " + type + " k " + k + ": top-5 |cos| " + c);
                        assertEquals(ref.pivotRatio(), e.pivotRatio(), (f64 ? 1e-8 : 1e-3) * ref.pivotRatio());
                    }
                    Linalg.Eigen top = cu.eighTop(Ag, 5), all = cu.eigh(Ag), refA = TorchLinalg.INSTANCE.eigh(A);
                    assertEquals(Torch.toDoubles(refA.values())[0], Torch.toDoubles(top.values())[0], (f64 ? 1e-10 : 1e-4) * Torch.toDoubles(refA.values())[0]);
                    assertTrue(minAbsCos(Torch.toDoubles(top.vectors()), Torch.toDoubles(refA.vectors().narrow(0, 0, 5)), 5, d) >= 0.9999);
                    assertTrue(minAbsCos(Torch.toDoubles(all.vectors().narrow(0, 0, 5)), Torch.toDoubles(refA.vectors().narrow(0, 0, 5)), 5, d) >= 0.9999);
                    Tensor L = cu.cholesky(Bg);
                    double lerr = TestSupport.maxAbsDiff(Torch.toDoubles(L.mm(L.t())), b);
                    assertTrue(lerr <= (f64 ? 1e-12 : 1e-4) * TestSupport.maxAbs(b), "L L^T = B: " + lerr);
                    Tensor X = Torch.of(gram(d, 1, 9, 0), d, d).narrow(0, 0, d / 2).to(gpu.torch(), type);  // [d/2, d]
                    double[] gx = Torch.toDoubles(cu.rowGram(X)), gref = Torch.toDoubles(X.mm(X.t()));
                    assertTrue(TestSupport.maxAbsDiff(gx, gref) <= (f64 ? 1e-12 : 1e-4) * TestSupport.maxAbs(gref), "syrk row Gram");
                    Linalg.Svd s = cu.svd(X);
                    Tensor back = s.u().mul(s.s().unsqueeze(0)).mm(s.vh());
                    assertTrue(TestSupport.maxAbsDiff(Torch.toDoubles(back), Torch.toDoubles(X)) <= (f64 ? 1e-10 : 1e-3) * TestSupport.maxAbs(Torch.toDoubles(X)), "u s vh = X");
                }
            }
        }
    }

    @Test
    void notPositiveDefiniteIsReported() {
        CusolverLinalg cu = new CusolverLinalg(LapackLinalg.INSTANCE);
        try (PointerScope scope = new PointerScope()) {
            int d = 32;
            Tensor A = Torch.of(gram(d, 64, 3, 0), d, d).to(gpu.torch(), torch.ScalarType.Double);
            Tensor B = Torch.of(gram(d, 8, 4, 0), d, d).to(gpu.torch(), torch.ScalarType.Double)
                    .sub(torch.eye(d, gpu.options(torch.ScalarType.Double)));   // indefinite
            assertThrows(NotPositiveDefiniteException.class, () -> cu.generalizedEigh(A, B));
            assertThrows(NotPositiveDefiniteException.class, () -> cu.cholesky(B));
        }
    }

    @Test
    void demoGramsAndDirectionsMatchTheCpu() {
        Generator cpu = TestSupport.demo64();
        Generator cuda = Generator.demo().to(gpu);   // its own copy: the shared fixture stays on the CPU
        View view = new View(64, View.Reduce.SUM, cpu.channels(), cpu.height(), cpu.width());
        List<Region> regions = List.of(Regions.parse("eyes", 64, cpu), Regions.parse("mouth", 64, cpu));
        double[] x = Latents.fromSeed(cpu, LatentSpace.W, 4, 1, 1.0, 8).row(0);
        JacobianEngine.Options o = new JacobianEngine.Options();
        o.chunk = 16;
        try (PointerScope scope = new PointerScope()) {
            List<GramPair> gc = JacobianEngine.compute(cpu, x, LatentSpace.W, view, regions, o).grams();
            o.deviceGrams = true;
            List<GramPair> gg = JacobianEngine.compute(cuda, x, LatentSpace.W, view, regions, o).grams();
            assertTrue(gg.get(0).deviceA().is_cuda());
            for (int i = 0; i < regions.size(); i++) {
                GramPair gh = gg.get(i).toHost();
                double[] a = gc.get(i).a(), ag = gh.a(), b = gc.get(i).b(), bg = gh.b();
                assertTrue(TestSupport.maxAbsDiff(a, ag) <= 1e-9 * TestSupport.maxAbs(a), "A of " + regions.get(i).name());
                assertTrue(TestSupport.maxAbsDiff(b, bg) <= 1e-9 * TestSupport.maxAbs(b), "B of " + regions.get(i).name());
                ReSeFa.Options so = new ReSeFa.Options();
                so.regularization = ReSeFa.Regularization.PAPER;
                Directions dc = ReSeFa.solve(gc.get(i), so);
                so.device = gpu;
                so.linalg = Linalg.forDevice(gpu, so.linalg);
                Directions dg = ReSeFa.solve(gg.get(i), so);
                assertEquals("cusolver", dg.info().get("linalg"));
                double c = minAbsCos(dc.vectors(), dg.vectors(), 5, dc.dim());
                assertTrue(c >= 0.9999, regions.get(i).name() + ": top-5 |cos| " + c);
            }
        }
    }
}
