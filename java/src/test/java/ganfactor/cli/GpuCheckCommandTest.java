package ganfactor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ganfactor.torch.Devices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@code ganfactor gpu-check} where there is no GPU (issue 31): one line and its own exit code,
 * nothing written; and its rehearsal, every step run on the CPU at small sizes, passes and writes
 * the record the device run will write.
 */
class GpuCheckCommandTest {
    @TempDir
    Path dir;

    @Test
    void withoutCudaItSaysSoOnOneLineAndExits4() {
        assumeFalse(Devices.probe().cuda(), "this machine has CUDA: gpu-check would run");
        CliRun r = CliRun.run("gpu-check", "--out", dir.resolve("gc").toString());
        assertEquals(GpuCheckCommand.EXIT_NO_GPU, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("ganfactor gpu-check: no usable CUDA device: "), r.err());
        assertFalse(Files.exists(dir.resolve("gc")));
        CliRun q = CliRun.run("gpu-check", "--quick", "--out", dir.resolve("gq").toString());
        assertEquals(GpuCheckCommand.EXIT_NO_GPU, q.code(), q.err());
        assertFalse(ganfactor.check.GpuCheck.Plan.quick().wplus(), "--quick leaves out the W+ Jacobians");
    }

    @Test
    void theRehearsalRunsEveryStepOnTheCpu() throws Exception {
        Path out = dir.resolve("rehearsal");
        CliRun r = CliRun.run("gpu-check", "--rehearse", "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode j = new ObjectMapper().readTree(out.resolve("gpu-check.json").toFile());
        assertTrue(j.get("passed").asBoolean(), j.toString());
        assertEquals("rehearsal", j.get("plan").asText());
        java.util.List<String> names = new java.util.ArrayList<>();
        j.get("steps").forEach(s -> names.add(s.get("name").asText()));
        for (String want : new String[]{"residency: jacobian and solve", "jacobian w 64 px float32", "discover w 64 px end to end",
                "jacobian wp 64 px float32", "resefa standard d=64", "resefa fast path d=512", "rpca certified d=48",
                "parity: stylegan3 t and r", "stylegan3 forward and 2 tangent columns: stylegan3:64:cfg=r:cbase=128:cmax=16:zdim=8"})
            assertTrue(names.contains(want), want + " in " + names);
        for (JsonNode s : j.get("steps"))
            if (s.get("name").asText().equals("jacobian w 64 px float32")) assertTrue(s.get("values").get("median_s").asDouble() > 0, s.toString());
        assertEquals(names.size(), Files.readAllLines(out.resolve("gpu-check.log")).size());
    }
}
