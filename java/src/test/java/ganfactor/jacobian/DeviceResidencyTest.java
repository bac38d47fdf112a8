package ganfactor.jacobian;

import ganfactor.TestSupport;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.method.Directions;
import ganfactor.method.ReSeFa;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Device residency of the hot path, checked on the CPU by counting calls of the single host-copy
 * function ({@link Torch#toHost}, behind every read of tensor data into Java): on a GPU each is a
 * device-to-host copy. Jacobian + ReSeFa standard solve of a region make exactly four:
 * <ol>
 * <li>the solver's input checks (finite, symmetric) and tr(B), read together (the regularisation
 *     and the error messages need them on the host);</li>
 * <li>the pivot ratio of B's Cholesky factor (ReSeFa's positive-definiteness test), read with the
 *     solver's status;</li>
 * <li>the directions and</li>
 * <li>the eigenvalues: the final outputs.</li>
 * </ol>
 * The Jacobian engine itself, chunk after chunk, makes none.
 */
class DeviceResidencyTest {

    /** The demo generator, a view of {@code grid}, the eyes and mouth (or only the eyes) boxes and the seed-4 W code. */
    record Case(Generator g, View view, List<Region> regions, double[] x) {
        static Case of(Generator g, int grid, boolean mouth) {
            View view = new View(grid, View.Reduce.SUM, g.channels(), g.height(), g.width());
            List<Region> rs = mouth ? List.of(Regions.parse("eyes", grid, g), Regions.parse("mouth", grid, g)) : List.of(Regions.parse("eyes", grid, g));
            return new Case(g, view, rs, Latents.fromSeed(g, LatentSpace.W, 4, 1, 1.0, 8).row(0));
        }

        JacobianEngine.Result run(JacobianEngine.Options o) {
            return JacobianEngine.compute(g, x, LatentSpace.W, view, regions, o);
        }
    }

    static JacobianEngine.Options options(boolean deviceGrams) {
        JacobianEngine.Options o = new JacobianEngine.Options();
        o.chunk = 16;
        o.deviceGrams = deviceGrams;
        return o;
    }

    /** The assertions live in {@link ganfactor.check.GpuParity#residency} (gpu-check runs them on the GPU). */
    @Test
    void jacobianAndSolveCopyOnlyTheOutputs() {
        System.out.println(ganfactor.check.GpuParity.residency(TestSupport.demo32()));
    }

    @Test
    void hostGramsCostOneCopyEach() {
        Case c = Case.of(TestSupport.demo32(), 32, true);
        long before = Torch.hostCopies();
        c.run(options(false));
        assertEquals(2L * c.regions().size(), Torch.hostCopies() - before, "A and B of each region, the engine's output");
    }

    /** Out-of-memory on a pass: the chunk is halved with a message and the result is unchanged. */
    @Test
    void outOfMemoryHalvesTheChunkAndRetries() {
        Case c = Case.of(TestSupport.demo64(), 32, false);
        JacobianEngine.Result clean = c.run(options(false));

        JacobianEngine.Options o = options(false);
        o.chunk = 32;
        List<String> messages = new ArrayList<>();
        o.messages = messages::add;
        List<Integer> attempts = new ArrayList<>();
        o.beforePass = k -> {
            attempts.add(k);
            if (k > 8) throw new RuntimeException("CUDA out of memory. Tried to allocate 2.00 GiB (simulated)");
        };
        JacobianEngine.Result r = c.run(o);
        assertEquals(List.of("ganfactor: cpu out of memory with 32 Jacobian columns per pass; retrying with 16",
                "ganfactor: cpu out of memory with 16 Jacobian columns per pass; retrying with 8"), messages);
        assertEquals(8, r.chunk());
        assertEquals(List.of(32, 16, 8, 8, 8, 8, 8, 8, 8, 8), attempts, "two failed attempts, then 64 columns in 8 passes");
        assertEquals(8, r.passes());
        assertArrayEquals(clean.grams().get(0).toHost().a(), r.grams().get(0).toHost().a(), 1e-12 * TestSupport.maxAbs(clean.grams().get(0).toHost().a()));

        // always out of memory: gives up at one column with a clear error
        JacobianEngine.Options never = options(false);
        never.chunk = 4;
        never.messages = m -> {};
        never.beforePass = k -> { throw new RuntimeException("CUDA out of memory (simulated)"); };
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> c.run(never));
        assertTrue(e.getMessage().contains("one Jacobian column at a time"), e.getMessage());

        // other errors are not retried
        JacobianEngine.Options other = options(false);
        other.beforePass = k -> { throw new IllegalStateException("shape mismatch"); };
        assertThrows(IllegalStateException.class, () -> c.run(other));
    }
}
