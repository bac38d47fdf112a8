package ganfactor.torch;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.HashMap;
import java.util.Map;

/**
 * This machine's float32 matrix-multiply rate, the yardstick the run records compare a stage's
 * rate with: a 1024 x 1024 x 1024 float32 matmul on the device, the best of 5 timed runs after 2
 * warm-ups (about 0.3 s on the 2-core development machine), measured once per JVM per device and
 * LibTorch thread count. A probe, not a benchmark: JMH's figures stay the project's claims.
 */
public final class Peak {
    private Peak() {}

    /** The rate and how it was measured. */
    public record Measurement(double gflops, String how) {}

    private static final Map<String, Measurement> CACHE = new HashMap<>();
    static final int N = 1024;

    public static synchronized Measurement float32(ComputeDevice device) {
        String key = device.label() + "/" + torch.get_num_threads();
        return CACHE.computeIfAbsent(key, k -> probe(device));
    }

    private static Measurement probe(ComputeDevice device) {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Tensor a = torch.randn(new long[]{N, N}, device.options(torch.ScalarType.Float));
            Tensor b = torch.randn(new long[]{N, N}, device.options(torch.ScalarType.Float));
            double best = Double.POSITIVE_INFINITY;
            for (int i = 0; i < 7; i++) {
                long t0 = System.nanoTime();
                Tensor c = a.mm(b);
                Torch.scalar(c.select(0, 0).select(0, 0).to(torch.ScalarType.Double));   // waits for the device
                double s = (System.nanoTime() - t0) / 1e9;
                if (i >= 2) best = Math.min(best, s);
            }
            double gflops = 2.0 * N * N * N / best / 1e9;
            return new Measurement(gflops, String.format(java.util.Locale.ROOT, "float32 %dx%dx%d matmul on %s, %d LibTorch threads, best of 5 after 2 warm-ups",
                    N, N, N, device.label(), torch.get_num_threads()));
        }
    }
}
