package ganfactor;

/** The two array measures the Spark tests share (the core's TestSupport is in its test jar, not published). */
public final class TestSupportLite {
    private TestSupportLite() {}

    public static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    public static double maxAbsDiff(double[] a, double[] b) {
        if (a.length != b.length) throw new AssertionError("lengths " + a.length + " and " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
