package ganfactor.studio;

import ganfactor.ConflictException;
import ganfactor.InputException;
import ganfactor.SettingException;
import ganfactor.TestSupport;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.io.AtomicFile;
import ganfactor.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static ganfactor.InputException.ref;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The studio words the library's setting references as its form fields, in quotes (the command
 * line's and the C API's wording: MessagesWordingTest in the core): the registry name where the
 * form uses it, the field's own name where it differs (psi, folder).
 */
class StudioWordingTest {
    @Test
    void theLibrarysRefusalsNameTheStudiosFields(@TempDir Path dir) throws IOException {
        Generator g = TestSupport.demo32();
        InputException num = assertThrows(InputException.class, () -> Latents.fromSeed(g, LatentSpace.W, 0, 0, 1.0, g.numLayers()));
        assertEquals("'num' must be positive, got 0", Studio.message(num));
        InputException psi = assertThrows(InputException.class, () -> Latents.fromSeed(g, LatentSpace.W, 0, 1, Double.NaN, g.numLayers()));
        assertEquals("'psi' must be a finite number, got NaN", Studio.message(psi));
        Path file = dir.resolve("model.pt");
        Files.writeString(file, "an earlier export");
        InputException force = assertThrows(InputException.class, () -> AtomicFile.check(file, false));
        assertEquals(file + ": exists (use 'force' to replace it)", Studio.message(force));
        ConflictException c = new ConflictException("x: another ganfactor run is writing this folder now; choose another " + ref("out"));
        assertEquals("x: another ganfactor run is writing this folder now; choose another 'folder'", Studio.message(c));
        assertEquals("'rpca-lambda' must be positive, got -1", Studio.message(new SettingException("rpca-lambda", "must be positive, got -1")));
    }

    @Test
    void aWrongSpaceForACodeFileIsA400NamingTheField(@TempDir Path dir) throws IOException {
        Generator g = TestSupport.demo32();
        int L = g.numLayers(), d = g.latentDim();
        Npy.writeFloat64(dir.resolve("wp.npy"), new double[2 * L * d], 2, L, d);
        try (Studio studio = new Studio(g, Studio.Config.defaults(dir))) {
            StudioException e = assertThrows(StudioException.class,
                    () -> studio.setImage(Body.parse("{\"path\": \"wp.npy\", \"space\": \"w\"}".getBytes(StandardCharsets.UTF_8))));
            assertEquals(400, e.status());
            assertEquals("wp.npy: holds W+ codes [N, " + L + ", " + d + "]; use 'space' wp", e.getMessage());
        }
    }
}
