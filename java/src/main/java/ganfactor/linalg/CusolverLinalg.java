package ganfactor.linalg;

import ganfactor.torch.Torch;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cusolver.cusolverDnContext;
import org.bytedeco.cuda.cusolver.gesvdjInfo;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerScope;
import ganfactor.torch.Handoff;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch_cuda;

import static org.bytedeco.cuda.global.cublas.*;
import static org.bytedeco.cuda.global.cusolver.*;

/**
 * {@link Linalg} on CUDA tensors by calling cuSOLVER and cuBLAS directly (JavaCPP CUDA preset),
 * on the tensors' own device memory, float64 and float32.
 *
 * <ul>
 * <li>generalized eigensolve: {@code cusolverDn{D,S}sygvd} (itype 1, eigenvectors; all pairs),
 * {@code cusolverDn{D,S}sygvdx} (range I: only the k wanted) for the top k;</li>
 * <li>eigh: {@code syevd}; top k: {@code syevdx} (range I);</li>
 * <li>Cholesky: {@code potrf}; thin SVD: {@code gesvdj} (economy); row Gram: {@code cublas{D,S}syrk_v2}.</li>
 * </ul>
 *
 * <p>Streams and handles: torch's own cuSOLVER and cuBLAS handles of the current device
 * ({@code getCurrentCUDASolverDnHandle()}, {@code getCurrentCUDABlasHandle()}), which LibTorch
 * has already bound to its current CUDA stream; they are never destroyed here. Workspaces and
 * the {@code info} word are torch CUDA tensors (torch's caching allocator). Every call's
 * {@code info} is checked once at the end with one tiny device-to-host copy (counted in
 * {@link Torch#hostCopies()}); for the generalized solve the same copy brings back the Cholesky
 * pivot ratio that {@link Linalg.Eigen} reports. Host out-parameters (workspace sizes, the
 * number of eigenvalues found) are small JavaCPP host pointers.
 *
 * <p>Layout: torch is row-major, cuSOLVER column-major. A symmetric matrix is its own
 * transpose; cuSOLVER's eigenvector columns are, read row-major, rows: this interface's
 * convention. Values come back ascending and are flipped to descending.
 *
 * <p>Tensors not on a CUDA device, or of another dtype, go to {@link #cpu} (the same results by
 * LAPACK). Load this class only after {@code ganfactor.torch.Devices} found the CUDA preset
 * usable (its static initialiser touches no CUDA class, but its methods do).
 *
 * <p>NOT YET RUN ON A GPU: written and compiled against the real preset jars; the parity tests
 * ({@code CusolverParityTest}) skip without CUDA.
 */
public final class CusolverLinalg implements Linalg {

    private final Linalg cpu;

    public CusolverLinalg(Linalg cpu) {
        this.cpu = cpu;
    }

    @Override
    public String name() {
        return "cusolver";
    }

    private static boolean mine(Tensor t) {
        if (!t.is_cuda()) return false;
        return Torch.is(t, torch.ScalarType.Double) || Torch.is(t, torch.ScalarType.Float);
    }

    private static boolean dbl(Tensor t) {
        return Torch.is(t, torch.ScalarType.Double);
    }

    private static TensorOptions like(Tensor t, torch.ScalarType type) {
        return new TensorOptions(type).device(new DeviceOptional(t.device()));
    }

    private static long square(Tensor s, String op) {
        if (s.dim() != 2 || s.size(0) != s.size(1))
            throw new IllegalArgumentException(op + ": a square matrix is needed, got " + Torch.shapeString(s));
        if (s.size(0) > Integer.MAX_VALUE) throw new IllegalArgumentException(op + ": order " + s.size(0) + " is beyond cuSOLVER's 32-bit API");
        return s.size(0);
    }

    private static cusolverDnContext solver() {
        return torch_cuda.getCurrentCUDASolverDnHandle();
    }

    private static void status(int st, String call) {
        if (st != CUSOLVER_STATUS_SUCCESS) throw new IllegalStateException(call + " returned cuSOLVER status " + st);
    }

    /** Workspace of {@code lwork} elements of t's dtype on t's device (torch's caching allocator). */
    private static Tensor workspace(Tensor t, int lwork) {
        return torch.empty(new long[]{Math.max(1, lwork)}, like(t, t.scalar_type()), new org.bytedeco.pytorch.MemoryFormatOptional());
    }

