package ganfactor.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;

/** A command line run in-process, as the tests use it: exit code, what the command printed on stdout, and stderr. */
public record CliRun(int code, String out, String err) {

    public static CliRun run(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int code;
        try {
            System.setOut(new PrintStream(bytes, true));
            code = Main.execute(args, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        } finally {
            System.setOut(saved);
        }
        return new CliRun(code, bytes.toString(), err.toString());
    }
}
