package ganfactor.jacobian;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.region.Region;
import ganfactor.region.View;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

import static org.bytedeco.pytorch.global.torch.ScalarType;
import static ganfactor.InputException.ref;

/**
 * Exact region Gram matrices of a generator's Jacobian view.
 *
 * <p>The P x D Jacobian J of the view v(x) is produced in pixel blocks: a block holds the rows
 * [p0, p1) of J in float64 and is filled either column-chunk by column-chunk (forward mode,
 * double-backward) or row by row (reverse mode). From each block every region's
 * J_R^T J_R and J_R'^T J_R' are accumulated in float64; the block is then dropped. The block
 * height is chosen so that a block fits half the memory budget; when the whole J does not fit,
 * the generator is run again for each block (time traded for memory), so memory stays bounded
 * by the budget whatever D and P are. J itself is only handed out when a {@link Sink} asks.
 */
public final class JacobianEngine {

    /** Receives the Jacobian rows [p0, p0 + rows) as a [rows, D] float64 tensor, in order. */
    public interface Sink {
        void rows(long p0, Tensor block);
    }

    public static final class Options {
        public Mode mode = Mode.FORWARD;
        /** Columns (forward, double-backward) or rows (reverse) per pass; 0 = from the memory budget (reverse: 1). */
        public int chunk = 0;
        /** Bytes for activations and Jacobian blocks; {@link #AUTO_BUDGET} (0) = from the memory actually available ({@link #budget}). */
        public long memoryBudget = AUTO_BUDGET;
        public Progress progress = Progress.NONE;
        public BooleanSupplier cancelled = () -> false;
        public Sink sink;
        /**
         * Return the Grams as device tensors ({@link GramPair#onDevice}, in the caller's
         * PointerScope) instead of host arrays: no host copy at all in the engine.
         */
        public boolean deviceGrams;
        /**
         * Which regions' Jacobian rows to hand out as well (null = none): for region i when
         * {@code regionRows[i]}, {@link Result#regionRows()} holds J_R / sqrt|R| (so that A =
         * rows^T rows), on the generator's device, in the caller's PointerScope; what the ReSeFa
         * fast path needs.
         */
        public boolean[] regionRows;
        /** Also return the full Gram J^T J (for checks). */
        public boolean fullGram;
        /**
         * One-line messages (a chunk halved after running out of memory); none by default (the
         * library prints nothing: a front end passes its own sink, the command line stderr). The
         * chunk finally used is in the {@link Result} either way.
         */
        public java.util.function.Consumer<String> messages = m -> {};
        /**
         * Called with the column count before every forward/double-backward pass; a test hook to
         * simulate a device allocation failure (throw a RuntimeException saying "out of memory").
         */
        public java.util.function.IntConsumer beforePass = k -> {};
        /** Spans of the passes and the Gram accumulation, and memory counters ({@link ganfactor.trace.Trace}). */
        public ganfactor.trace.Trace trace = ganfactor.trace.Trace.OFF;

        /** A field-by-field copy (the pipeline adjusts its copy, never the caller's options). */
        public Options copy() {
            Options o = new Options();
            o.mode = mode;
            o.chunk = chunk;
            o.memoryBudget = memoryBudget;
            o.progress = progress;
            o.cancelled = cancelled;
            o.sink = sink;
            o.deviceGrams = deviceGrams;
            o.regionRows = regionRows == null ? null : regionRows.clone();
            o.fullGram = fullGram;
            o.messages = messages;
            o.beforePass = beforePass;
            o.trace = trace;
            return o;
        }
    }

    /** {@code regionRows}: per region, its scaled Jacobian rows when {@link Options#regionRows} asked for them, else null. */
    public record Result(List<GramPair> grams, List<Tensor> regionRows, double[] full, int dim, long rows, int chunk, int pixelBlocks, long passes,
                         double seconds, Budget budget) {}

