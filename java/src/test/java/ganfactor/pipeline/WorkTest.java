package ganfactor.pipeline;

import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.StyleGan2;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 29: the work and efficiency figures of the run records, by their definition. */
class WorkTest {
    @Test
    void styleGan2WorkIsCountedFromItsLayerShapes() {
        try (Generator g = Generator.open("stylegan2:16:cbase=256")) {
            StyleGan2.Config c = g.styleGan2Config();
            int d = g.latentDim();
            long rows = 3L * 16 * 16;
            Map<String, Object> w = Work.jacobian(g, LatentSpace.W, d, rows, 2, 3, 1, 2.0);
            double macs = StyleGan2.synthesisMacs(c);
            double expect = 2 * macs * (d + 3) + 2.0 * rows * d * d * 2;
            assertEquals(expect, (Double) w.get("flops"), 1e-6 * expect);
            assertEquals(expect / 2.0 / 1e9, (Double) w.get("gflops_per_second"), 1e-9);
            double peak = (Double) w.get("machine_float32_matmul_gflops");
            assertTrue(peak > 0.1 && Double.isFinite(peak), "a measured matmul rate: " + peak);
            assertEquals((Double) w.get("gflops_per_second") / peak, (Double) w.get("fraction_of_matmul_rate"), 1e-12);
            // in Z the mapping's work is added per column
            double z = (Double) Work.jacobian(g, LatentSpace.Z, d, rows, 2, 3, 1, 2.0).get("jvp_flops");
            assertEquals(2 * (macs + StyleGan2.mappingMacs(c)) * (d + 3), z, 1e-6 * z);
            assertTrue(Work.line(w).startsWith("Jacobian "), Work.line(w));
        }
    }

    @Test
    void otherGeneratorsSayTheirWorkIsNotCounted() {
        try (Generator g = Generator.open("demo")) {
            Map<String, Object> w = Work.jacobian(g, LatentSpace.W, 64, 100, 1, 1, 1, 1.0);
            assertNull(w.get("flops"));
            assertTrue(String.valueOf(w.get("how")).startsWith("not counted"), w.toString());
            assertEquals("", Work.line(w));
        }
    }
}