    private static Tensor infoWord(Tensor t) {
        return torch.zeros(new long[]{1}, like(t, torch.ScalarType.Int));
    }

    // ---- Cholesky ---------------------------------------------------------------------------

    @Override
    public Tensor cholesky(Tensor s) {
        if (!mine(s)) return cpu.cholesky(s);
        int n = (int) square(s, "cholesky");
        Handoff handoff = new Handoff();
        Tensor out;
        try (PointerScope scope = new PointerScope()) {
            // Row-major symmetric s = column-major s; column-major UPPER gives U with s = U^T U,
            // and U read row-major is U^T = L (lower) with s = L L^T.
            Tensor a = s.contiguous().clone();
            cusolverDnContext h = solver();
            Tensor info = infoWord(a);
            IntPointer lwork = new IntPointer(1);
            if (dbl(a)) {
                DoublePointer p = new DoublePointer(a.data_ptr());
                status(cusolverDnDpotrf_bufferSize(h, CUBLAS_FILL_MODE_UPPER, n, p, n, lwork), "cusolverDnDpotrf_bufferSize");
                Tensor w = workspace(a, lwork.get());
                status(cusolverDnDpotrf(h, CUBLAS_FILL_MODE_UPPER, n, p, n, new DoublePointer(w.data_ptr()), lwork.get(), new IntPointer(info.data_ptr())), "cusolverDnDpotrf");
            } else {
                FloatPointer p = new FloatPointer(a.data_ptr());
                status(cusolverDnSpotrf_bufferSize(h, CUBLAS_FILL_MODE_UPPER, n, p, n, lwork), "cusolverDnSpotrf_bufferSize");
                Tensor w = workspace(a, lwork.get());
                status(cusolverDnSpotrf(h, CUBLAS_FILL_MODE_UPPER, n, p, n, new FloatPointer(w.data_ptr()), lwork.get(), new IntPointer(info.data_ptr())), "cusolverDnSpotrf");
            }
            long inf = (long) Torch.scalar(info);   // the one host copy: the factorisation's status
            if (inf > 0) throw new NotPositiveDefiniteException(inf, "matrix");
            if (inf < 0) throw new IllegalArgumentException("potrf: argument " + -inf + " is invalid");
            out = handoff.keep(a.tril_());   // in place: potrf left the other triangle as it was
        }
        handoff.deliver();
        return out;
    }

    // ---- symmetric eigensolves ----------------------------------------------------------------

    @Override
    public Eigen eigh(Tensor s) {
        if (!mine(s)) return cpu.eigh(s);
        int n = (int) square(s, "eigh");
        Handoff handoff = new Handoff();
        Eigen e;
        try (PointerScope scope = new PointerScope()) {
            cusolverDnContext h = solver();
            Tensor a = s.contiguous().clone();
            Tensor w = torch.empty(new long[]{n}, like(s, s.scalar_type()), new org.bytedeco.pytorch.MemoryFormatOptional());
            Tensor info = infoWord(s);
            IntPointer lwork = new IntPointer(1);
            if (dbl(s)) {
                DoublePointer pa = new DoublePointer(a.data_ptr()), pw = new DoublePointer(w.data_ptr());
                status(cusolverDnDsyevd_bufferSize(h, CUSOLVER_EIG_MODE_VECTOR, CUBLAS_FILL_MODE_UPPER, n, pa, n, pw, lwork), "cusolverDnDsyevd_bufferSize");
                Tensor ws = workspace(s, lwork.get());
                status(cusolverDnDsyevd(h, CUSOLVER_EIG_MODE_VECTOR, CUBLAS_FILL_MODE_UPPER, n, pa, n, pw, new DoublePointer(ws.data_ptr()), lwork.get(), new IntPointer(info.data_ptr())), "cusolverDnDsyevd");
            } else {
                FloatPointer pa = new FloatPointer(a.data_ptr()), pw = new FloatPointer(w.data_ptr());
                status(cusolverDnSsyevd_bufferSize(h, CUSOLVER_EIG_MODE_VECTOR, CUBLAS_FILL_MODE_UPPER, n, pa, n, pw, lwork), "cusolverDnSsyevd_bufferSize");
                Tensor ws = workspace(s, lwork.get());
                status(cusolverDnSsyevd(h, CUSOLVER_EIG_MODE_VECTOR, CUBLAS_FILL_MODE_UPPER, n, pa, n, pw, new FloatPointer(ws.data_ptr()), lwork.get(), new IntPointer(info.data_ptr())), "cusolverDnSsyevd");
            }
            checkInfo(Torch.scalar(info), n, "syevd");
            e = keep(handoff, new Eigen(w.flip(0).contiguous(), a.flip(0).contiguous()));
        }
        handoff.deliver();
        return e;
    }

