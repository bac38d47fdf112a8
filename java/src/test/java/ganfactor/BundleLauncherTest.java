package ganfactor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The bundle's launcher (bundle/launcher.sh) on a fake bundle and a fake Python site-packages
 * laid out as torch 2.11+cu130 installs it (issue 31): {@code --cuda-libs SITE_PACKAGES} must take
 * the nvidia/cu13/lib (and cudnn, nccl) folders, never torch/lib with its own libtorch, and a
 * missing CUDA library must stop the launch with its name instead of reaching the JVM. The fake
 * runtime's java prints its environment and arguments.
 */
class BundleLauncherTest {
    static final List<String> CU13 = List.of("libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libcusparse.so.12", "libcufft.so.12",
            "libcurand.so.10", "libnvrtc.so.13", "libcufile.so.0", "libcupti.so.13", "libcusolver.so.12", "libcusolverMg.so.12");
    static final List<String> CUDNN = List.of("libcudnn.so.9", "libcudnn_adv.so.9", "libcudnn_cnn.so.9", "libcudnn_graph.so.9", "libcudnn_ops.so.9");

    @TempDir
    Path dir;

    record Run(int code, String out) {}

    Path bundle(boolean gpu) throws IOException {
        Path b = Files.createDirectories(dir.resolve(gpu ? "gpu" : "cpu"));
        Files.copy(Path.of("../bundle/launcher.sh"), b.resolve("ganfactor"));
        Path java = Files.createDirectories(b.resolve("runtime/bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"LD=$LD_LIBRARY_PATH\"\necho \"ARGS=$*\"\n");
        Files.createDirectories(b.resolve("runtime/lib"));
        Files.createDirectories(b.resolve("app/lib"));
        Files.writeString(b.resolve("app/ganfactor.jar"), "");
        Files.writeString(b.resolve("app/lib/pytorch-2.13.0-1.5.14-linux-x86_64" + (gpu ? "-gpu" : "") + ".jar"), "");
        for (Path p : List.of(java, b.resolve("ganfactor"))) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return b;
    }

    Path sitePackages() throws IOException {
        Path sp = dir.resolve("site-packages");
        for (String f : List.of("torch/lib/libtorch.so", "torch/lib/libc10.so", "torch/lib/libtorch_cuda.so", "cupy/lib/libcupy_extra.so")) touch(sp.resolve(f));
        for (String f : CU13) touch(sp.resolve("nvidia/cu13/lib/" + f));
        for (String f : CUDNN) touch(sp.resolve("nvidia/cudnn/lib/" + f));
        touch(sp.resolve("nvidia/nccl/lib/libnccl.so.2"));
        return sp;
    }

    static void touch(Path p) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, "");
    }

    Run run(Path bundle, String... args) throws Exception {
        return run(bundle, true, args);
    }

    Run runWith(Path bundle, java.util.Map<String, String> env, String... args) throws Exception {
        return run(bundle, true, env, args);
    }

    Run run(Path bundle, boolean gpu, String... args) throws Exception {
        return run(bundle, gpu, java.util.Map.of(), args);
    }

    /** Runs the launcher; {@code gpu}: as on a machine with an NVIDIA device (GANFACTOR_ASSUME_GPU). */
    Run run(Path bundle, boolean gpu, java.util.Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", bundle.resolve("ganfactor").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("HOME", dir.toString());                 // no site-packages of this machine's user
        pb.environment().put("GANFACTOR_PYTHON", "/nonexistent/python");
        pb.environment().remove("LD_LIBRARY_PATH");
        if (gpu) pb.environment().put("GANFACTOR_ASSUME_GPU", "1");
        else pb.environment().remove("GANFACTOR_ASSUME_GPU");
        pb.environment().remove("GANFACTOR_CUDA_CHECK");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        return new Run(p.waitFor(), out);
    }

    @Test
    void sitePackagesGivesTheNvidiaLibrariesAndNeverTorchsOwn() throws Exception {
        Path b = bundle(true), sp = sitePackages();
        Run r = run(b, "--cuda-libs", sp.toString(), "info");
        assertEquals(0, r.code(), r.out());
        String ld = r.out().lines().filter(l -> l.startsWith("LD=")).findFirst().orElseThrow();
        for (String d : List.of("nvidia/cu13/lib", "nvidia/cudnn/lib", "nvidia/nccl/lib"))
            assertTrue(ld.contains(sp.resolve(d).toString()), d + " in " + ld);
        assertFalse(ld.contains("torch/lib"), "a foreign libtorch's folder: " + ld);
        assertFalse(ld.contains("cupy/lib"), "another package's lib folder of a site-packages: " + ld);
        assertTrue(r.out().contains("-Djava.library.path=" + b.resolve("runtime/lib")), r.out());
        assertTrue(r.out().contains("ganfactor.cli.Main info"), r.out());
    }

    @Test
    void aMissingCudaLibraryStopsTheLaunchWithItsName() throws Exception {
        Path b = bundle(true), sp = sitePackages();
        Files.delete(sp.resolve("nvidia/cu13/lib/libcusolver.so.12"));
        Files.delete(sp.resolve("nvidia/cudnn/lib/libcudnn_ops.so.9"));
        Run r = run(b, "--cuda-libs", sp.toString(), "info");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains("not here: libcudnn_ops.so.9 libcusolver.so.12") || r.out().contains("libcusolver.so.12"), r.out());
        assertTrue(r.out().contains("libcudnn_ops.so.9"), r.out());
        assertFalse(r.out().contains("torch/lib"), "torch/lib is not even looked at in a site-packages: " + r.out());
        assertFalse(r.out().contains("ARGS="), "the JVM must not start: " + r.out());
        // GANFACTOR_CUDA_CHECK=warn (device_run.sh): said, and the JVM starts
        Run warned = runWith(b, java.util.Map.of("GANFACTOR_CUDA_CHECK", "warn"), "--cuda-libs", sp.toString(), "info");
        assertEquals(0, warned.code(), warned.out());
        assertTrue(warned.out().contains("warning: CUDA 13 libraries not found: libcudnn_ops.so.9") && warned.out().contains("ARGS="), warned.out());
        Run none = run(b, "info");   // no folder given, none found: every library missing
        assertEquals(2, none.code(), none.out());
        assertTrue(none.out().contains("libcusolver.so.12") && none.out().contains("--cuda-libs DIR"), none.out());
    }

    /** Without an NVIDIA device the GPU natives run on the CPU (measured: info works without any CUDA library); the launcher says so and starts. */
    @Test
    void withoutADeviceTheGpuBundleRunsOnTheCpu() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/dev/nvidiactl")) || Files.exists(Path.of("/dev/nvidia0")), "this machine has an NVIDIA device");
        Run r = run(bundle(true), false, "info");
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("no NVIDIA device here and CUDA 13 libraries missing") && r.out().contains("running on the CPU"), r.out());
        assertTrue(r.out().contains("ARGS="), r.out());
    }

    @Test
    void theCpuBundleNeedsNoCudaLibraries() throws Exception {
        Run r = run(bundle(false), "info");
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("ARGS="), r.out());
    }
}