    /** {@link Options#memoryBudget} value asking for a budget from the memory actually available. */
    public static final long AUTO_BUDGET = 0;
    /** Below this a budget splits even a small view into thousands of pixel blocks, each a full set of passes. */
    public static final long MIN_BUDGET = 64L << 20;

    /** {@code auto} ({@link #AUTO_BUDGET}) or a size such as 512m, 2g, 16gb (at least {@link #MIN_BUDGET}), in bytes. */
    public static long parseBudget(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("auto")) return AUTO_BUDGET;
        long mult = 1;
        if (t.endsWith("g") || t.endsWith("gb")) { mult = 1L << 30; t = t.replaceAll("g[b]?$", ""); }
        else if (t.endsWith("m") || t.endsWith("mb")) { mult = 1L << 20; t = t.replaceAll("m[b]?$", ""); }
        else if (t.endsWith("k") || t.endsWith("kb")) { mult = 1L << 10; t = t.replaceAll("k[b]?$", ""); }
        double v;
        try {
            v = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (!(v > 0) || !Double.isFinite(v) || v * mult > 1L << 50)
            throw new ganfactor.SettingException("memory-budget", "must be auto or a size like 512m or 2g, got '" + s + "'");
        long bytes = (long) (v * mult);
        if (bytes < MIN_BUDGET)
            throw new ganfactor.SettingException("memory-budget", "must be at least 64m (smaller budgets split the Jacobian into thousands of passes), got " + s);
        return bytes;
    }

    /** A memory budget in bytes and, for records and messages, where it came from. */
    public record Budget(long bytes, String source) {}

    private JacobianEngine() {}

    /**
     * The memory budget actually used. Given ({@code requested > 0}): as given, but on a CUDA
     * device at most 80 % of the memory this process can still use there ({@link
     * ganfactor.torch.Devices.DeviceMemory#usable()}: the driver's free memory plus what LibTorch's
     * caching allocator holds unallocated). Automatic ({@link #AUTO_BUDGET}): 80 % of that on a CUDA
     * device; on the CPU half of the host memory the kernel reports available (MemAvailable), less
     * what the JVM heap may still claim; 2 GiB when neither can be read.
     */
    public static Budget budget(Generator g, long requested) {
        return budget(g.device().cuda(), g.device().cuda() ? ganfactor.torch.Devices.deviceMemory(g.device()) : null, requested);
    }

    /** {@link #budget(Generator, long)} from the device's memory as read ({@code mem}; null when unknown). */
    static Budget budget(boolean cuda, ganfactor.torch.Devices.DeviceMemory mem, long requested) {
        long usable = mem == null ? -1 : mem.usable();
        String where = mem == null ? "" : bytes(usable) + " the process can use on the device (" + bytes(mem.free()) + " free + "
                + bytes(Math.max(0, mem.reserved() - mem.allocated())) + " held unallocated by LibTorch's cache; " + mem.source() + ")";
        if (requested > 0) {
            if (mem != null && requested > usable * 0.8)
                return new Budget(Math.max(1L << 20, (long) (usable * 0.8)), "given " + bytes(requested) + ", capped at 80% of the " + where);
            return new Budget(requested, "given");
        }
        if (mem != null) return new Budget(Math.max(MIN_BUDGET, (long) (usable * 0.8)), "auto: 80% of the " + where);
        if (cuda) return new Budget(2L << 30, "auto: the device's memory could not be read, 2 GiB");
        long avail = hostAvailable();
        if (avail <= 0) return new Budget(2L << 30, "auto: the host's available memory is unknown, 2 GiB");
        Runtime rt = Runtime.getRuntime();
        long heapGrowth = Math.max(0, rt.maxMemory() - rt.totalMemory());
        long b = Math.max(MIN_BUDGET, (avail - heapGrowth) / 2);
        return new Budget(b, "auto: half of the host's available " + bytes(avail) + (heapGrowth > 0 ? " less " + bytes(heapGrowth) + " the JVM heap may still take" : ""));
    }

