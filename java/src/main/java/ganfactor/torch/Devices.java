package ganfactor.torch;

import ganfactor.InputException;

import java.util.Locale;
import java.util.function.Supplier;

import static ganfactor.InputException.ref;

/**
 * The one CUDA probe of the JVM and the {@code --device auto|cpu|cuda} choice.
 *
 * <p>The probe runs at most once per JVM, in steps, each recorded with what it found
 * ({@link Probe#steps()}, printed by {@code ganfactor info}):
 * <ol>
 * <li>LibTorch: {@code cuda_is_available()} (false with the CPU natives, or with the GPU natives
 * but no driver or device). Nothing below runs unless it said yes.</li>
 * <li>LibTorch's CUDA libraries: the {@code torch_cuda} preset is loaded, which extracts and loads
 * {@code c10_cuda}, {@code torch_cuda} and {@code torch_cuda_linalg}. The last one is never loaded
 * otherwise: {@code libtorch_cuda} holds only lazy stubs for QR, Cholesky, eigh and SVD that
 * dlopen it by its bare name at the first such op, and JavaCPP extracts only what it loads, so
 * without this step the first linear algebra on the device fails ("Error in dlopen:
 * libtorch_cuda_linalg.so"). A 2 x 2 Cholesky on the device proves it. If this step fails, CUDA is
 * reported unusable: every method needs linear algebra on the device.</li>
 * <li>The CUDA preset (cudart, cuBLAS, cuSOLVER JNI wrappers and the CUDA libraries they link),
 * with the runtime's and the driver's versions.</li>
 * <li>LibTorch's own cuSOLVER and cuBLAS handles, fetched once (what {@code CusolverLinalg}
 * uses).</li>
 * </ol>
 * If step 3 or 4 fails, the dense kernels use LibTorch's CUDA linear algebra instead of calling
 * cuSOLVER directly. Every step runs inside a catch of {@link Throwable}: a CUDA class whose native
 * library fails to load stays unusable for the rest of the JVM (docs/JAVACPP.md), and an
 * {@code UnsatisfiedLinkError} is no {@code RuntimeException}. The probe never throws.
 */
public final class Devices {

    /** One step of the probe: what was tried, whether it worked, and what it found or why it failed (one line). */
    public record Step(String name, boolean ok, String detail) {
        @Override
        public String toString() {
            return name + ": " + (ok ? "" : "FAILED, ") + detail;
        }
    }

    /**
     * What the probe found. {@code cuda}: ganfactor can compute on a CUDA device (LibTorch sees one
     * and its CUDA linear algebra loaded); {@code cusolver}: the CUDA preset and LibTorch's handles
     * are usable too; {@code steps}: each step's outcome.
     */
    public record Probe(boolean cuda, boolean cusolver, int deviceCount, String note, java.util.List<Step> steps) {
        public Probe(boolean cuda, boolean cusolver, int deviceCount, String note) {
            this(cuda, cusolver, deviceCount, note, java.util.List.of());
        }
    }

    /** The probe's native steps, injected so that tests can stand in for a GPU machine. */
    interface Natives {
        /** Whether LibTorch sees a CUDA device. */
        boolean torchCuda();

        /** The number of devices LibTorch sees. */
        int deviceCount();

        /** Loads c10_cuda, torch_cuda and torch_cuda_linalg and runs a linear algebra op on the device; returns what it did. */
        String torchCudaLibraries();

        /** Loads the CUDA preset (cudart, cuBLAS, cuSOLVER); returns the runtime's and the driver's versions. */
        String cudaPresets();

        /** Fetches LibTorch's cuSOLVER and cuBLAS handles; returns a description. */
        String handles();
    }

    private static Probe probe;

    private Devices() {}

    /** The JVM's probe result (probing on the first call only). */
    public static synchronized Probe probe() {
        if (probe == null) probe = probe(REAL);
        return probe;
    }

