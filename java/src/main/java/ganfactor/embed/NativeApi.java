package ganfactor.embed;

import ganfactor.Engine;
import ganfactor.InputException;
import ganfactor.edit.Editor;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.jacobian.GramPair;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.method.Directions;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import org.bytedeco.javacpp.PointerScope;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Java side of the C API ({@code native/include/ganfactor.h}): static methods that take and
 * return only primitives, strings, primitive arrays and direct {@link ByteBuffer}s, and never
 * throw. Every method returns a status code ({@link #OK} or one of the {@code ERR_*} codes, the
 * same numbers as {@code gf_status}); on failure the message is kept per thread and read with
 * {@link #lastError()}.
 *
 * <p>Caller memory arrives as direct buffers the C side wraps around the caller's pointers
 * ({@code NewDirectByteBuffer}): inputs are read from and outputs written into the caller's
 * memory without a JNI array copy. A buffer's capacity is the caller's length in bytes, so every
 * size is checked here against what the generator needs ({@link #ERR_SIZE} otherwise).
 *
 * <p>Generators and directions live in handle tables keyed by a positive {@code long}; the C
 * side holds only the number. A handle may be used from any thread; one generator should not run
 * two calls at the same time (the C header's threading rules).
 */
public final class NativeApi {
    public static final int OK = 0;
    public static final int ERR_NULL = 1;
    public static final int ERR_ARGUMENT = 2;
    public static final int ERR_SIZE = 3;
    public static final int ERR_INPUT = 4;
    public static final int ERR_HANDLE = 5;
    public static final int ERR_ENGINE = 6;

    public static final int METHOD_RESEFA = 0;
    public static final int METHOD_LOWRANKGAN = 1;

    private static final ThreadLocal<String> ERROR = ThreadLocal.withInitial(() -> "");
    private static final Map<Long, Generator> GENERATORS = new ConcurrentHashMap<>();
    private static final Map<Long, Directions> DIRECTIONS = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT = new AtomicLong(1);

    /** A status with its message, thrown inside this class only. */
    private static final class Failure extends RuntimeException {
        final int code;

        Failure(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    private interface Call {
        void run();
    }

    private NativeApi() {}

    /** The message of this thread's last failed call ("" when none failed). */
    public static String lastError() {
        return ERROR.get();
    }

    /** Runs one call inside a PointerScope (its native temporaries freed on return). */
    private static int guard(Call c) {
        try (PointerScope scope = new PointerScope()) {
            c.run();
            return OK;
        } catch (Failure f) {
            return fail(f.code, f.getMessage());
        } catch (InputException e) {
            return fail(ERR_INPUT, e.worded(NativeApi::argument));
        } catch (IllegalArgumentException e) {
            return fail(ERR_ARGUMENT, e.getMessage());
        } catch (Throwable t) {
            return fail(ERR_ENGINE, ganfactor.Messages.oneLine(t, NativeApi::argument));
        }
    }

    private static int fail(int code, String message) {
        ERROR.set(message == null || message.isEmpty() ? "error " + code : message);
        return code;
    }

    // ---- generators --------------------------------------------------------------------------

    /**
     * Opens {@code demo} or a TorchScript generator file. {@code handle[0]} receives the handle,
     * {@code shape} (length 5) latent_dim, num_layers, channels, height, width.
     */
    public static int open(String model, long[] handle, int[] shape) {
        return guard(() -> {
            if (model == null) throw new Failure(ERR_NULL, "model is null");
            need(handle, 1, "handle");
            need(shape, 5, "shape");
            Engine.init(0);
            Generator g = Generator.open(model);
            for (String w : g.warnings()) System.err.println("ganfactor: warning: " + g.source() + ": " + w);   // the C host's stderr, as before
            // The module outlives this call's scope (which frees every temporary of the load and
            // the probe pass); gf_close releases it, see close().
            g.module().retainReference();
            long id = NEXT.getAndIncrement();
            GENERATORS.put(id, g);
            handle[0] = id;
            shape[0] = g.latentDim();
            shape[1] = g.numLayers();
            shape[2] = g.channels();
            shape[3] = g.height();
            shape[4] = g.width();
        });
    }

    public static int close(long handle) {
        return guard(() -> {
            Generator g = GENERATORS.remove(handle);
            if (g == null) throw new Failure(ERR_HANDLE, "no open generator with handle " + handle);
            g.close();   // the module's weights freed now, not whenever the collector runs
        });
    }

    /** Coordinates of one code in {@code space} (0 z, 1 w, 2 wp) into {@code dim[0]}. */
    public static int dim(long handle, int space, int[] dim) {
        return guard(() -> {
            Generator g = generator(handle);
            need(dim, 1, "dim");
            dim[0] = space(space).dim(g.latentDim(), g.numLayers());
        });
    }

    /** The code NumPy's RandomState(seed).randn draws (mapped to W, broadcast to W+) into {@code out}. */
    public static int latentFromSeed(long handle, int space, long seed, ByteBuffer out) {
        return guard(() -> {
            Generator g = generator(handle);
            LatentSpace s = space(space);
            int d = s.dim(g.latentDim(), g.numLayers());
            DoubleBuffer o = doubles(out, d, "latent code output");
            o.put(Latents.fromSeed(g, s, seed, 1, 1.0, g.numLayers()).codes());
        });
    }

    /**
     * The region's Gram pair at one latent code: A into {@code a}, B into {@code b} (d x d,
     * row-major), |R| and |R'| into {@code counts}. {@code reduce}: 0 sum, 1 mean, 2 none.
     */
    public static int grams(long handle, int space, ByteBuffer code, String region, int grid, int reduce, ByteBuffer a, ByteBuffer b, long[] counts) {
        return guard(() -> {
            Generator g = generator(handle);
            LatentSpace s = space(space);
            if (region == null) throw new Failure(ERR_NULL, "region is null");
            View.Reduce red = View.Reduce.fromCode(reduce);
            if (red == null) throw new Failure(ERR_ARGUMENT, "unknown channel reduction " + reduce + " (0 sum, 1 mean, 2 none)");
            int d = s.dim(g.latentDim(), g.numLayers());
            double[] x = latentCode(code, d);
            DoubleBuffer oa = doubles(a, (long) d * d, "A (Gram output)");
            DoubleBuffer ob = doubles(b, (long) d * d, "B (Gram output)");
            View view = new View(grid, red, g.channels(), g.height(), g.width());
            Region r = Regions.parse(region, grid, g);
            GramPair.Host gp = JacobianEngine.compute(g, x, s, view, List.of(r), new JacobianEngine.Options()).grams().get(0).toHost();   // host Grams: no copy
            double[] ga = gp.a(), gb = gp.b();
            if (!allFinite(ga) || !allFinite(gb))
                throw new Failure(ERR_ENGINE, "the Grams of region " + region + " are not finite: the generator overflowed at this code (float32 range)");
            oa.put(ga);
            ob.put(gb);
            if (counts != null && counts.length >= 2) {
                counts[0] = gp.inside();
                counts[1] = gp.outside();
            }
        });
    }

    // ---- solves ------------------------------------------------------------------------------

    /**
     * Directions of the Gram pair (a, b), d x d each. {@code method}: {@link #METHOD_RESEFA} or
     * {@link #METHOD_LOWRANKGAN}; {@code k} directions kept (0 = all); {@code regularization}
     * (ReSeFa only): none, paper or reference, with {@code eps} and {@code tau}; {@code rpcaLambda}
     * (LowRankGAN only): the RPCA sparsity weight, 0 for the reference's 1/60.
     * {@code handle[0]} receives the directions' handle, {@code shape} (length 2) count and dim.
     */
    public static int solve(int method, ByteBuffer a, ByteBuffer b, int d, int k, String regularization, double eps, double tau,
                            double rpcaLambda, long[] handle, int[] shape) {
        return guard(() -> {
            need(handle, 1, "handle");
            need(shape, 2, "shape");
            if (d <= 0) throw new Failure(ERR_SIZE, "dimension must be positive, got " + d);
            double[] ga = read(a, (long) d * d, "A");
            double[] gb = read(b, (long) d * d, "B");
            if (!allFinite(ga)) throw new Failure(ERR_INPUT, "A holds NaN or infinity");
            if (!allFinite(gb)) throw new Failure(ERR_INPUT, "B holds NaN or infinity");
            ganfactor.pipeline.Solver solver = request(method, k, regularization, eps, tau, rpcaLambda).solver(null);
            Directions dirs = solver.solve(ganfactor.pipeline.Solver.Problem.of(GramPair.of("C API", d, 0, 0, ga, gb)));
            long id = NEXT.getAndIncrement();
            DIRECTIONS.put(id, dirs);
            handle[0] = id;
            shape[0] = dirs.count();
            shape[1] = dirs.dim();
        });
    }

    /** The C arguments' names of the registry's settings (the others are the same). */
    private static final Map<String, String> C_NAMES = Map.of("regularize", "regularization", "rpca-lambda", "rpcaLambda", "method", "method");

    /** How the C API names a setting in a library message: its C argument (else the setting's registry name). */
    public static String argument(String setting) {
        return C_NAMES.getOrDefault(setting, setting);
    }

    /**
     * The registry request of gf_solve's arguments: {@code k}, and for ReSeFa {@code
     * regularization} (null: the default), {@code eps} and {@code tau}; for LowRankGAN {@code
     * rpcaLambda} (0: the default, chosen from d). A refused value is ERR_ARGUMENT naming the C
     * argument.
     */
    public static ganfactor.pipeline.MethodRequest request(int method, int k, String regularization, double eps, double tau, double rpcaLambda) {
        try {
            ganfactor.pipeline.MethodRequest r;
            if (method == METHOD_RESEFA) {
                r = ganfactor.pipeline.MethodRequest.of(ganfactor.pipeline.Methods.RESEFA);
                if (regularization != null) r = r.with("regularize", regularization);
                r = r.with("eps", Double.toString(eps)).with("tau", Double.toString(tau));
            } else if (method == METHOD_LOWRANKGAN) {
                r = ganfactor.pipeline.MethodRequest.of(ganfactor.pipeline.Methods.LOWRANKGAN);
                if (rpcaLambda != 0) r = r.with("rpca-lambda", Double.toString(rpcaLambda));
            } else {
                throw new Failure(ERR_ARGUMENT, "unknown method " + method + " (0 resefa, 1 lowrankgan)");
            }
            return r.with("k", Integer.toString(k));
        } catch (ganfactor.SettingException e) {
            // a word the engine does not know (a regularisation) stays GF_ERR_INPUT, as gf_test has always checked; a number out of range is GF_ERR_INVALID_ARG
            int code = ganfactor.pipeline.Methods.REGULARIZE.name().equals(e.setting()) ? ERR_INPUT : ERR_ARGUMENT;
            throw new Failure(code, e.worded(NativeApi::argument));
        }
    }

    /** Copies the unit directions [count, dim] (row-major) and, when {@code values} is not null, the [count] values. */
    public static int directionsCopy(long handle, ByteBuffer vectors, ByteBuffer values) {
        return guard(() -> {
            Directions dirs = DIRECTIONS.get(handle);
            if (dirs == null) throw new Failure(ERR_HANDLE, "no directions with handle " + handle);
            DoubleBuffer v = doubles(vectors, (long) dirs.count() * dirs.dim(), "directions output");
            DoubleBuffer w = values == null ? null : doubles(values, dirs.count(), "values output");
            v.put(dirs.vectors());
            if (w != null) w.put(dirs.values());
        });
    }

    public static int directionsFree(long handle) {
        return guard(() -> {
            if (DIRECTIONS.remove(handle) == null) throw new Failure(ERR_HANDLE, "no directions with handle " + handle);
        });
    }

    /**
     * The solve's warnings (for example ReSeFa's fallback to the paper's regularisation when B was
     * singular), one per line, into {@code text[0]}; "" when there were none.
     */
    public static int directionsWarnings(long handle, String[] text) {
        return guard(() -> {
            Directions dirs = DIRECTIONS.get(handle);
            if (dirs == null) throw new Failure(ERR_HANDLE, "no directions with handle " + handle);
            need(text, 1, "text");
            text[0] = String.join("\n", dirs.warnings());
        });
    }

    // ---- edits -------------------------------------------------------------------------------

    /**
     * Moves one code of {@code space} along {@code direction} (length d or L d) by {@code strength}
     * on the given layers (null = all) and, for each non-null output, writes the edited W+ code
     * [L, d] into {@code outCode} and the rendered image [C, H, W] (float32 in [-1, 1]) into {@code outImage}.
     */
    public static int edit(long handle, int space, ByteBuffer code, ByteBuffer direction, double strength, int[] layers,
                           ByteBuffer outCode, ByteBuffer outImage) {
        return guard(() -> {
            Generator g = generator(handle);
            LatentSpace s = space(space);
            int d = s.dim(g.latentDim(), g.numLayers());
            double[] x = latentCode(code, d);
            if (direction == null) throw new Failure(ERR_NULL, "direction is null");
            long dn = direction.capacity() / 8;
            if (direction.capacity() % 8 != 0 || (dn != g.latentDim() && dn != (long) g.latentDim() * g.numLayers()))
                throw new Failure(ERR_SIZE, "direction has " + fmt(direction.capacity() / 8.0) + " values; this generator needs " + g.latentDim()
                        + " (a W or Z direction) or " + g.latentDim() * g.numLayers() + " (a W+ direction)");
            double[] n = read(direction, dn, "direction");
            if (!allFinite(n)) throw new Failure(ERR_ARGUMENT, "the direction holds NaN or infinity");
            double nn = 0;
            for (double v : n) nn += v * v;
            if (nn == 0) throw new Failure(ERR_ARGUMENT, "the direction is zero");
            DoubleBuffer oc = outCode == null ? null : doubles(outCode, (long) g.numLayers() * g.latentDim(), "edited code output");
            FloatBuffer oi = outImage == null ? null : floats(outImage, (long) g.channels() * g.height() * g.width(), "image output");
            if (!Double.isFinite(strength)) throw new Failure(ERR_ARGUMENT, "strength must be finite, got " + strength);
            if (Math.abs(strength) > Editor.MAX_STRENGTH)
                throw new Failure(ERR_ARGUMENT, "strength " + strength + " is beyond +-" + fmt(Editor.MAX_STRENGTH) + ": latent codes that far out mean nothing to a generator");
            Editor.Settings settings = Editor.Settings.defaults();
            if (layers != null && layers.length > 0) settings = settings.withLayers(layers);
            Editor ed = new Editor(g, new Latents(x, 1, d, s, "C API"), settings);
            Editor.Result r = ed.edit(n, new double[]{strength});
            if (oc != null) oc.put(r.editedCodes());
            if (oi != null) oi.put(r.images());
        });
    }

    // ---- helpers -----------------------------------------------------------------------------

    /** One latent code of {@code d} coordinates: finite and within {@link Latents#MAX_ABS} (as the CLI requires of .npy codes). */
    private static double[] latentCode(ByteBuffer code, int d) {
        double[] x = read(code, d, "latent code");
        double max = 0;
        for (double v : x) {
            if (!Double.isFinite(v)) throw new Failure(ERR_ARGUMENT, "the latent code holds NaN or infinity");
            max = Math.max(max, Math.abs(v));
        }
        if (max > Latents.MAX_ABS)
            throw new Failure(ERR_ARGUMENT, String.format(java.util.Locale.ROOT,
                    "a latent coordinate reaches %.3g; codes of a GAN lie within a few hundred of the origin (limit %.0g)", max, Latents.MAX_ABS));
        return x;
    }

    private static boolean allFinite(double[] v) {
        for (double x : v) if (!Double.isFinite(x)) return false;
        return true;
    }

    private static Generator generator(long handle) {
        Generator g = GENERATORS.get(handle);
        if (g == null) throw new Failure(ERR_HANDLE, "no open generator with handle " + handle);
        return g;
    }

    private static LatentSpace space(int code) {
        LatentSpace s = LatentSpace.fromCode(code);
        if (s == null) throw new Failure(ERR_ARGUMENT, "unknown latent space " + code + " (0 z, 1 w, 2 wp)");
        return s;
    }

    private static void need(Object array, int length, String what) {
        int n = array == null ? -1 : java.lang.reflect.Array.getLength(array);
        if (n < length) throw new Failure(array == null ? ERR_NULL : ERR_SIZE, what + ": an array of at least " + length + " is needed");
    }

    private static DoubleBuffer doubles(ByteBuffer buf, long count, String what) {
        check(buf, count, 8, what);
        return buf.duplicate().order(ByteOrder.nativeOrder()).asDoubleBuffer();
    }

    private static FloatBuffer floats(ByteBuffer buf, long count, String what) {
        check(buf, count, 4, what);
        return buf.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static double[] read(ByteBuffer buf, long count, String what) {
        DoubleBuffer b = doubles(buf, count, what);
        double[] x = new double[(int) count];
        b.get(x);
        return x;
    }

    private static void check(ByteBuffer buf, long count, int bytes, String what) {
        if (buf == null) throw new Failure(ERR_NULL, what + " is null");
        if (buf.capacity() != count * bytes)
            throw new Failure(ERR_SIZE, what + ": " + fmt(buf.capacity() / (double) bytes) + " values given, " + count + " expected");
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