    /** MemAvailable of /proc/meminfo in bytes (Linux), or -1. */
    static long hostAvailable() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    String[] f = line.trim().split("\\s+");
                    return Long.parseLong(f[1]) * 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux, or an unexpected format: the caller falls back to a fixed budget
        }
        return -1;
    }

    public static String bytes(long b) {
        if (b >= 1L << 30) return String.format(java.util.Locale.ROOT, "%.1f GiB", b / (double) (1L << 30));
        if (b >= 1L << 20) return String.format(java.util.Locale.ROOT, "%.0f MiB", b / (double) (1L << 20));
        return b + " bytes";
    }

    /**
     * Estimated bytes one Jacobian column (forward, double-backward) or row (reverse) keeps alive
     * in a pass. A generator that names its widest activation (StyleGAN2) is sized by it: about
     * eight such tensors alive per column (tangents and temporaries; sixteen with the reverse
     * modes' saved activations) plus a few copies of the output image; otherwise a multiple of
     * the output image.
     */
    public static long bytesPerColumn(Generator g, Mode mode) {
        long bytes = g.dtype() == ScalarType.Double ? 8 : 4;
        long image = (long) g.channels() * g.height() * g.width() * bytes;
        long act = g.activationElements();
        if (act > 0) return act * bytes * (mode == Mode.FORWARD ? 8 : 16) + image * 6;
        return image * (mode == Mode.FORWARD ? 24 : 48);
    }

    /**
     * The most columns per forward pass the automatic choice takes, even where the memory budget
     * allows more: more columns per pass were slower, not faster, on both models measured (JMH,
     * JacobianChunkBenchmark, benchmarks/RESULTS.md "Columns per pass"): the demo 482 ms at 32 against 644 ms at 64;
     * the 64 px NVlabs StyleGAN2 fixture 1.37 s at 32, 1.27 s at 64, 2.28 s at 512. Larger models
     * never reach it: the budget allows 4 columns of config F at 256 px here, 1 at 1024 px.
     */
    public static final int MAX_AUTO_CHUNK = 32;

    /**
     * Columns per pass that the memory budget allows (a quarter of it for the generator's
     * activations), at most {@link #maxChunk} and d.
     */
    public static int autoChunk(Generator g, View view, int dim, Mode mode, long budget) {
        if (mode == Mode.REVERSE) return 1;
        return Integer.highestOneBit((int) Math.min(budgetChunk(g, mode, budget), Math.min(dim, maxChunk(g))));
    }

    /** {@link #MAX_AUTO_CHUNK}, or the generator's own smaller hint ({@link Generator#chunkHint}). */
    public static int maxChunk(Generator g) {
        int hint = g.chunkHint();
        return hint > 0 ? Math.min(hint, MAX_AUTO_CHUNK) : MAX_AUTO_CHUNK;
    }

    /** Columns per pass the memory budget alone would allow (at least 1). */
    static long budgetChunk(Generator g, Mode mode, long budget) {
        return Math.max(1, (budget / 4) / bytesPerColumn(g, mode));
    }

    /**
     * A given budget must hold at least one column's activations: a smaller one cannot run a
     * single pass as estimated and would split the view into ever more pixel blocks, each a full
     * set of passes (a 1 KB budget once ran for ten minutes). Full speed needs four times that.
     */
    static void requireOneColumn(Generator g, Mode mode, Budget b) {
        long one = bytesPerColumn(g, mode);
        if (b.bytes() < one && b.source().startsWith("given"))
            throw new ganfactor.SettingException("memory-budget", bytes(b.bytes()) + " cannot hold one Jacobian " + (mode == Mode.REVERSE ? "row" : "column")
                    + " of this generator (about " + bytes(one) + " of activations per pass): give at least " + bytes(4 * one) + ", or leave the default (auto)");
    }

    public static Result compute(Generator g, double[] x, LatentSpace space, View view, List<Region> regions, Options o) {
        int D = space.dim(g.latentDim(), g.numLayers());
        if (x.length != D) throw new InputException("latent code has " + x.length + " coordinates, " + space.label() + " space of this generator has " + D);
        if (regions.isEmpty()) throw new InputException("at least one region is needed");
        if (o.regionRows != null && o.regionRows.length != regions.size())
            throw new IllegalArgumentException("regionRows has " + o.regionRows.length + " entries for " + regions.size() + " regions");
        for (Region r : regions)
            if (r.grid() != view.grid()) throw new IllegalArgumentException("region " + r.name() + " is on grid " + r.grid() + ", view on " + view.grid());
        long P = view.rows();
        int C = view.viewChannels();
        Budget bud = budget(g, o.memoryBudget);
        if (o.chunk <= 0) requireOneColumn(g, o.mode, bud);
        long budget = bud.bytes();
        int chunk = o.chunk > 0 ? Math.min(o.chunk, o.mode == Mode.REVERSE ? (int) Math.min(P, Integer.MAX_VALUE) : D) : autoChunk(g, view, D, o.mode, budget);
        long rowsPerBlock = Math.max(1, Math.min(P, (budget / 2) / (8L * D)));
        int blocks = (int) ((P + rowsPerBlock - 1) / rowsPerBlock);
        long perBlock = o.mode == Mode.REVERSE ? -1 : (D + chunk - 1) / chunk;
        long total = o.mode == Mode.REVERSE ? (P + chunk - 1) / chunk : perBlock * blocks;
        long t0 = System.nanoTime();
        long passes = 0;

        List<long[]> inside = new ArrayList<>(), outside = new ArrayList<>();
        for (Region r : regions) {
            inside.add(r.inside(C));
            outside.add(r.outside(C));
        }
        // Everything below lives on the generator's device; the only host copies are the Grams at the end.
        ganfactor.torch.ComputeDevice dev = g.device();
        ganfactor.torch.Handoff handOut = new ganfactor.torch.Handoff();
        List<List<Tensor>> rowParts = new ArrayList<>();
        for (int i = 0; i < regions.size(); i++) rowParts.add(new ArrayList<>());
        Result result;
        ganfactor.trace.Trace tr = o.trace;
        try (PointerScope outer = new PointerScope(); NoGradGuard ng = new NoGradGuard();
             ganfactor.trace.Span whole = tr.span("jacobian", "mode", o.mode.label(), "space", space.label(), "rows", P, "dim", D,
                     "chunk", chunk, "chunk_from", o.chunk > 0 ? "given" : o.mode == Mode.REVERSE ? "reverse mode: one row per pass"
                             : "auto: the budget allows " + budgetChunk(g, o.mode, bud.bytes()) + " columns, at most " + maxChunk(g)
                               + (maxChunk(g) < MAX_AUTO_CHUNK ? " (the generator's hint)" : "") + " and d",
                     "pixel_blocks", blocks, "device", dev.label())) {
            Tensor x1 = Torch.of(x, 1, D).to(dev.torch(), g.dtype());
            Tensor rowsIdx = Torch.ofLong(view.rowIndex(), view.rowIndex().length).to(dev.torch(), ScalarType.Long);
            Tensor colsIdx = Torch.ofLong(view.colIndex(), view.colIndex().length).to(dev.torch(), ScalarType.Long);
            List<Tensor> accA = new ArrayList<>(), accB = new ArrayList<>();
            for (int i = 0; i < regions.size(); i++) {
                accA.add(torch.zeros(new long[]{D, D}, dev.options(ScalarType.Double)));
                accB.add(torch.zeros(new long[]{D, D}, dev.options(ScalarType.Double)));
            }
            Tensor eye = torch.eye(D, dev.options(g.dtype()));
            Tensor accFull = o.fullGram ? torch.zeros(new long[]{D, D}, dev.options(ScalarType.Double)) : null;
            o.progress.begin("jacobian " + o.mode.label() + " " + P + "x" + D + ", " + chunk + (o.mode == Mode.REVERSE ? " row" : " col")
                    + (chunk == 1 ? "" : "s") + "/pass" + (blocks > 1 ? ", " + blocks + " pixel blocks" : ""), total);
            try {
                for (int b = 0; b < blocks; b++) {
                    long p0 = b * rowsPerBlock, p1 = Math.min(P, p0 + rowsPerBlock);
                    Tensor J = torch.zeros(new long[]{p1 - p0, D}, dev.options(ScalarType.Double));
                    if (o.mode == Mode.REVERSE) {
                        passes += fillByRows(g, x1, space, view, rowsIdx, colsIdx, J, p0, p1, chunk, o);
                    } else {
                        for (int c0 = 0; c0 < D; ) {
                            if (o.cancelled.getAsBoolean()) throw new CancellationException("cancelled");
                            int kc = Math.min(chunk, D - c0);
                            try (PointerScope inner = new PointerScope();
                                 ganfactor.trace.Span pass = tr.span("jacobian pass", "first_column", c0, "columns", kc, "pixel_block", b)) {
                                o.beforePass.accept(kc);
                                Tensor cols = o.mode == Mode.FORWARD
                                        ? forwardColumns(g, x1, space, view, rowsIdx, colsIdx, eye, c0, kc)
                                        : doubleBackwardColumns(g, x1, space, view, rowsIdx, colsIdx, eye, c0, kc);
                                J.narrow(1, c0, kc).copy_(cols.narrow(1, p0, p1 - p0).t());
                            } catch (RuntimeException e) {
                                if (!ganfactor.NativeException.isOutOfMemory(e)) throw e;
                                chunk = halve(chunk, e, dev, o);   // the pass's tensors are already freed by its scope
                                continue;                          // retry the same columns with fewer at a time
                            }
                            c0 += kc;
                            passes++;
                            o.progress.advance(1);
                        }
                    }
                    if (o.sink != null) o.sink.rows(p0, J);
                    keepRegionRows(J, p0, p1, inside, o.regionRows, rowParts);
                    try (PointerScope inner = new PointerScope();
                         ganfactor.trace.Span acc = tr.span("gram accumulation", "pixel_block", b, "rows", p1 - p0, "regions", regions.size())) {
                        for (int i = 0; i < regions.size(); i++) {
                            accumulate(accA.get(i), J, inside.get(i), p0, p1, dev);
                            accumulate(accB.get(i), J, outside.get(i), p0, p1, dev);
                        }
                        if (accFull != null) accFull.add_(J.t().mm(J));
                    }
                    tr.memory();
                }
            } finally {
                o.progress.end();
            }
            List<GramPair> out = new ArrayList<>();
            for (int i = 0; i < regions.size(); i++) {
                long nin = inside.get(i).length, nout = outside.get(i).length;
                if (o.deviceGrams) {
                    // the same arithmetic as the host path below: scale, then (M + M^T) / 2
                    Tensor a = symmetric(accA.get(i).div(new org.bytedeco.pytorch.Scalar((double) nin)));
                    Tensor bb = symmetric(accB.get(i).div(new org.bytedeco.pytorch.Scalar((double) nout)));
                    out.add(GramPair.onDevice(regions.get(i).name(), D, nin, nout, handOut.keep(a), handOut.keep(bb)));
                    continue;
                }
                // The Grams are this engine's output (files, the C API, the solvers' GramPair): one
                // counted host copy each (Torch.hostCopies), after all the device work.
                double[] a = Torch.toDoubles(accA.get(i)), bb = Torch.toDoubles(accB.get(i));
                for (int k = 0; k < a.length; k++) { a[k] /= nin; bb[k] /= nout; }
                symmetrize(a, D);
                symmetrize(bb, D);
                out.add(GramPair.of(regions.get(i).name(), D, nin, nout, a, bb));
            }
            List<Tensor> rows = new ArrayList<>();
            for (int i = 0; i < regions.size(); i++) {
                List<Tensor> parts = rowParts.get(i);
                rows.add(o.regionRows == null || !o.regionRows[i] || parts.isEmpty() ? null
                        : handOut.keep(torch.cat(new org.bytedeco.pytorch.TensorVector(parts.toArray(new Tensor[0])), 0)
                                .div(new org.bytedeco.pytorch.Scalar(Math.sqrt((double) inside.get(i).length)))));
            }
            double[] full = accFull == null ? null : Torch.toDoubles(accFull);
            result = new Result(out, rows, full, D, P, chunk, blocks, passes, (System.nanoTime() - t0) / 1e9, bud);
            whole.arg("passes", passes).arg("chunk_used", chunk);
        } catch (RuntimeException | Error e) {
            handOut.discard();
            throw e;
        }
        // the device Grams and rows outlive the engine's scope: they join the caller's (or the GC's care without one)
        handOut.deliver();
        return result;
    }

    /** The rows of block [p0, p1) that lie in each asked-for region, copied (they live in the engine's outer scope until the end). */
    private static void keepRegionRows(Tensor J, long p0, long p1, List<long[]> inside, boolean[] want, List<List<Tensor>> parts) {
        if (want == null) return;
        for (int r = 0; r < inside.size(); r++) {
            if (!want[r]) continue;
            long[] idx = java.util.Arrays.stream(inside.get(r)).filter(p -> p >= p0 && p < p1).map(p -> p - p0).toArray();
            if (idx.length == 0) continue;
            parts.get(r).add(J.index_select(0, Torch.ofLong(idx, idx.length).to(J.device(), ScalarType.Long)).clone());
        }
    }

    private static Tensor symmetric(Tensor m) {
        return m.add(m.t()).mul(new org.bytedeco.pytorch.Scalar(0.5));
    }

    /** k = kc columns J e_{c0..c0+kc} by one batched JVP: x replicated, tangents the unit vectors. */
    static Tensor forwardColumns(Generator g, Tensor x1, LatentSpace space, View view, Tensor rowsIdx, Tensor colsIdx, Tensor eye, int c0, int kc) {
        Tensor X = x1.expand(kc, x1.size(1)).contiguous();
        Tensor V = eye.narrow(0, c0, kc).contiguous();
        DUAL_LEVEL.lock();
        try {
            long level = torch.enter_dual_level();
            try {
                return g.call("gf_jvp", X, V, space.code(), rowsIdx, colsIdx, view.reduce().code(), level);
            } finally {
                torch.exit_dual_level(level);
            }
        } finally {
            DUAL_LEVEL.unlock();
        }
    }

    /**
     * LibTorch's forward-AD dual level is one per process (no nesting): a second thread entering
     * it fails with "Nested forward mode AD is not supported" (measured here without this lock),
     * or, as the Spark executors once saw, never finishes. Spark tasks, the studio beside a script
     * and multi-threaded C hosts all compute from several threads, so each batched JVP holds this
     * lock for its pass; other threads' passes interleave, fairly, between passes.
     */
    private static final java.util.concurrent.locks.ReentrantLock DUAL_LEVEL = new java.util.concurrent.locks.ReentrantLock(true);

    /** k columns by the double-backward trick: g(u) = J^T u, then d(g . e_j)/du = J e_j. */
    static Tensor doubleBackwardColumns(Generator g, Tensor x1, LatentSpace space, View view, Tensor rowsIdx, Tensor colsIdx, Tensor eye, int c0, int kc) {
        try (org.bytedeco.pytorch.AutoGradMode grad = new org.bytedeco.pytorch.AutoGradMode(true)) {
            Tensor X = x1.expand(kc, x1.size(1)).clone().set_requires_grad(true);
            Tensor y = g.call("gf_view", X, space.code(), rowsIdx, colsIdx, view.reduce().code());
            Tensor u = torch.zeros_like(y).set_requires_grad(true);
            TensorVector gx = torch.grad(new TensorVector(y), new TensorVector(X), new TensorVector(u), new BoolOptional(true), true, false);
            Tensor gvec = new Tensor(gx.get(0));
            Tensor V = eye.narrow(0, c0, kc).contiguous();
            TensorVector cols = torch.grad(new TensorVector(gvec), new TensorVector(u), new TensorVector(V), new BoolOptional(false), false, false);
            return new Tensor(cols.get(0)).detach();
        }
    }

    /** Reverse mode: one forward pass per block, then one backward pass per {@code chunk} rows with one-hot output gradients. */
    private static long fillByRows(Generator g, Tensor x1, LatentSpace space, View view, Tensor rowsIdx, Tensor colsIdx,
                                   Tensor J, long p0, long p1, int chunk, Options o) {
        int D = (int) x1.size(1);
        long passes = 0;
        ganfactor.torch.ComputeDevice dev = g.device();
        org.bytedeco.pytorch.TensorOptions uOptions = dev.options(g.dtype());   // once, not per row
        try (org.bytedeco.pytorch.AutoGradMode grad = new org.bytedeco.pytorch.AutoGradMode(true)) {
            Tensor X = x1.expand(chunk, D).clone().set_requires_grad(true);
            Tensor y = g.call("gf_view", X, space.code(), rowsIdx, colsIdx, view.reduce().code());
            long P = y.size(1);
            for (long r0 = p0; r0 < p1; r0 += chunk) {
                if (o.cancelled.getAsBoolean()) throw new CancellationException("cancelled");
                int kr = (int) Math.min(chunk, p1 - r0);
                try (PointerScope inner = new PointerScope()) {
                    // Batch element b asks for row r0 + b (the last chunk repeats its final row).
                    long[] idx = new long[chunk];
                    for (int b = 0; b < chunk; b++) idx[b] = r0 + Math.min(b, kr - 1);
                    Tensor hot = Torch.ofLong(idx, chunk, 1);
                    Tensor U = torch.zeros(new long[]{chunk, P}, uOptions)
                            .scatter(1, dev.cuda() ? hot.to(dev.torch(), ScalarType.Long) : hot, new org.bytedeco.pytorch.Scalar(1.0));
                    TensorVector gr = torch.grad(new TensorVector(y), new TensorVector(X), new TensorVector(U), new BoolOptional(true), false, false);
                    Tensor rows = new Tensor(gr.get(0));
                    J.narrow(0, r0 - p0, kr).copy_(rows.narrow(0, 0, kr));
                }
                passes++;
                o.progress.advance(1);
            }
        }
        return passes;
    }

    /**
     * Halves the column chunk after an allocation failure, with a one-line message; gives up at
     * one column with an {@link OutOfMemoryError} naming what to change.
     */
    static int halve(int chunk, RuntimeException cause, ganfactor.torch.ComputeDevice dev, Options o) {
        if (chunk <= 1) {
            OutOfMemoryError err = new OutOfMemoryError(dev.label() + " ran out of memory computing one Jacobian column at a time ("
                    + Generator.oneLine(cause) + "); use a smaller " + ref("grid") + ", " + ref("precision") + " float32 or a device with more memory");
            err.initCause(cause);
            throw err;
        }
        int next = chunk / 2;
        o.messages.accept("ganfactor: " + dev.label() + " out of memory with " + chunk + " Jacobian columns per pass; retrying with " + next);
        return next;
    }

    private static void accumulate(Tensor acc, Tensor J, long[] rows, long p0, long p1, ganfactor.torch.ComputeDevice dev) {
        int lo = lowerBound(rows, p0), hi = lowerBound(rows, p1);
        if (hi <= lo) return;
        long[] local = new long[hi - lo];
        for (int i = lo; i < hi; i++) local[i - lo] = rows[i] - p0;
        Tensor Jr = J.index_select(0, Torch.ofLong(local, local.length).to(dev.torch(), ScalarType.Long));
        acc.add_(Jr.t().mm(Jr));
    }

    private static int lowerBound(long[] a, long v) {
        int lo = 0, hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < v) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static void symmetrize(double[] m, int d) {
        for (int i = 0; i < d; i++)
            for (int j = i + 1; j < d; j++) {
                double s = 0.5 * (m[i * d + j] + m[j * d + i]);
                m[i * d + j] = s;
                m[j * d + i] = s;
            }
    }
}
