package ganfactor.generator;

/**
 * NumPy's legacy {@code np.random.RandomState(seed).randn(...)}: MT19937 seeded by
 * init_genrand, 53-bit doubles from two 32-bit draws, and the polar Box-Muller method with its
 * cached second value. Same seed, same numbers as the reference tools (ReSeFa's default seed 4,
 * InterFaceGAN's sampling), so latent codes can be matched across tools.
 */
public final class NumpyRandom {
    private final int[] mt = new int[624];
    private int pos;
    private boolean hasGauss;
    private double gauss;

    public NumpyRandom(long seed) {
        if (seed < 0 || seed > 0xffffffffL) throw new IllegalArgumentException("seed must be between 0 and 2**32 - 1, got " + seed);
        mt[0] = (int) seed;
        for (int i = 1; i < 624; i++) mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        pos = 624;
    }

    private void twist() {
        for (int i = 0; i < 624; i++) {
            int y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7fffffff);
            int v = mt[(i + 397) % 624] ^ (y >>> 1);
            if ((y & 1) != 0) v ^= 0x9908b0df;
            mt[i] = v;
        }
        pos = 0;
    }

    /** The next 32-bit output, as an unsigned value in a long. */
    public long nextUInt32() {
        if (pos >= 624) twist();
        int y = mt[pos++];
        y ^= (y >>> 11);
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= (y >>> 18);
        return y & 0xffffffffL;
    }

    /** random_sample(): a double in [0, 1) with 53 random bits. */
    public double nextDouble() {
        long a = nextUInt32() >>> 5, b = nextUInt32() >>> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /** standard_normal() of the legacy generator. */
    public double nextGaussian() {
        if (hasGauss) {
            hasGauss = false;
            return gauss;
        }
        double x1, x2, r2;
        do {
            x1 = 2.0 * nextDouble() - 1.0;
            x2 = 2.0 * nextDouble() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1.0 || r2 == 0.0);
        double f = Math.sqrt(-2.0 * Math.log(r2) / r2);
        gauss = f * x1;
        hasGauss = true;
        return f * x2;
    }

    /** {@code RandomState(seed).randn(n)} flattened (C order for any shape with n elements). */
    public static double[] randn(long seed, int n) {
        NumpyRandom r = new NumpyRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
        return v;
    }
}
