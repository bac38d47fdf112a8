package ganfactor.method;

import ganfactor.InputException;
import ganfactor.TestSupport;
import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * InterFaceGAN's pure-Java parts: the conditional projection against the shipped golden
 * boundaries and an independent normal-equation solve, the reference's selection, the libsvm
 * boundary on planted linear data, and the errors for bad input.
 */
class InterFaceGanTest {

    /**
     * Every {@code MODEL_ATTR_c_C1[_C2]_boundary.npy} in fixtures/interfacegan is the projection of
     * {@code MODEL_ATTR_boundary.npy} onto the complement of {@code MODEL_Ci_boundary.npy}:
     * |cos| >= 1 - 1e-12, and the result is orthogonal to every condition to 1e-12.
     */
    @Test
    void reproducesEveryShippedConditionalBoundary() throws IOException {
        Path fx = TestSupport.fixtures();
        TestSupport.requirePresent(fx != null && Files.isDirectory(fx.resolve("interfacegan")),
                "../shared/fixtures/interfacegan beside the checkout (the shipped InterFaceGAN boundaries)");
        Path dir = fx.resolve("interfacegan");
        List<Path> conditional;
        try (Stream<Path> s = Files.list(dir)) {
            conditional = s.filter(p -> p.getFileName().toString().contains("_c_")).sorted().toList();
        }
        assertTrue(conditional.size() >= 13, "expected the 13 shipped conditional boundaries, found " + conditional.size());
        double worst = 1;
        StringBuilder report = new StringBuilder();
        for (Path file : conditional) {
            String name = file.getFileName().toString();
            String stem = name.substring(0, name.length() - "_boundary.npy".length());
            String left = stem.substring(0, stem.indexOf("_c_")), right = stem.substring(stem.indexOf("_c_") + 3);
            String model = left.substring(0, left.lastIndexOf('_'));
            double[] primal = vector(dir.resolve(left + "_boundary.npy"));
            List<double[]> cs = new ArrayList<>();
            for (String c : right.split("_")) cs.add(vector(dir.resolve(model + "_" + c + "_boundary.npy")));
            double[] expected = vector(file);
            double[] got = InterFaceGan.project(primal, cs);
            double cos = Math.abs(InterFaceGan.cosine(got, expected));
            worst = Math.min(worst, cos);
            report.append(String.format("  %s: |1 - |cos|| = %.1e%n", name, Math.abs(1 - cos)));
            assertTrue(cos >= 1 - 1e-12, name + ": |cos| = " + cos);
            assertEquals(1.0, InterFaceGan.norm(got), 1e-14, name + ": not unit norm");
            for (double[] c : cs) assertEquals(0.0, InterFaceGan.cosine(got, c), 1e-12, name + ": not orthogonal to a condition");
        }
        System.out.printf("InterFaceGAN fixtures: %d conditional boundaries, worst |1 - |cos|| = %.1e%n%s", conditional.size(), Math.abs(1 - worst), report);
    }

    private static double[] vector(Path p) {
        NpyArray a = Npy.read(p);
        assertEquals(512, a.data().length, p + " " + a.shapeString());
        return a.data();
    }

