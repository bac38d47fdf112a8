package ganfactor.torch;

import ganfactor.InputException;

import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one CUDA probe of the JVM and the {@code --device auto|cpu|cuda} choice.
 *
 * <p>The probe runs at most once per JVM. First LibTorch is asked ({@code cuda_is_available()}:
 * false with the CPU natives, or with the GPU natives but no driver or device). Only when that
 * says yes are the CUDA preset classes (cudart, cuBLAS, cuSOLVER) touched, inside a catch of
 * {@link Throwable}: a CUDA class whose native library fails to load stays unusable for the rest
 * of the JVM (docs/JAVACPP.md), so nothing may touch them speculatively, and nothing touches
 * them again after a failure. The probe never throws.
 */
public final class Devices {

    /** What the probe found. {@code cuda}: LibTorch can run on a CUDA device; {@code cusolver}: the CUDA preset loaded too. */
    public record Probe(boolean cuda, boolean cusolver, int deviceCount, String note) {}

    private static Probe probe;

    private Devices() {}

    /** The JVM's probe result (probing on the first call only). */
    public static synchronized Probe probe() {
        if (probe == null) probe = probe(Devices::torchCuda, Devices::loadCudaPresets);
        return probe;
    }

    /**
     * The probe's logic with its two native steps injected (tests replace them). {@code torchCuda}
     * answers whether LibTorch sees a CUDA device; {@code presets} loads the CUDA preset and
     * returns a description, and is called only when {@code torchCuda} said yes.
     */
    static Probe probe(BooleanSupplier torchCuda, Supplier<String> presets) {
        boolean cuda;
        try {
            cuda = torchCuda.getAsBoolean();
        } catch (Throwable t) {
            return new Probe(false, false, 0, "not available (" + t.getClass().getSimpleName() + " from LibTorch)");
        }
        if (!cuda) return new Probe(false, false, 0, "not available (CPU natives, or no CUDA driver or device)");
        int count;
        try {
            count = org.bytedeco.pytorch.global.torch.cuda_device_count();
        } catch (Throwable t) {
            count = 1;
        }
        try {
            String what = presets.get();
            return new Probe(true, true, count, count + " device(s); cuSOLVER/cuBLAS " + what);
        } catch (Throwable t) {
            String why = t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + firstLine(t.getMessage());
            return new Probe(true, false, count, count + " device(s); the CUDA preset did not load (" + why
                    + "), so the dense kernels use LibTorch's CUDA linear algebra");
        }
    }

    private static boolean torchCuda() {
        return org.bytedeco.pytorch.global.torch.cuda_is_available();
    }

    /** Loads cudart, cuBLAS and cuSOLVER (their JNI wrappers and the host's CUDA libraries). Only after torchCuda() said yes. */
    private static String loadCudaPresets() {
        org.bytedeco.javacpp.Loader.load(org.bytedeco.cuda.global.cudart.class);
        org.bytedeco.javacpp.Loader.load(org.bytedeco.cuda.global.cublas.class);
        org.bytedeco.javacpp.Loader.load(org.bytedeco.cuda.global.cusolver.class);
        int[] v = new int[1];
        int rc = org.bytedeco.cuda.global.cudart.cudaRuntimeGetVersion(v);
        if (rc != 0) throw new IllegalStateException("cudaRuntimeGetVersion returned " + rc);
        return "loaded (CUDA runtime " + v[0] / 1000 + "." + (v[0] % 1000) / 10 + ")";
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
                if (!p.cuda()) throw new InputException("--device cuda: CUDA is " + p.note()
                        + "; build with -Pgpu and run on a machine with an NVIDIA driver, or use --device cpu");
                return new ComputeDevice(true, p.cusolver());
            }
            default:
                throw new InputException("unknown --device '" + spec + "' (expected auto, cpu or cuda)");
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
}
