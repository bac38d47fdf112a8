package ganfactor.generator;

import ganfactor.InputException;
import ganfactor.TestSupport;
import ganfactor.torch.Torch;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IntType;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class GeneratorContractTest {
    @TempDir
    Path tmp;

    static JitModule tiny(boolean layers, boolean dim, boolean synthesis, String synthBody) {
        JitModule m = new JitModule(new QualifiedName("Tiny"));
        Type.TypePtr it = new Type.TypePtr(IntType.getIntTypePtr().get());
        if (layers) m.register_attribute("num_layers", it, new IValue(2L));
        if (dim) m.register_attribute("latent_dim", it, new IValue(4L));
        m.register_buffer("proj", Torch.of(new double[]{1, 2, 3, 4}, 4).to(org.bytedeco.pytorch.global.torch.ScalarType.Float));
        if (synthesis) m.define("def synthesis(self, wp: Tensor) -> Tensor:\n" + synthBody);
        else m.define("def forward(self, x: Tensor) -> Tensor:\n    return x\n");
        return m;
    }

    Path save(JitModule m, String name) {
        Path p = tmp.resolve(name);
        m.save(p.toString());
        return p;
    }

    static final String GOOD = "    s = torch.tanh((wp * self.proj).sum(2).sum(1))\n    return s.view(-1, 1, 1, 1).expand(-1, 3, 8, 8) * torch.ones(1, 3, 8, 8)\n";

    /** close() frees the module exactly once, and any later use fails loudly instead of touching freed memory. */
    @Test
    void closeFreesTheModuleOnceAndLaterUseFails() {
        Generator g = Generator.demo();
        JitModule m = g.module();
        assertFalse(m.isNull());
        g.close();
        assertTrue(g.isClosed());
        assertTrue(m.isNull(), "the module's native object is freed by close()");
        g.close();   // idempotent
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.call("synthesis", org.bytedeco.pytorch.global.torch.zeros(1, 8, 64)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, g::module);
    }

    @Test
    void aMinimalModuleLoads() {
        Generator g = Generator.load(save(tiny(true, true, true, GOOD), "ok.pt"));
        assertEquals(4, g.latentDim());
        assertEquals(2, g.numLayers());
        assertFalse(g.hasMapping());
        assertEquals(8, g.height());
        assertNull(g.wAvg());
        try (NoGradGuard ng = new NoGradGuard()) {
            // mapping is the identity when absent: Z and W give the same W+
            var x = Torch.of(new double[]{0.1, 0.2, 0.3, 0.4}, 1, 4).to(org.bytedeco.pytorch.global.torch.ScalarType.Float);
            assertArrayEquals(Torch.toDoubles(g.toWp(x, LatentSpace.Z)), Torch.toDoubles(g.toWp(x, LatentSpace.W)));
        }
    }

    @Test
    void missingPiecesAreNamed() {
        InputException e = assertThrows(InputException.class, () -> Generator.load(save(tiny(false, true, true, GOOD), "a.pt")));
        assertTrue(e.getMessage().contains("num_layers"), e.getMessage());
        e = assertThrows(InputException.class, () -> Generator.load(save(tiny(true, false, true, GOOD), "b.pt")));
        assertTrue(e.getMessage().contains("latent_dim"), e.getMessage());
        e = assertThrows(InputException.class, () -> Generator.load(save(tiny(true, true, false, GOOD), "c.pt")));
        assertTrue(e.getMessage().contains("synthesis"), e.getMessage());
        e = assertThrows(InputException.class, () -> Generator.load(save(tiny(true, true, true, "    return wp\n"), "d.pt")));
        assertTrue(e.getMessage().contains("[B, 3, H, W]"), e.getMessage());
    }

    @Test
    void notTorchScriptAndMissingFile() throws Exception {
        Path junk = tmp.resolve("junk.pt");
        Files.writeString(junk, "this is not a zip archive");
        InputException e = assertThrows(InputException.class, () -> Generator.load(junk));
        assertTrue(e.getMessage().contains("not a TorchScript module"), e.getMessage());
        e = assertThrows(InputException.class, () -> Generator.open(tmp.resolve("nope.pt").toString()));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    /** The demo survives save/load through the contract with identical outputs. */
    @Test
    void demoRoundTripsThroughAFile() {
        Generator a = TestSupport.demo32();
        Path p = tmp.resolve("demo.pt");
        DemoGenerator.build(DemoGenerator.DEFAULT_SEED).save(p.toString());
        Generator b = Generator.load(p).to(org.bytedeco.pytorch.global.torch.ScalarType.Float);
        try (NoGradGuard ng = new NoGradGuard()) {
            var z = Torch.of(NumpyRandom.randn(1, 2 * 64), 2, 64).to(org.bytedeco.pytorch.global.torch.ScalarType.Float);
            assertArrayEquals(Torch.toFloats(a.synthesis(a.toWp(z, LatentSpace.Z))), Torch.toFloats(b.synthesis(b.toWp(z, LatentSpace.Z))));
        }
    }

    /** NumPy's RandomState(4).randn(...) first values (legacy MT19937 + polar Box-Muller). */
    @Test
    void numpyCompatibleSeeds() {
        double[] v = NumpyRandom.randn(0, 3);
        assertEquals(1.764052345967664, v[0], 1e-15);
        assertEquals(0.4001572083672233, v[1], 1e-15);
        assertEquals(0.9787379841057392, v[2], 1e-15);
        NumpyRandom r = new NumpyRandom(5489);
        assertEquals(3499211612L, r.nextUInt32());
    }

    @Test
    void latentFilesAndTruncation() throws Exception {
        Generator g = TestSupport.demo64();
        Latents w = Latents.fromSeed(g, LatentSpace.W, 4, 2, 1.0, 8);
        Latents t = Latents.fromSeed(g, LatentSpace.W, 4, 2, 0.5, 8);
        double[] avg = Torch.toDoubles(g.wAvg());
        for (int j = 0; j < 64; j++) assertEquals(avg[j] + 0.5 * (w.codes()[j] - avg[j]), t.codes()[j], 1e-12);
        Latents wp = Latents.fromSeed(g, LatentSpace.WP, 4, 2, 0.7, 3);
        assertEquals(512, wp.dim());
        assertNotEquals(wp.codes()[2 * 64], wp.codes()[3 * 64]); // layer 2 truncated, layer 3 not
        Path f = tmp.resolve("wp.npy");
        wp.save(f, g);
        assertArrayEquals(wp.codes(), Latents.fromFile(g, LatentSpace.WP, f).codes());
        assertThrows(InputException.class, () -> Latents.fromFile(g, LatentSpace.W, f));
        assertThrows(InputException.class, () -> Latents.fromSeed(g, LatentSpace.W, 4, 1, 0.7, 4));
    }
}