    @Override
    public Eigen eighTop(Tensor s, int k) {
        if (!mine(s)) return cpu.eighTop(s, k);
        int n = (int) square(s, "eighTop");
        if (k < 1 || k > n) throw new IllegalArgumentException("eighTop: k = " + k + " for a " + n + " x " + n + " matrix");
        if (2L * k > n) {
            Eigen all = eigh(s);
            return new Eigen(all.values().narrow(0, 0, k).contiguous(), all.vectors().narrow(0, 0, k).contiguous());
        }
        Handoff handoff = new Handoff();
        Eigen e;
        try (PointerScope scope = new PointerScope()) {
            cusolverDnContext h = solver();
            Tensor a = s.contiguous().clone();
            Tensor w = torch.empty(new long[]{n}, like(s, s.scalar_type()), new org.bytedeco.pytorch.MemoryFormatOptional());
            Tensor info = infoWord(s);
            IntPointer lwork = new IntPointer(1), found = new IntPointer(1);
            int il = n - k + 1, iu = n;   // 1-based indices of the k largest (ascending order)
            if (dbl(s)) {
                DoublePointer pa = new DoublePointer(a.data_ptr()), pw = new DoublePointer(w.data_ptr());
                status(cusolverDnDsyevdx_bufferSize(h, CUSOLVER_EIG_MODE_VECTOR, CUSOLVER_EIG_RANGE_I, CUBLAS_FILL_MODE_UPPER, n, pa, n, 0, 0, il, iu, found, pw, lwork), "cusolverDnDsyevdx_bufferSize");
                Tensor ws = workspace(s, lwork.get());
                status(cusolverDnDsyevdx(h, CUSOLVER_EIG_MODE_VECTOR, CUSOLVER_EIG_RANGE_I, CUBLAS_FILL_MODE_UPPER, n, pa, n, 0, 0, il, iu, found, pw, new DoublePointer(ws.data_ptr()), lwork.get(), new IntPointer(info.data_ptr())), "cusolverDnDsyevdx");
            } else {
                FloatPointer pa = new FloatPointer(a.data_ptr()), pw = new FloatPointer(w.data_ptr());
                status(cusolverDnSsyevdx_bufferSize(h, CUSOLVER_EIG_MODE_VECTOR, CUSOLVER_EIG_RANGE_I, CUBLAS_FILL_MODE_UPPER, n, pa, n, 0f, 0f, il, iu, found, pw, lwork), "cusolverDnSsyevdx_bufferSize");
                Tensor ws = workspace(s, lwork.get());
                status(cusolverDnSsyevdx(h, CUSOLVER_EIG_MODE_VECTOR, CUSOLVER_EIG_RANGE_I, CUBLAS_FILL_MODE_UPPER, n, pa, n, 0f, 0f, il, iu, found, pw, new FloatPointer(ws.data_ptr()), lwork.get(), new IntPointer(info.data_ptr())), "cusolverDnSsyevdx");
            }
            checkInfo(Torch.scalar(info), n, "syevdx");   // also synchronises, so 'found' is final
            if (found.get() != k) throw new IllegalStateException("cusolverDnXsyevdx found " + found.get() + " of " + k + " eigenvalues");
            // the first k columns (column-major) = the first k rows (row-major), ascending
            e = keep(handoff, new Eigen(w.narrow(0, 0, k).flip(0).contiguous(), a.narrow(0, 0, k).flip(0).contiguous()));
        }
        handoff.deliver();
        return e;
    }

    // ---- generalized symmetric-definite problem ------------------------------------------------

    @Override
    public Eigen generalizedEigh(Tensor a, Tensor b) {
        return generalizedEighTop(a, b, (int) square(a, "generalizedEigh"));
    }

