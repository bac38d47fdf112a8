package ganfactor.cli;

import ganfactor.Engine;
import ganfactor.torch.ComputeDevice;
import ganfactor.torch.Devices;
import picocli.CommandLine.Option;

/** {@code --device auto|cpu|cuda} and {@code --threads}, shared by every command that computes. */
public final class RunOptions {
    @Option(names = "--device", defaultValue = "auto",
            description = "auto (CUDA when usable, else the CPU), cpu or cuda (an error when CUDA is not usable) (default: ${DEFAULT-VALUE})")
    String spec = "auto";
    @Option(names = "--threads", defaultValue = "0", description = "CPU threads (0 = all cores)")
    int threads;

    private ComputeDevice chosen;

    /** The device, chosen (and CUDA probed, once per JVM) on first use. */
    ComputeDevice device() {
        if (chosen == null) chosen = Devices.select(spec);
        return chosen;
    }

    /** Starts the engine with {@code --threads} and returns the device (a bad {@code --device} fails here, before any model loads). */
    public ComputeDevice start() {
        Engine.init(threads);
        return device();
    }
}
