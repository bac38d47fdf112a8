package ganfactor.cli;

import ganfactor.torch.ComputeDevice;
import ganfactor.torch.Devices;
import picocli.CommandLine.Option;

/** {@code --device auto|cpu|cuda}, shared by every command that computes. */
final class DeviceOption {
    @Option(names = "--device", defaultValue = "auto",
            description = "auto (CUDA when usable, else the CPU), cpu or cuda (an error when CUDA is not usable) (default: ${DEFAULT-VALUE})")
    String spec = "auto";

    private ComputeDevice chosen;

    /** The device, chosen (and CUDA probed, once per JVM) on first use. */
    ComputeDevice device() {
        if (chosen == null) chosen = Devices.select(spec);
        return chosen;
    }
}