    @Override
    public Eigen generalizedEighTop(Tensor a, Tensor b, int k) {
        if (!mine(a) || !mine(b) || a.scalar_type().value != b.scalar_type().value) return cpu.generalizedEighTop(a, b, k);
        int n = (int) square(a, "generalizedEigh");
        if (square(b, "generalizedEigh") != n) throw new IllegalArgumentException("generalizedEigh: A and B must be square and of one size");
        if (k < 1 || k > n) throw new IllegalArgumentException("generalizedEighTop: k = " + k + " for d = " + n);
        boolean partial = 2L * k <= n;
        Handoff handoff = new Handoff();
        Eigen e;
        try (PointerScope scope = new PointerScope()) {
            cusolverDnContext h = solver();
            Tensor ac = a.contiguous().clone(), bc = b.contiguous().clone();
            Tensor w = torch.empty(new long[]{n}, like(a, a.scalar_type()), new org.bytedeco.pytorch.MemoryFormatOptional());
            Tensor info = infoWord(a);
            IntPointer lwork = new IntPointer(1), found = new IntPointer(1);
            int il = n - k + 1, iu = n;
            if (dbl(a)) {
                DoublePointer pa = new DoublePointer(ac.data_ptr()), pb = new DoublePointer(bc.data_ptr()), pw = new DoublePointer(w.data_ptr());
                if (partial) {
                    status(cusolverDnDsygvdx_bufferSize(h, CUSOLVER_EIG_TYPE_1, CUSOLVER_EIG_MODE_VECTOR, CUSOLVER_EIG_RANGE_I, CUBLAS_FILL_MODE_UPPER, n, pa, n, pb, n, 0, 0, il, iu, found, pw, lwork), "cusolverDnDsygvdx_bufferSize");
                    Tensor ws = workspace(a, lwork.get());
                    status(cusolverDnDsygvdx(h, CUSOLVER_EIG_TYPE_1, CUSOLVER_EIG_MODE_VECTOR, CUSOLVER_EIG_RANGE_I, CUBLAS_FILL_MODE_UPPER, n, pa, n, pb, n, 0, 0, il, iu, found, pw, new DoublePointer(ws.data_ptr()), lwork.get(), new IntPointer(info.data_ptr())), "cusolverDnDsygvdx");
                } else {
                    status(cusolverDnDsygvd_bufferSize(h, CUSOLVER_EIG_TYPE_1, CUSOLVER_EIG_MODE_VECTOR, CUBLAS_FILL_MODE_UPPER, n, pa, n, pb, n, pw, lwork), "cusolverDnDsygvd_bufferSize");
                    Tensor ws = workspace(a, lwork.get());
                    status(cusolverDnDsygvd(h, CUSOLVER_EIG_TYPE_1, CUSOLVER_EIG_MODE_VECTOR, CUBLAS_FILL_MODE_UPPER, n, pa, n, pb, n, pw, new DoublePointer(ws.data_ptr()), lwork.get(), new IntPointer(info.data_ptr())), "cusolverDnDsygvd");
                }
            } else {
                FloatPointer pa = new FloatPointer(ac.data_ptr()), pb = new FloatPointer(bc.data_ptr()), pw = new FloatPointer(w.data_ptr());
                if (partial) {
                    status(cusolverDnSsygvdx_bufferSize(h, CUSOLVER_EIG_TYPE_1, CUSOLVER_EIG_MODE_VECTOR, CUSOLVER_EIG_RANGE_I, CUBLAS_FILL_MODE_UPPER, n, pa, n, pb, n, 0f, 0f, il, iu, found, pw, lwork), "cusolverDnSsygvdx_bufferSize");
                    Tensor ws = workspace(a, lwork.get());
                    status(cusolverDnSsygvdx(h, CUSOLVER_EIG_TYPE_1, CUSOLVER_EIG_MODE_VECTOR, CUSOLVER_EIG_RANGE_I, CUBLAS_FILL_MODE_UPPER, n, pa, n, pb, n, 0f, 0f, il, iu, found, pw, new FloatPointer(ws.data_ptr()), lwork.get(), new IntPointer(info.data_ptr())), "cusolverDnSsygvdx");
                } else {
                    status(cusolverDnSsygvd_bufferSize(h, CUSOLVER_EIG_TYPE_1, CUSOLVER_EIG_MODE_VECTOR, CUBLAS_FILL_MODE_UPPER, n, pa, n, pb, n, pw, lwork), "cusolverDnSsygvd_bufferSize");
                    Tensor ws = workspace(a, lwork.get());
                    status(cusolverDnSsygvd(h, CUSOLVER_EIG_TYPE_1, CUSOLVER_EIG_MODE_VECTOR, CUBLAS_FILL_MODE_UPPER, n, pa, n, pb, n, pw, new FloatPointer(ws.data_ptr()), lwork.get(), new IntPointer(info.data_ptr())), "cusolverDnSsygvd");
                }
            }
            // One host copy for the info word and the pivot ratio of B's Cholesky factor (bc's diagonal).
            Tensor p = bc.diagonal().pow(new org.bytedeco.pytorch.Scalar(2));
            double[] r = Torch.scalars(info, p.min(), p.max());
            long inf = (long) r[0];
            if (inf > n) throw new NotPositiveDefiniteException(inf - n, "B");
            checkInfo(inf, n, partial ? "sygvdx" : "sygvd");
            int m = partial ? found.get() : n;
            if (m != (partial ? k : n)) throw new IllegalStateException("cusolverDnXsygvdx found " + m + " of " + k + " eigenvalues");
            // eigenvector columns (column-major) = rows (row-major), ascending: take the top k, descending
            Tensor vals = w.narrow(0, m - k, k).flip(0).contiguous();
            Tensor vecs = ac.narrow(0, m - k, k).flip(0).contiguous();
            e = keep(handoff, new Eigen(vals, vecs, r[1] / r[2]));
        }
        handoff.deliver();
        return e;
    }

