package ganfactor.cli;

import ganfactor.check.GpuCheck;
import ganfactor.io.OutputDir;
import ganfactor.torch.ComputeDevice;
import ganfactor.torch.Devices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;

@Command(name = "gpu-check", header = "Prove the GPU path on a device machine: probe, CPU-vs-GPU parity, residency and timings.",
        description = {
                "Runs, in order: the CUDA probe (each step: LibTorch's CUDA libraries, the CUDA preset with runtime and driver versions, torch's",
                "handles); the parity and residency checks of CusolverParityTest, RpcaGpuParityTest and DeviceResidencyTest (the same code);",
                "timings, each the median of a few runs after a warm-up: the W-space Jacobian and discover on a config-F StyleGAN2 at 1024 px,",
                "the W+ Jacobian, both again with TF32 allowed (and the top-5 |cos| of their directions to float32's), the ReSeFa solve at",
                "d = 512, the fast path at d = 9216 and the certified RPCA at d = 512. Writes gpu-check.json and gpu-check.log into --out.",
                "Without a usable CUDA device it says so on one line and exits with code 4; --rehearse runs the same steps on the CPU at",
                "small sizes (the CUDA-only parity checks left out), to try the sequence before a GPU minute is spent."})
final class GpuCheckCommand implements Callable<Integer> {
    /** Exit code when no usable CUDA device is there (and no --rehearse). */
    static final int EXIT_NO_GPU = 4;

    @Option(names = "--rehearse", description = "run every step on the CPU at small sizes instead (no CUDA needed)")
    boolean rehearse;
    @Option(names = "--quick", description = "leave out the W+ Jacobians and run two repeats instead of three (a rerun that must be short)")
    boolean quick;
    @Mixin OutputOptions output;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        ganfactor.Engine.init(0);
        ComputeDevice dev;
        if (rehearse) {
            dev = ComputeDevice.CPU;
        } else {
            Devices.Probe p = Devices.probe();
            if (!p.cuda()) {
                spec.commandLine().getErr().println("ganfactor gpu-check: no usable CUDA device: " + p.note());
                return EXIT_NO_GPU;
            }
            dev = Devices.select("cuda");
        }
        GpuCheck.Plan plan = rehearse ? GpuCheck.Plan.rehearsal() : quick ? GpuCheck.Plan.quick() : GpuCheck.Plan.full();
        try (OutputDir dir = output.open("ganfactor gpu-check")) {
            System.out.println("ganfactor gpu-check (" + plan.name() + ", " + dev.label() + "):");
            GpuCheck.Result r = GpuCheck.run(dev, plan, dir, line -> {
                System.out.println("  " + line);
                System.out.flush();
            });
            dir.commit();
            System.out.println((r.passed() ? "all steps passed" : "SOME STEPS FAILED") + "; wrote " + dir.target());
            return r.passed() ? 0 : 1;
        }
    }
}
