package ganfactor.studio;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Where the studio keeps what a one-line answer cannot say: each 5xx answer and each job that
 * failed for an internal reason, with its stack trace, appended to {@code studio-errors.log} in the
 * working folder (and, with {@code --debug}, to stderr as well). The page's message names the file.
 * Logging never fails a request: a log that cannot be written is skipped.
 */
public final class ErrorLog {
    public static final String FILE = "studio-errors.log";

    private final Path file;
    private final boolean toStderr;

    public ErrorLog(Path workdir, boolean toStderr) {
        this.file = workdir.resolve(FILE);
        this.toStderr = toStderr;
    }

    public Path file() {
        return file;
    }

    /** Records {@code e} under {@code what} (a request line, a job); returns the hint the answer adds. */
    public synchronized String record(String what, Throwable e) {
        StringWriter sw = new StringWriter();
        try (PrintWriter pw = new PrintWriter(sw)) {
            pw.println(Instant.now() + " " + what);
            e.printStackTrace(pw);
        }
        String text = sw.toString();
        if (toStderr) System.err.print(text);
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return " (stack trace in " + file + ")";
        } catch (IOException | SecurityException ignored) {
            return "";
        }
    }
}
