package ganfactor.studio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** A studio bug leaves its stack trace in the working folder, and the one-line answer says where. */
class ErrorLogTest {
    @TempDir
    Path dir;

    @Test
    void stackTracesAreAppendedAndTheHintNamesTheFile() throws Exception {
        ErrorLog log = new ErrorLog(dir, false);
        String hint = log.record("POST /api/discover", new IllegalStateException("first bug", new ArithmeticException("inner")));
        log.record("job 7 (discover)", new NullPointerException("second bug"));
        assertEquals(" (stack trace in " + dir.resolve(ErrorLog.FILE) + ")", hint);
        String text = Files.readString(dir.resolve(ErrorLog.FILE));
        assertTrue(text.contains("POST /api/discover"), text);
        assertTrue(text.contains("java.lang.IllegalStateException: first bug"), text);
        assertTrue(text.contains("Caused by: java.lang.ArithmeticException: inner"), text);
        assertTrue(text.contains("\tat ganfactor.studio.ErrorLogTest"), "the frames, not only the message: " + text);
        assertTrue(text.indexOf("first bug") < text.indexOf("second bug"), "appended in order");
    }

    @Test
    void anUnwritableLogNeverFailsTheRequest() throws Exception {
        Path file = dir.resolve("not-a-folder");
        Files.writeString(file, "x");
        assertEquals("", new ErrorLog(file, false).record("GET /api/info", new RuntimeException("bug")));
    }
}