    /** The probe's logic over injected native steps (see the class comment for the order and what each failure means). */
    static Probe probe(Natives n) {
        java.util.List<Step> steps = new java.util.ArrayList<>();
        boolean cuda;
        try {
            cuda = n.torchCuda();
        } catch (Throwable t) {
            steps.add(new Step("libtorch cuda", false, why(t)));
            return new Probe(false, false, 0, "not available (" + t.getClass().getSimpleName() + " from LibTorch)", steps);
        }
        if (!cuda) {
            steps.add(new Step("libtorch cuda", false, "cuda_is_available() is false (CPU natives, or no CUDA driver or device)"));
            return new Probe(false, false, 0, "not available (CPU natives, or no CUDA driver or device)", steps);
        }
        int count;
        try {
            count = n.deviceCount();
        } catch (Throwable t) {
            count = 1;
        }
        steps.add(new Step("libtorch cuda", true, count + " device(s)"));
        try {
            steps.add(new Step("libtorch cuda libraries", true, n.torchCudaLibraries()));
        } catch (Throwable t) {
            steps.add(new Step("libtorch cuda libraries", false, why(t)));
            return new Probe(false, false, count, count + " device(s) seen, but LibTorch's CUDA libraries (c10_cuda, torch_cuda, torch_cuda_linalg) failed: "
                    + why(t) + "; linear algebra on the device is impossible, so CUDA is not used", steps);
        }
        String versions;
        try {
            versions = n.cudaPresets();
            steps.add(new Step("cuda preset", true, versions));
        } catch (Throwable t) {
            steps.add(new Step("cuda preset", false, why(t)));
            return new Probe(true, false, count, count + " device(s); the CUDA preset did not load (" + why(t)
                    + "), so the dense kernels use LibTorch's CUDA linear algebra", steps);
        }
        try {
            steps.add(new Step("torch cusolver/cublas handles", true, n.handles()));
        } catch (Throwable t) {
            steps.add(new Step("torch cusolver/cublas handles", false, why(t)));
            return new Probe(true, false, count, count + " device(s); " + versions + "; LibTorch's cuSOLVER/cuBLAS handles failed (" + why(t)
                    + "), so the dense kernels use LibTorch's CUDA linear algebra", steps);
        }
        return new Probe(true, true, count, count + " device(s); cuSOLVER/cuBLAS loaded (" + versions + ")", steps);
    }

    private static String why(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + firstLine(t.getMessage());
    }

    /** The real steps; CUDA classes are touched only from {@link Natives#torchCudaLibraries()} on, after LibTorch said yes. */
    static final Natives REAL = new Natives() {
        public boolean torchCuda() {
            return org.bytedeco.pytorch.global.torch.cuda_is_available();
        }

        public int deviceCount() {
            return (int) org.bytedeco.pytorch.global.torch.cuda_device_count();
        }

        public String torchCudaLibraries() {
            org.bytedeco.javacpp.Loader.load(org.bytedeco.pytorch.global.torch_cuda.class);
            try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
                org.bytedeco.pytorch.Tensor eye = org.bytedeco.pytorch.global.torch.eye(2, new ComputeDevice(true, false).options(org.bytedeco.pytorch.global.torch.ScalarType.Double));
                double d = org.bytedeco.pytorch.global.torch.linalg_cholesky(eye).sum().item_double();
                if (d != 2.0) throw new IllegalStateException("a 2 x 2 Cholesky on the device gave " + d + ", not 2");
            }
            return "c10_cuda, torch_cuda, torch_cuda_linalg loaded; a Cholesky on the device ran";
        }

        public String cudaPresets() {
            org.bytedeco.javacpp.Loader.load(org.bytedeco.cuda.global.cudart.class);
            org.bytedeco.javacpp.Loader.load(org.bytedeco.cuda.global.cublas.class);
            org.bytedeco.javacpp.Loader.load(org.bytedeco.cuda.global.cusolver.class);
            int[] v = new int[1];
            int rc = org.bytedeco.cuda.global.cudart.cudaRuntimeGetVersion(v);
            if (rc != 0) throw new IllegalStateException("cudaRuntimeGetVersion returned " + rc);
            int[] dv = new int[1];
            int drc = org.bytedeco.cuda.global.cudart.cudaDriverGetVersion(dv);
            return "CUDA runtime " + version(v[0]) + ", driver " + (drc == 0 ? version(dv[0]) : "unknown (cudaDriverGetVersion returned " + drc + ")");
        }

