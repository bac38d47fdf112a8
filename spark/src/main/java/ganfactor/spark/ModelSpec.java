package ganfactor.spark;

import ganfactor.InputException;

import java.io.Serializable;
import java.util.Locale;

/**
 * Which generator every executor loads, as the driver saw it: the model (demo, stylegan2:RES, stylegan3:RES, a
 * weight or TorchScript file that every worker can read at the same path), its precision, the
 * device policy (auto: the task's GPU when Spark gave it one, else the CPU; cpu: always the CPU)
 * and LibTorch's intra-op threads per executor JVM (0: all the executor's cores, not divided by
 * its task slots: the Jacobians run one at a time per JVM, see {@link ExecutorGenerator}).
 */
public record ModelSpec(String model, String precision, String device, int threads) implements Serializable {
    public ModelSpec {
        if (model == null || model.isBlank()) throw new InputException("--model must name a generator (demo, stylegan2:RES, stylegan3:RES or a file)");
        precision = precision == null ? "float32" : precision.toLowerCase(Locale.ROOT);
        if (!precision.equals("float32") && !precision.equals("float64"))
            throw new InputException("--precision must be float32 or float64, got " + precision);
        device = device == null ? "auto" : device.toLowerCase(Locale.ROOT);
        if (!device.equals("auto") && !device.equals("cpu"))
            throw new InputException("--device must be auto (the task's GPU when Spark gives one, else the CPU) or cpu, got " + device);
        if (threads < 0) throw new InputException("--threads must be >= 0, got " + threads);
    }

    public static ModelSpec demo() {
        return new ModelSpec("demo", "float32", "cpu", 0);
    }

    org.bytedeco.pytorch.global.torch.ScalarType dtype() {
        return precision.equals("float64") ? org.bytedeco.pytorch.global.torch.ScalarType.Double : org.bytedeco.pytorch.global.torch.ScalarType.Float;
    }
}