    /** k = 1 is n - (n.c) c; k = 3 matches n - C^T (C C^T)^-1 C n solved by Gaussian elimination, to 1e-12. */
    @Test
    void projectionIsTheNormalEquationFormula() {
        SplittableRandom r = new SplittableRandom(7);
        int d = 40;
        double[] n = gaussian(r, d);
        double[] c = unit(gaussian(r, d));
        double[] p1 = InterFaceGan.project(n, List.of(c));
        double nc = dot(n, c);
        double[] ref1 = new double[d];
        for (int j = 0; j < d; j++) ref1[j] = n[j] - nc * c[j];
        assertArrayEquals(unit(ref1), p1, 1e-12);

        List<double[]> cs = List.of(gaussian(r, d), gaussian(r, d), gaussian(r, d)); // not unit, not orthogonal
        double[] p3 = InterFaceGan.project(n, cs);
        int k = cs.size();
        double[][] G = new double[k][k + 1];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) G[i][j] = dot(cs.get(i), cs.get(j));
            G[i][k] = dot(cs.get(i), n);
        }
        double[] a = solve(G);
        double[] ref3 = n.clone();
        for (int i = 0; i < k; i++) for (int j = 0; j < d; j++) ref3[j] -= a[i] * cs.get(i)[j];
        assertArrayEquals(unit(ref3), p3, 1e-12);
    }

    @Test
    void singularOrDegenerateConditionsAreClearErrors() {
        SplittableRandom r = new SplittableRandom(3);
        int d = 16;
        double[] n = gaussian(r, d), c1 = gaussian(r, d), c2 = gaussian(r, d);
        double[] twice = c1.clone();
        for (int j = 0; j < d; j++) twice[j] *= -2;
        InputException e = assertThrows(InputException.class, () -> InterFaceGan.project(n, List.of(c1, twice)));
        assertTrue(e.getMessage().contains("singular") && e.getMessage().contains("parallel to condition 1"), e.getMessage());
        double[] sum = new double[d];
        for (int j = 0; j < d; j++) sum[j] = c1[j] + 0.5 * c2[j];
        e = assertThrows(InputException.class, () -> InterFaceGan.project(n, List.of(c1, c2, sum)));
        assertTrue(e.getMessage().contains("linear combination of conditions 1-2"), e.getMessage());
        e = assertThrows(InputException.class, () -> InterFaceGan.project(c1, List.of(c1)));
        assertTrue(e.getMessage().contains("lies in the span"), e.getMessage());
        e = assertThrows(InputException.class, () -> InterFaceGan.project(n, List.of(new double[d])));
        assertTrue(e.getMessage().contains("zero vector"), e.getMessage());
        e = assertThrows(InputException.class, () -> InterFaceGan.project(n, List.of(new double[d + 1])));
        assertTrue(e.getMessage().contains("values"), e.getMessage());
    }

    /** The reference's selection: top/bottom 2 % (capped at N/2), 70/30 split, middle labelled at (max + min) / 2, seeded. */
    @Test
    void selectionFollowsTheReference() {
        int N = 1000;
        double[] s = new double[N];
        for (int i = 0; i < N; i++) s[i] = (i * 7919) % N; // a permutation of 0..999
        InterFaceGan.Options o = new InterFaceGan.Options();
        InterFaceGan.Selection sel = InterFaceGan.select(s, o);
        assertEquals(20, sel.chosen());
        assertEquals(14, sel.trainPos().length);
        assertEquals(6, sel.valPos().length);
        assertEquals(14, sel.trainNeg().length);
        assertEquals(960, sel.remaining().length);
        assertEquals(499.5, sel.threshold());
        for (int i : concat(sel.trainPos(), sel.valPos())) assertTrue(s[i] >= 980, "positive " + i + " has score " + s[i]);
        for (int i : concat(sel.trainNeg(), sel.valNeg())) assertTrue(s[i] < 20, "negative " + i + " has score " + s[i]);
        for (int k = 0; k < sel.remaining().length; k++)
            assertEquals(s[sel.remaining()[k]] >= 499.5 ? 1 : 0, sel.remainingLabels()[k]);
        InterFaceGan.Selection again = InterFaceGan.select(s, o);
        assertArrayEquals(sel.trainPos(), again.trainPos());
        assertArrayEquals(sel.valNeg(), again.valNeg());
        o.seed = 1;
        assertFalse(Arrays.equals(sel.trainPos(), InterFaceGan.select(s, o).trainPos()), "another seed, another split");
        o.ratio = 0.9; // capped at N / 2
        assertEquals(500, InterFaceGan.select(s, o).chosen());
        o.ratio = 30; // a count per class
        assertEquals(30, InterFaceGan.select(s, o).chosen());
    }

    @Test
    void badScoresAreClearErrors() {
        InterFaceGan.Options o = new InterFaceGan.Options();
        double[] s = new double[40];
        InputException e = assertThrows(InputException.class, () -> InterFaceGan.select(s, o));
        assertTrue(e.getMessage().startsWith("too few samples: 40 sample(s) at ratio 0.02 give 0 per class")
                && e.getMessage().contains("at least 100 samples"), e.getMessage());
        double[] constant = new double[1000];
        e = assertThrows(InputException.class, () -> InterFaceGan.select(constant, o));
        assertTrue(e.getMessage().contains("all 1000 scores are equal"), e.getMessage());
        double[] tied = new double[1000];          // 20 per class, but the top 20 and bottom 20 share the value 0
        tied[0] = 1;
        e = assertThrows(InputException.class, () -> InterFaceGan.select(tied, o));
        assertTrue(e.getMessage().contains("scores overlap"), e.getMessage());
        double[] withNan = new double[1000];
        for (int i = 0; i < withNan.length; i++) withNan[i] = i;
        withNan[17] = Double.NaN;
        e = assertThrows(InputException.class, () -> InterFaceGan.select(withNan, o));
        assertTrue(e.getMessage().contains("score 17 is NaN"), e.getMessage());
        o.invalid = Double.NaN;
        assertEquals(999, InterFaceGan.select(withNan, o).kept());
        o.invalid = -1.0;
        double[] flagged = new double[1000];
        Arrays.fill(flagged, 0, 950, -1);
        e = assertThrows(InputException.class, () -> InterFaceGan.select(flagged, o));
        assertTrue(e.getMessage().contains("50 valid sample(s)"), e.getMessage());
        e = assertThrows(InputException.class, () -> InterFaceGan.train(new double[10 * 4], 4, new double[9], new InterFaceGan.Options()));
        assertTrue(e.getMessage().contains("10 codes of 4 values but 9 scores"), e.getMessage());
    }

    /**
     * Planted linear attribute: codes ~ N(0, I_32), score = x . n + 0.1 noise. The libsvm boundary
     * recovers n (cos >= 0.95; measured about 0.98), separates validation perfectly, and a second run with
     * the same seed is identical bit for bit.
     */
    @Test
    void recoversAPlantedLinearBoundaryDeterministically() {
        int N = 5000, d = 32;
        SplittableRandom r = new SplittableRandom(11);
        double[] n = unit(gaussian(r, d));
        double[] x = gaussian(r, N * d), s = new double[N];
        for (int i = 0; i < N; i++) s[i] = dot(Arrays.copyOfRange(x, i * d, (i + 1) * d), n) + 0.1 * r.nextGaussian();
        InterFaceGan.Options o = new InterFaceGan.Options();
        o.ratio = 0.05;
        InterFaceGan.Boundary b = InterFaceGan.train(x, d, s, o);
        double cos = InterFaceGan.cosine(b.normal(), n);
        System.out.printf("planted linear boundary (d = %d, %d + %d training samples): cos = %.4f, validation %.3f, remaining %.3f, %d SVs%n",
                d, b.selection().trainPos().length, b.selection().trainNeg().length, cos, b.validationAccuracy(), b.remainingAccuracy(), b.supportVectors());
        assertTrue(cos >= 0.95, "cos " + cos);
        assertEquals(1.0, b.validationAccuracy());
        assertTrue(b.remainingAccuracy() > 0.9, "remaining accuracy " + b.remainingAccuracy());
        assertEquals(1.0, InterFaceGan.norm(b.normal()), 1e-14);
        assertArrayEquals(b.normal(), InterFaceGan.train(x, d, s, o).normal(), 0.0);
    }

    // ---- helpers -----------------------------------------------------------------------------

    static double[] gaussian(SplittableRandom r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
        return v;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double[] unit(double[] v) {
        double n = Math.sqrt(dot(v, v));
        double[] u = new double[v.length];
        for (int i = 0; i < v.length; i++) u[i] = v[i] / n;
        return u;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Gaussian elimination with partial pivoting on an augmented k x (k + 1) system. */
    private static double[] solve(double[][] m) {
        int k = m.length;
        for (int c = 0; c < k; c++) {
            int p = c;
            for (int i = c + 1; i < k; i++) if (Math.abs(m[i][c]) > Math.abs(m[p][c])) p = i;
            double[] t = m[c]; m[c] = m[p]; m[p] = t;
            for (int i = c + 1; i < k; i++) {
                double f = m[i][c] / m[c][c];
                for (int j = c; j <= k; j++) m[i][j] -= f * m[c][j];
            }
        }
        double[] x = new double[k];
        for (int i = k - 1; i >= 0; i--) {
            double v = m[i][k];
            for (int j = i + 1; j < k; j++) v -= m[i][j] * x[j];
            x[i] = v / m[i][i];
        }
        return x;
    }
}
