package ganfactor.io;

import java.util.Arrays;

/**
 * An n-dimensional array read from or written to a .npy file: row-major (C order) values held
 * as double (every dtype ganfactor reads widens losslessly to double except int64 beyond 2^53),
 * the shape, and the dtype descriptor it came with.
 */
public record NpyArray(double[] data, long[] shape, String dtype) {
    public NpyArray {
        long n = 1;
        for (long s : shape) n *= s;
        if (n != data.length) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, data has " + data.length);
    }

    public static NpyArray of(double[] data, long... shape) {
        return new NpyArray(data, shape, "<f8");
    }

    public static NpyArray ofFloat32(double[] data, long... shape) {
        return new NpyArray(data, shape, "<f4");
    }

    public int ndim() { return shape.length; }

    /**
     * Checks that the values are real numbers read exactly: any float dtype, and integer or bool
     * dtypes whose values all convert to double without rounding (|v| <= 2^53; only int64 and
     * uint64 can exceed it). {@code what} names the array in the message ("directions").
     */
    public NpyArray requireExactReal(Object file, String what) {
        char kind = dtype.length() < 2 ? '?' : dtype.charAt(1);
        if (kind == 'f') return this;
        if (kind == 'i' || kind == 'u' || kind == 'b') {
            for (double v : data)
                if (Math.abs(v) > 9007199254740992.0)
                    throw new ganfactor.InputException(file + ": " + what + " of dtype '" + dtype + "' hold " + (long) v
                            + ", which a float64 cannot hold exactly; save them as float64");
            return this;
        }
        throw new ganfactor.InputException(file + ": " + what + " must be real numbers, got dtype '" + dtype + "'");
    }

    public long size() { return data.length; }

    public String shapeString() { return Arrays.toString(shape); }

    public NpyArray withDtype(String newDtype) { return new NpyArray(data, shape, newDtype); }

    public NpyArray reshape(long... newShape) { return new NpyArray(data, newShape, dtype); }
}
