package ganfactor.cli;

import ganfactor.torch.Devices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** --device on every computing command: parsing, cpu as today, cuda without CUDA = one line and exit 2. */
class DeviceOptionTest {
    @TempDir
    Path tmp;

    static final String[][] COMMANDS = {
            {"jacobian", "--region", "eyes", "--grid", "32"},
            {"discover", "--region", "eyes", "--grid", "32"},
            {"solve", "--fg", "a.npy", "--bg", "b.npy"},
            {"localize", "--direction", "d.npy", "--region", "eyes"},
            {"edit", "--direction", "d.npy"},
            {"sefa"},
            {"ganspace", "--samples", "100"},
            {"sample", "--num", "2"},
            {"demo"},
    };

    @Test
    void cudaWithoutCudaIsOneLineAndExitCode2() {
        org.junit.jupiter.api.Assumptions.assumeFalse(Devices.probe().cuda(), "this machine has CUDA: the no-CUDA error cannot be shown");
        for (String[] c : COMMANDS) {
            Path out = tmp.resolve(c[0]);
            String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(c),
                    java.util.stream.Stream.of("--device", "cuda", "--out", out.toString(), "--quiet")).toArray(String[]::new);
            if (c[0].equals("sefa") || c[0].equals("demo") || c[0].equals("solve")) args = java.util.Arrays.stream(args).filter(a -> !a.equals("--quiet")).toArray(String[]::new);
            CliRun r = CliRun.run(args);
            assertEquals(2, r.code(), c[0] + ": " + r.err());
            String err = r.err().strip();
            assertFalse(err.contains("\n"), c[0] + " printed more than one line: " + err);
            assertTrue(err.startsWith("ganfactor: error: --device cuda: CUDA is not available"), c[0] + ": " + err);
            assertFalse(Files.exists(out) && out.toFile().list().length > 0, c[0] + " wrote output");
        }
    }

    @Test
    void unknownDeviceIsExitCode2() {
        CliRun r = CliRun.run("sefa", "--device", "tpu", "--out", tmp.resolve("s").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("unknown --device 'tpu'"), r.err());
    }

    @Test
    void cpuAndAutoRunAsBefore() {
        CliRun cpu = CliRun.run("sefa", "--device", "cpu", "--k", "4", "--show", "0", "--out", tmp.resolve("cpu").toString());
        assertEquals(0, cpu.code(), cpu.err());
        CliRun auto = CliRun.run("sefa", "--k", "4", "--show", "0", "--out", tmp.resolve("auto").toString());
        assertEquals(0, auto.code(), auto.err());
        assertArrayEquals(ganfactor.io.Npy.read(tmp.resolve("cpu/directions.npy")).data(), ganfactor.io.Npy.read(tmp.resolve("auto/directions.npy")).data());
    }

    @Test
    void infoPrintsTheDevice() {
        CliRun r = CliRun.run("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("device ") && l.contains("(device auto)")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("cuda ")), r.out());
    }
}
