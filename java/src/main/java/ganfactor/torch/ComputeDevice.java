package ganfactor.torch;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Where the work of one command runs: the CPU, or the first CUDA device. Chosen once per command
 * by {@link Devices#select}; a CUDA choice is only ever made after {@link Devices#probe()} found
 * CUDA usable, so holding a CUDA {@code ComputeDevice} means the CUDA classes may be touched.
 *
 * @param cuda      whether this is a CUDA device
 * @param cusolver  whether the CUDA preset (cuSOLVER, cuBLAS, cudart) loaded: the dense kernels
 *                  then call cuSOLVER directly, otherwise LibTorch's own CUDA linear algebra
 */
public record ComputeDevice(boolean cuda, boolean cusolver) {

    public static final ComputeDevice CPU = new ComputeDevice(false, false);

    /** The torch device ("cpu" or "cuda:0"); a small native object owned by the caller's scope. */
    public Device torch() {
        return new Device(cuda ? "cuda:0" : "cpu");
    }

    /** Tensor options of the given dtype on this device. */
    public TensorOptions options(torch.ScalarType type) {
        return new TensorOptions(type).device(new DeviceOptional(torch()));
    }

    public String label() {
        return cuda ? "cuda:0" : "cpu";
    }
}
