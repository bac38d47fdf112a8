package ganfactor.io;

import ganfactor.InputException;

import java.nio.file.Path;

/** Reading and writing InterFaceGAN's files: codes [N, d] / [N, L, d] and boundaries [1, d]. */
public final class BoundaryFiles {
    private BoundaryFiles() {}

    /** Codes as [N, D] row-major: [N, d] as they are, [N, L, d] flattened layer-major (a W+ boundary then has L d values). */
    public record Codes(double[] data, int count, int dim, long[] shape) {}

    public static Codes readCodes(Path file) {
        ganfactor.io.InputFiles.requireReadable(file);
        NpyArray a = Npy.read(file);
        long[] s = a.shape();
        if (s.length != 2 && s.length != 3)
            throw new InputException(file + ": expected latent codes of shape [N, d] (z.npy, w.npy) or [N, L, d] (wp.npy), got " + a.shapeString());
        long dim = s.length == 2 ? s[1] : s[1] * s[2];
        if (s[0] < 1 || dim < 1) throw new InputException(file + ": holds no codes (" + a.shapeString() + ")");
        return new Codes(a.data(), (int) s[0], (int) dim, s);
    }

    /** A boundary (or any one direction): [1, d] as the reference writes it, or [d]; real (float, or integers held exactly), finite, nonzero. */
    public static double[] readBoundary(Path file) {
        NpyArray a = Npy.read(file).requireExactReal(file, "a boundary's values");
        long[] s = a.shape();
        if (!(s.length == 2 && s[0] == 1) && s.length != 1)
            throw new InputException(file + ": expected a boundary of shape [1, d], got " + a.shapeString());
        if (a.data().length == 0) throw new InputException(file + ": the boundary is empty");
        for (double v : a.data()) if (!Double.isFinite(v)) throw new InputException(file + ": the boundary contains NaN or infinity");
        double n = 0;
        for (double v : a.data()) n += v * v;
        if (n == 0) throw new InputException(file + ": the boundary is the zero vector");
        return a.data();
    }

    /** Writes a [1, d] float64 boundary atomically (a temporary file beside it, then a rename). */
    public static void writeBoundary(Path file, double[] n, boolean force, Inputs inputs) {
        ganfactor.io.AtomicFile.write(file, force, inputs, tmp -> Npy.writeFloat64(tmp, n, 1, n.length));
    }
}