    // ---- row Gram and SVD ---------------------------------------------------------------------

    /** x x^T by cublas syrk (half a gemm), lower triangle mirrored. */
    @Override
    public Tensor rowGram(Tensor x) {
        if (!mine(x) || x.dim() != 2 || x.size(0) > Integer.MAX_VALUE || x.size(1) > Integer.MAX_VALUE) return Linalg.super.rowGram(x);
        Handoff handoff = new Handoff();
        Tensor out;
        try (PointerScope scope = new PointerScope()) {
            Tensor xc = x.contiguous();
            int m = (int) xc.size(0), n = (int) xc.size(1);
            Tensor c = torch.zeros(new long[]{m, m}, like(x, x.scalar_type()));
            cublasContext h = torch_cuda.getCurrentCUDABlasHandle();
            // host scalars: torch's handles use CUBLAS_POINTER_MODE_HOST
            // row-major x [m, n] is column-major x^T [n, m] (lda n): C = (x^T)^T x^T, upper (column-major) = lower (row-major)
            int st = dbl(x)
                    ? cublasDsyrk_v2(h, CUBLAS_FILL_MODE_UPPER, CUBLAS_OP_T, m, n, new DoublePointer(1.0), new DoublePointer(xc.data_ptr()), n, new DoublePointer(0.0), new DoublePointer(c.data_ptr()), m)
                    : cublasSsyrk_v2(h, CUBLAS_FILL_MODE_UPPER, CUBLAS_OP_T, m, n, new FloatPointer(1f), new FloatPointer(xc.data_ptr()), n, new FloatPointer(0f), new FloatPointer(c.data_ptr()), m);
            if (st != CUBLAS_STATUS_SUCCESS) throw new IllegalStateException("cublas syrk returned status " + st);
            Tensor low = c.tril();
            out = handoff.keep(low.add(low.tril(-1).t()));
        }
        handoff.deliver();
        return out;
    }

    /** How many SVDs fell back from gesvdj to LibTorch's gesvd in this JVM (recorded by {@code gpu-check}). */
    static final java.util.concurrent.atomic.AtomicLong GESVDJ_FALLBACKS = new java.util.concurrent.atomic.AtomicLong();

    public static long gesvdjFallbacks() {
        return GESVDJ_FALLBACKS.get();
    }

    /**
     * Thin SVD by Jacobi (gesvdj, economy). Row-major m [r, c] is column-major m^T [c, r]; its SVD
     * m^T = U' S V'^T gives m = V' S U'^T: u = V' (read row-major, transposed back) and vh = U'^T
     * (U' read row-major as it is). When Jacobi does not converge (info > 0: its sweeps ran out),
     * the SVD is redone by LibTorch's QR-based gesvd on the device, as LibTorch itself falls back;
     * counted in {@link #gesvdjFallbacks()}. (Never run on a GPU: gesvdj's failure cannot be made
     * on the CPU.)
     */
    @Override
    public Svd svd(Tensor mat) {
        if (!mine(mat) || mat.dim() != 2) return cpu.svd(mat);
        Svd r = gesvdj(mat);
        if (r != null) return r;
        GESVDJ_FALLBACKS.incrementAndGet();
        return TorchLinalg.gesvd(mat);
    }

