package ganfactor.embed;

import ganfactor.generator.LatentSpace;
import ganfactor.region.View;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The integer codes Java, TorchScript and C share are written out, not declaration order: each
 * enum constant's code equals the value ganfactor.h gives it, and codes round-trip.
 */
class StableCodesTest {
    @Test
    void codesMatchTheCHeader() throws IOException {
        String h = Files.readString(Path.of("..", "native", "include", "ganfactor.h"));
        for (LatentSpace s : LatentSpace.values()) {
            assertEquals(headerValue(h, "GF_SPACE_" + s.name()), s.code(), s.name());
            assertEquals(s, LatentSpace.fromCode(s.code()));
        }
        for (View.Reduce r : View.Reduce.values()) {
            assertEquals(headerValue(h, "GF_REDUCE_" + r.name()), r.code(), r.name());
            assertEquals(r, View.Reduce.fromCode(r.code()));
        }
        assertNull(LatentSpace.fromCode(3));
        assertNull(View.Reduce.fromCode(-1));
    }

    private static int headerValue(String header, String name) {
        Matcher m = Pattern.compile("\\b" + name + "\\s*=\\s*(\\d+)").matcher(header);
        if (!m.find()) throw new AssertionError(name + " not in ganfactor.h");
        return Integer.parseInt(m.group(1));
    }
}
