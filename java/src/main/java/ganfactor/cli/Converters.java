package ganfactor.cli;

import ganfactor.InputException;
import ganfactor.jacobian.JacobianEngine;
import org.bytedeco.pytorch.global.torch.ScalarType;
import picocli.CommandLine.ITypeConverter;

import java.util.Locale;

/** picocli converters for the typed options: sizes and precisions arrive parsed and checked, never as strings to parse later. */
final class Converters {
    private Converters() {}

    /** {@code auto} or a size such as 512m, 2g, 16gb (at least 64m) in bytes; auto is {@link JacobianEngine#AUTO_BUDGET}. */
    static final class Budget implements ITypeConverter<Long> {
        @Override
        public Long convert(String s) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            if (t.equals("auto")) return JacobianEngine.AUTO_BUDGET;
            long mult = 1;
            if (t.endsWith("g") || t.endsWith("gb")) { mult = 1L << 30; t = t.replaceAll("g[b]?$", ""); }
            else if (t.endsWith("m") || t.endsWith("mb")) { mult = 1L << 20; t = t.replaceAll("m[b]?$", ""); }
            else if (t.endsWith("k") || t.endsWith("kb")) { mult = 1L << 10; t = t.replaceAll("k[b]?$", ""); }
            double v;
            try {
                v = Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw new InputException("--memory-budget must be auto or a size like 512m or 2g, got '" + s + "'");
            }
            if (!(v > 0) || !Double.isFinite(v) || v * mult > 1L << 50)
                throw new InputException("--memory-budget must be auto or a size like 512m or 2g, got '" + s + "'");
            long bytes = (long) (v * mult);
            if (bytes < JacobianEngine.MIN_BUDGET)
                throw new InputException("--memory-budget " + s + " is below the 64m minimum: smaller budgets split the Jacobian into thousands of passes");
            return bytes;
        }
    }

    /** float32 (fp32) or float64 (fp64) as LibTorch's scalar type. */
    static final class Precision implements ITypeConverter<ScalarType> {
        @Override
        public ScalarType convert(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "float32", "fp32" -> ScalarType.Float;
                case "float64", "fp64" -> ScalarType.Double;
                default -> throw new InputException("--precision must be float32 or float64, got '" + s + "'");
            };
        }
    }
}
