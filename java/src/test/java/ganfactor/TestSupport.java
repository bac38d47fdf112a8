package ganfactor;

import ganfactor.generator.Generator;
import org.bytedeco.pytorch.global.torch;

import java.nio.file.Files;
import java.nio.file.Path;

/** Shared fixtures: one demo generator per precision for the whole suite (LibTorch loads once). */
public final class TestSupport {
    private static Generator demo32, demo64;

    private TestSupport() {}

    public static synchronized Generator demo32() {
        if (demo32 == null) {
            Engine.init(0);
            demo32 = Generator.demo().to(torch.ScalarType.Float);
        }
        return demo32;
    }

    /** The demo generator in float64, for checks at 1e-9. */
    public static synchronized Generator demo64() {
        if (demo64 == null) {
            Engine.init(0);
            demo64 = Generator.demo(); // built in float64
        }
        return demo64;
    }

    /** ../shared/fixtures beside the checkout (CI has it), or null. */
    public static Path fixtures() {
        for (Path p : new Path[]{Path.of("../shared/fixtures"), Path.of("../../shared/fixtures")})
            if (Files.isDirectory(p)) return p;
        return null;
    }

    /**
     * Skips a test whose data is missing here, with the reason; under CI (environment CI=true,
     * where shared/ and the native build are always present) a missing input is a failure, not a skip.
     */
    public static void requirePresent(boolean present, String what) {
        if (present) return;
        if ("true".equalsIgnoreCase(System.getenv("CI")))
            org.junit.jupiter.api.Assertions.fail(what + " is missing, and CI always has it");
        org.junit.jupiter.api.Assumptions.assumeTrue(false, "skipped: " + what + " not found");
    }

    public static double maxAbs(double[] a) {
        return ganfactor.check.Matrices.maxAbs(a);
    }

    public static double maxAbsDiff(double[] a, double[] b) {
        return ganfactor.check.Matrices.maxAbsDiff(a, b);
    }
}
