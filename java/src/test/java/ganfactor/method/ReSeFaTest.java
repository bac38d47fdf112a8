package ganfactor.method;

import ganfactor.Engine;
import ganfactor.InputException;
import ganfactor.jacobian.GramPair;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * ReSeFa's solves on synthetic Jacobians with a known split into region and background rows.
 * Tolerances: the problems below have condition numbers around 1e3-1e5, so float64 residuals of
 * a backward-stable solver are ~1e-13 relative; 1e-9 leaves four orders of margin.
 */
class ReSeFaTest {

    @BeforeAll
    static void init() {
        Engine.init(0);
    }

    /** Rows of a random Jacobian with decaying column scales (a realistic Gram spectrum). */
    static double[] jacobian(int rows, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] j = new double[rows * d];
        for (int i = 0; i < rows; i++)
            for (int c = 0; c < d; c++) j[i * d + c] = gauss(r) * Math.pow(0.995, c);
        return j;
    }

    static double gauss(SplittableRandom r) {
        double u = r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    static double[] gram(double[] j, int rows, int d) {
        double[] g = new double[d * d];
        for (int i = 0; i < rows; i++)
            for (int a = 0; a < d; a++) {
                double x = j[i * d + a];
                if (x == 0) continue;
                for (int b = 0; b < d; b++) g[a * d + b] += x * j[i * d + b];
            }
        for (int i = 0; i < g.length; i++) g[i] /= rows;
        return g;
    }

    static double quad(double[] m, double[] x, int d) {
        double s = 0;
        for (int i = 0; i < d; i++) {
            double t = 0;
            for (int j = 0; j < d; j++) t += m[i * d + j] * x[j];
            s += x[i] * t;
        }
        return s;
    }

    static double bilinear(double[] m, double[] x, double[] y, int d) {
        double s = 0;
        for (int i = 0; i < d; i++) {
            double t = 0;
            for (int j = 0; j < d; j++) t += m[i * d + j] * y[j];
            s += x[i] * t;
        }
        return s;
    }

    @Test
    void standardPathSatisfiesTheGeneralizedEigenproblemAndIsBOrthogonal() {
        int d = 64;
        double[] a = gram(jacobian(100, d, 1), 100, d), b = gram(jacobian(400, d, 2), 400, d); // both full rank
        Directions dir = ReSeFa.solve(a, b, d, new ReSeFa.Options());
        assertEquals(d, dir.count());
        for (int i = 0; i < d; i++) {
            double[] n = dir.row(i);
            double lam = dir.values()[i];
            assertEquals(1.0, Math.sqrt(Directions.dot(n, n)), 1e-12);
            if (i > 0) assertTrue(dir.values()[i - 1] >= lam, "descending eigenvalues");
            // residual ||A n - lambda B n|| relative to ||A n|| + |lambda| ||B n||
            double res = 0, ref = 0;
            for (int r = 0; r < d; r++) {
                double an = 0, bn = 0;
                for (int c = 0; c < d; c++) { an += a[r * d + c] * n[c]; bn += b[r * d + c] * n[c]; }
                res += (an - lam * bn) * (an - lam * bn);
                ref += an * an + lam * lam * bn * bn;
            }
            assertTrue(Math.sqrt(res / ref) < 1e-9, "residual of direction " + i + ": " + Math.sqrt(res / ref));
            // the eigenvalue is the Rayleigh quotient
            assertEquals(lam, quad(a, n, d) / quad(b, n, d), 1e-9 * lam);
            for (int j = 0; j < i; j++) {
                double[] m = dir.row(j);
                double c = bilinear(b, n, m, d) / Math.sqrt(quad(b, n, d) * quad(b, m, d));
                assertTrue(Math.abs(c) < 1e-9, "B-orthogonality of " + i + "," + j + ": " + c);
            }
            // sign convention: largest-magnitude entry positive
            int arg = 0;
            for (int c = 1; c < d; c++) if (Math.abs(n[c]) > Math.abs(n[arg])) arg = c;
            assertTrue(n[arg] > 0);
        }
    }

    @Test
    void agreesWithTheReferenceEigOfInverseBTimesA() {
        int d = 48;
        double[] a = gram(jacobian(30, d, 3), 30, d), b = gram(jacobian(300, d, 4), 300, d);
        Directions dir = ReSeFa.solve(a, b, d, new ReSeFa.Options());
        // The reference's method: real eigenvectors of the non-symmetric inv(B) A, sorted by eigenvalue.
        try (PointerScope s = new PointerScope()) {
            Tensor m = torch.linalg_solve(Torch.of(b, d, d), Torch.of(a, d, d));
            T_TensorTensor_T eig = torch.linalg_eig(m);
            double[] w = Torch.toDoubles(torch.real(new Tensor(eig.get0())));
            double[] v = Torch.toDoubles(torch.real(new Tensor(eig.get1())));   // columns
            Integer[] order = new Integer[d];
            for (int i = 0; i < d; i++) order[i] = i;
            java.util.Arrays.sort(order, (x, y) -> Double.compare(w[y], w[x]));
            for (int i = 0; i < 5; i++) {
                double[] col = new double[d];
                for (int r = 0; r < d; r++) col[r] = v[r * d + order[i]];
                assertTrue(Directions.absCos(col, dir.row(i)) >= 0.9999, "direction " + i + " |cos| " + Directions.absCos(col, dir.row(i)));
                assertEquals(w[order[i]], dir.values()[i], 1e-8 * Math.abs(w[order[i]]));
            }
        }
    }

    @Test
    void fastPathEqualsTheStandardPathWhereBothApply() {
        // d = 600, 40 region rows, 150 background rows: B has rank 150, so both paths need the
        // regularised B + e I; the rank-160 randomized truncation then captures B exactly.
        int d = 600, m = 40, nb = 150;
        double[] jr = jacobian(m, d, 5), jb = jacobian(nb, d, 6);
        double[] a = gram(jr, m, d), b = gram(jb, nb, d);
        ReSeFa.Options o = new ReSeFa.Options();
        o.regularization = ReSeFa.Regularization.PAPER;
        o.k = 5;
        Directions std = ReSeFa.solve(a, b, d, o);
        o.fastRank = 160;
        Directions fast;
        try (PointerScope s = new PointerScope()) {
            Tensor fa = Torch.of(jr, m, d).div(new org.bytedeco.pytorch.Scalar(Math.sqrt(m)));
            fast = ReSeFa.solveFast(fa, Torch.of(b, d, d), o);
        }
        assertEquals("fast", fast.info().get("path"));
        for (int i = 0; i < 5; i++) {
            double c = Directions.absCos(std.row(i), fast.row(i));
            assertTrue(c >= 0.9999, "direction " + i + " |cos| " + c);
            assertEquals(std.values()[i], fast.values()[i], 1e-6 * std.values()[i]);
        }
    }

    /** Rows Z diag(s) R of rank p with s_i = 2^-i: a fast-decaying spectrum like a Jacobian's. */
    static double[] lowRankRows(int n, int p, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] z = new double[n * p], q = new double[p * d], out = new double[n * d];
        for (int i = 0; i < z.length; i++) z[i] = gauss(r) * Math.pow(0.5, i % p);
        for (int i = 0; i < q.length; i++) q[i] = gauss(r);
        for (int i = 0; i < n; i++)
            for (int t = 0; t < p; t++) {
                double a = z[i * p + t];
                for (int c = 0; c < d; c++) out[i * d + c] += a * q[t * d + c];
            }
        return out;
    }

    @Test
    void fastPathWithALargeRegionUsesTheCertifiedSubspaceIterationAndStillAgrees() {
        // m = 700 region rows (> 512): the few wanted eigenpairs of the 700 x 700 problem come from
        // certified subspace iteration; the answer must not change.
        int d = 1000, m = 700, nb = 200;
        double[] jr = lowRankRows(m, 40, d, 15), jb = jacobian(nb, d, 16);
        double[] a = gram(jr, m, d), b = gram(jb, nb, d);
        ReSeFa.Options o = new ReSeFa.Options();
        o.regularization = ReSeFa.Regularization.PAPER;
        o.k = 5;
        Directions std = ReSeFa.solve(a, b, d, o);
        o.fastRank = 210;
        Directions fast;
        try (PointerScope s = new PointerScope()) {
            fast = ReSeFa.solveFast(Torch.of(jr, m, d).div(new org.bytedeco.pytorch.Scalar(Math.sqrt(m))), Torch.of(b, d, d), o);
        }
        assertEquals("certified subspace iteration", fast.info().get("small_eigensolve"));
        for (int i = 0; i < 5; i++) {
            double c = Directions.absCos(std.row(i), fast.row(i));
            assertTrue(c >= 0.9999, "direction " + i + " |cos| " + c);
            assertEquals(std.values()[i], fast.values()[i], 1e-6 * std.values()[i]);
        }
    }

    @Test
    void singularBackgroundFallsBackToThePaperFormWithAWarning() {
        int d = 40;
        double[] a = gram(jacobian(20, d, 7), 20, d), b = gram(jacobian(25, d, 8), 25, d); // rank 25 < 40
        Directions fell = ReSeFa.solve(a, b, d, new ReSeFa.Options());
        assertEquals(true, fell.info().get("fallback"));
        assertFalse(fell.warnings().isEmpty());
        ReSeFa.Options paper = new ReSeFa.Options();
        paper.regularization = ReSeFa.Regularization.PAPER;
        Directions p = ReSeFa.solve(a, b, d, paper);
        for (int i = 0; i < 5; i++) assertTrue(Directions.absCos(fell.row(i), p.row(i)) > 1 - 1e-12);
    }

    @Test
    void theTwoRegularisationsAreDifferentShiftsAndRecorded() {
        int d = 32;
        double[] a = gram(jacobian(20, d, 9), 20, d), b = gram(jacobian(200, d, 10), 200, d);
        double tr = 0;
        for (int i = 0; i < d; i++) tr += b[i * d + i];
        ReSeFa.Options o = new ReSeFa.Options();
        o.regularization = ReSeFa.Regularization.PAPER;
        Map<?, ?> paper = (Map<?, ?>) ReSeFa.solve(a, b, d, o).info().get("regularization");
        o.regularization = ReSeFa.Regularization.REFERENCE;
        Map<?, ?> ref = (Map<?, ?>) ReSeFa.solve(a, b, d, o).info().get("regularization");
        assertEquals(1e-3 * tr / d, (Double) paper.get("shift"), 1e-15 * tr);
        assertEquals(1e-3 * tr, (Double) ref.get("shift"), 1e-15 * tr);
        assertEquals("paper", paper.get("form"));
        assertEquals("reference", ref.get("form"));
    }

    @Test
    void aggregationIsTheMeanOfTheGrams() {
        int d = 16;
        double[] a1 = gram(jacobian(10, d, 11), 10, d), b1 = gram(jacobian(100, d, 12), 100, d);
        double[] a2 = gram(jacobian(10, d, 13), 10, d), b2 = gram(jacobian(100, d, 14), 100, d);
        GramPair.Host g = ReSeFa.aggregate(java.util.List.of(GramPair.of("r", d, 10, 100, a1, b1), GramPair.of("r", d, 10, 100, a2, b2))).toHost();
        for (int i = 0; i < d * d; i++) {
            assertEquals((a1[i] + a2[i]) / 2, g.a()[i], 1e-15);
            assertEquals((b1[i] + b2[i]) / 2, g.b()[i], 1e-15);
        }
    }

    @Test
    void badGramsAreInputErrors() {
        int d = 4;
        double[] ok = new double[d * d];
        for (int i = 0; i < d; i++) ok[i * d + i] = 1;
        double[] nan = ok.clone();
        nan[5] = Double.NaN;
        assertThrows(InputException.class, () -> ReSeFa.solve(nan, ok, d, new ReSeFa.Options()));
        assertThrows(InputException.class, () -> ReSeFa.solve(ok, new double[d * d], d, new ReSeFa.Options()));
        double[] asym = ok.clone();
        asym[1] = 0.5;
        assertThrows(InputException.class, () -> ReSeFa.solve(asym, ok, d, new ReSeFa.Options()));
        assertThrows(InputException.class, () -> ReSeFa.solve(ok, new double[9], d, new ReSeFa.Options()));
    }
}