    /** gesvdj, or null when it did not converge. */
    private Svd gesvdj(Tensor mat) {
        int rows = (int) mat.size(0), cols = (int) mat.size(1), p = Math.min(rows, cols);
        Handoff handoff = new Handoff();
        Svd out;
        try (PointerScope scope = new PointerScope()) {
            cusolverDnContext h = solver();
            Tensor a = mat.contiguous().clone();                                   // column-major [cols, rows], overwritten
            Tensor s = torch.empty(new long[]{p}, like(mat, mat.scalar_type()), new org.bytedeco.pytorch.MemoryFormatOptional());
            Tensor uc = torch.empty(new long[]{p, cols}, like(mat, mat.scalar_type()), new org.bytedeco.pytorch.MemoryFormatOptional()); // column-major U' [cols, p]
            Tensor vc = torch.empty(new long[]{p, rows}, like(mat, mat.scalar_type()), new org.bytedeco.pytorch.MemoryFormatOptional()); // column-major V' [rows, p]
            Tensor info = infoWord(mat);
            IntPointer lwork = new IntPointer(1);
            gesvdjInfo params = new gesvdjInfo();
            status(cusolverDnCreateGesvdjInfo(params), "cusolverDnCreateGesvdjInfo");
            try {
                if (dbl(mat)) {
                    DoublePointer pa = new DoublePointer(a.data_ptr()), ps = new DoublePointer(s.data_ptr()), pu = new DoublePointer(uc.data_ptr()), pv = new DoublePointer(vc.data_ptr());
                    status(cusolverDnDgesvdj_bufferSize(h, CUSOLVER_EIG_MODE_VECTOR, 1, cols, rows, pa, cols, ps, pu, cols, pv, rows, lwork, params), "cusolverDnDgesvdj_bufferSize");
                    Tensor ws = workspace(mat, lwork.get());
                    status(cusolverDnDgesvdj(h, CUSOLVER_EIG_MODE_VECTOR, 1, cols, rows, pa, cols, ps, pu, cols, pv, rows, new DoublePointer(ws.data_ptr()), lwork.get(), new IntPointer(info.data_ptr()), params), "cusolverDnDgesvdj");
                } else {
                    FloatPointer pa = new FloatPointer(a.data_ptr()), ps = new FloatPointer(s.data_ptr()), pu = new FloatPointer(uc.data_ptr()), pv = new FloatPointer(vc.data_ptr());
                    status(cusolverDnSgesvdj_bufferSize(h, CUSOLVER_EIG_MODE_VECTOR, 1, cols, rows, pa, cols, ps, pu, cols, pv, rows, lwork, params), "cusolverDnSgesvdj_bufferSize");
                    Tensor ws = workspace(mat, lwork.get());
                    status(cusolverDnSgesvdj(h, CUSOLVER_EIG_MODE_VECTOR, 1, cols, rows, pa, cols, ps, pu, cols, pv, rows, new FloatPointer(ws.data_ptr()), lwork.get(), new IntPointer(info.data_ptr()), params), "cusolverDnSgesvdj");
                }
                long inf = (long) Torch.scalar(info);   // synchronises before params is destroyed
                if (inf > 0) return null;            // did not converge: the caller redoes it by gesvd
                if (inf < 0) throw new IllegalStateException("cusolver gesvdj: argument " + -inf + " invalid");
            } finally {
                cusolverDnDestroyGesvdjInfo(params);
            }
            out = new Svd(handoff.keep(vc.t().contiguous()), handoff.keep(s), handoff.keep(uc));
        }
        handoff.deliver();
        return out;
    }

    private static void checkInfo(double info, int n, String call) {
        if (info == 0) return;
        throw new IllegalStateException("cuSOLVER " + call + ": " + (info > 0 ? "the eigensolver failed to converge (info " + (long) info + ", n " + n + ")" : "argument " + (long) -info + " invalid"));
    }

    // ---- results that outlive the method's PointerScope (docs/JAVACPP.md) --------------------

    /** Both tensors of {@code e} kept by the hand-off. */
    private static Eigen keep(Handoff h, Eigen e) {
        return new Eigen(h.keep(e.values()), h.keep(e.vectors()), e.pivotRatio());
    }
}
