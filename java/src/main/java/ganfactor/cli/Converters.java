package ganfactor.cli;

import ganfactor.jacobian.JacobianEngine;
import ganfactor.torch.Torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import picocli.CommandLine.ITypeConverter;

/** picocli converters for the typed options: sizes and precisions arrive parsed and checked, never as strings to parse later. */
public final class Converters {
    private Converters() {}

    /** {@code auto} or a size such as 512m, 2g (at least 64m): {@link JacobianEngine#parseBudget}. */
    static final class Budget implements ITypeConverter<Long> {
        @Override
        public Long convert(String s) {
            return JacobianEngine.parseBudget(s);
        }
    }

    /** float32 (fp32) or float64 (fp64): {@link Torch#parsePrecision}. */
    public static final class Precision implements ITypeConverter<ScalarType> {
        @Override
        public ScalarType convert(String s) {
            return Torch.parsePrecision(s);
        }
    }
}
