package ganfactor.spark;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** A partition working through its codes says how far it is every 30 s (issue 30: long work is never silent); off, it says nothing. Fake clock. */
class CodeProgressTest {
    @Test
    void aLineEveryThirtySecondsWithThePace() {
        long[] now = {0};
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodeProgress p = new CodeProgress("aggregate", 1, true, new PrintStream(bytes, true), () -> now[0]);
        for (int i = 0; i < 50; i++) { now[0] += 6_000_000_000L; p.tick(); }   // 6 s a code, 300 s in all
        List<String> lines = bytes.toString().lines().toList();
        assertEquals(10, lines.size(), bytes.toString());
        assertEquals("ganfactor-spark: aggregate partition 1: 5 code(s) done in 30.0 s (6.0 s a code)", lines.get(0));
        ByteArrayOutputStream quiet = new ByteArrayOutputStream();
        CodeProgress q = new CodeProgress("aggregate", 1, false, new PrintStream(quiet, true), () -> now[0]);
        for (int i = 0; i < 50; i++) { now[0] += 6_000_000_000L; q.tick(); }
        assertEquals("", quiet.toString());
    }
}