        public String handles() {
            org.bytedeco.javacpp.Pointer solver = org.bytedeco.pytorch.global.torch_cuda.getCurrentCUDASolverDnHandle();
            if (solver == null || solver.isNull()) throw new IllegalStateException("getCurrentCUDASolverDnHandle() returned null");
            org.bytedeco.javacpp.Pointer blas = org.bytedeco.pytorch.global.torch_cuda.getCurrentCUDABlasHandle();
            if (blas == null || blas.isNull()) throw new IllegalStateException("getCurrentCUDABlasHandle() returned null");
            return "ok";
        }
    };

    /** 13000 -> "13.0". */
    static String version(int v) {
        return v / 1000 + "." + (v % 1000) / 10;
    }

    /**
     * The device for {@code --device}: {@code auto} (CUDA when the probe found it usable, else
     * the CPU), {@code cpu} (never probes CUDA), {@code cuda} (an {@link InputException} naming
     * what the probe found when CUDA is not usable).
     */
    public static ComputeDevice select(String spec) {
        return select(spec, Devices::probe);
    }

    static ComputeDevice select(String spec, Supplier<Probe> prober) {
        String s = spec == null ? "auto" : spec.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "cpu":
                return ComputeDevice.CPU;
            case "auto": {
                Probe p = prober.get();
                return p.cuda() ? new ComputeDevice(true, p.cusolver()) : ComputeDevice.CPU;
            }
            case "cuda":
            case "cuda:0":
            case "gpu": {
                Probe p = prober.get();
                if (!p.cuda()) throw new InputException(ref("device") + " cuda: CUDA is " + p.note()
                        + "; build with -Pgpu and run on a machine with an NVIDIA driver, or use " + ref("device") + " cpu");
                return new ComputeDevice(true, p.cusolver());
            }
            default:
                throw new InputException("unknown " + ref("device") + " '" + spec + "' (expected auto, cpu or cuda)");
        }
    }

    /**
     * The memory of a CUDA device as this process can use it: the driver's free memory, the total,
     * and what LibTorch's caching allocator has reserved and allocated.
     *
     * @param source where the numbers came from, for records and messages
     */
    public record DeviceMemory(long free, long total, long reserved, long allocated, String source) {
        /**
         * Bytes this process can still allocate: the driver's free memory plus what the caching
         * allocator has reserved but not handed out (freed tensors stay reserved: the driver's free
         * memory alone shrinks with every sample that discovery keeps or frees).
         */
        public long usable() {
            return free + Math.max(0, reserved - allocated);
        }
    }

    /**
     * The current CUDA device's memory ({@link DeviceMemory}) from LibTorch's own allocator
     * (free and total from its memory info, reserved and allocated bytes from its statistics), so it
     * needs no CUDA preset; null on the CPU or when the allocator cannot answer.
     */
    public static DeviceMemory deviceMemory(ComputeDevice d) {
        if (!d.cuda()) return null;
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {   // the pair and the stats are native
            org.bytedeco.pytorch.cuda.DeviceAllocator a = org.bytedeco.pytorch.global.torch_cuda.getDeviceAllocator(org.bytedeco.pytorch.global.torch.DeviceType.CUDA);
            org.bytedeco.pytorch.SizeTPair info = a.getMemoryInfo((byte) 0);
            org.bytedeco.pytorch.cuda.DeviceStats st = a.getDeviceStats((byte) 0);
            // the stat arrays' first entry is the aggregate over the small and large pools
            return new DeviceMemory(info.first(), info.second(), st.reserved_bytes().current(), st.allocated_bytes().current(), "LibTorch's CUDA allocator");
        } catch (Throwable t) {
            long[] m = memoryInfo(d);
            return m == null ? null : new DeviceMemory(m[0], m[1], 0, 0, "cudaMemGetInfo (LibTorch's allocator did not answer: " + why(t) + ")");
        }
    }

    /**
     * Free and total memory of the current CUDA device in bytes (cudaMemGetInfo), or null when
     * the device is not CUDA or the CUDA preset did not load.
     */
    public static long[] memoryInfo(ComputeDevice d) {
        if (!d.cuda() || !d.cusolver()) return null;
        try (org.bytedeco.javacpp.SizeTPointer free = new org.bytedeco.javacpp.SizeTPointer(1);
             org.bytedeco.javacpp.SizeTPointer total = new org.bytedeco.javacpp.SizeTPointer(1)) {
            int rc = org.bytedeco.cuda.global.cudart.cudaMemGetInfo(free, total);
            if (rc != 0) return null;
            return new long[]{free.get(), total.get()};
        }
    }

    private static String firstLine(String m) {
        int nl = m.indexOf('\n');
        return (nl >= 0 ? m.substring(0, nl) : m).trim();
    }

    /**
     * What the runtime reports about itself ({@link ganfactor.Engine#info()}: versions, cores,
     * threads) and about CUDA: the probe's note and steps, and the device {@code auto} picks. The
     * records' "versions" block and {@code ganfactor info}.
     */
    public static java.util.Map<String, String> info() {
        java.util.Map<String, String> m = ganfactor.Engine.info();
        Probe p = probe();   // never throws; CUDA classes only if LibTorch sees CUDA
        m.put("cuda", p.note());
        for (Step st : p.steps()) m.put("cuda: " + st.name(), (st.ok() ? "ok, " : "FAILED, ") + st.detail());
        ComputeDevice d = select("auto");
        m.put("device", d.label() + " (device auto)" + (d.cuda() ? "; dense kernels: " + (d.cusolver() ? "cuSOLVER" : "LibTorch CUDA") : ""));
        return m;
    }
}
