package ganfactor;

import java.io.IOException;
import java.nio.file.FileSystemException;

/** One-line wording of failures, shared by the library's layers and the front ends (root package: no layer imports another for it). */
public final class Messages {
    private Messages() {}

    /** The first line of an exception's message (its class name when it has none). */
    public static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return (nl >= 0 ? m.substring(0, nl) : m).trim();
    }

    /** An I/O failure in a few words: the JDK's exception messages are often just the path. */
    public static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (e instanceof java.nio.file.NoSuchFileException) return "no such file or folder: " + e.getMessage();
        if (e instanceof java.nio.file.FileAlreadyExistsException) return "already exists: " + e.getMessage();
        if (e instanceof FileSystemException fse && fse.getReason() != null) return fse.getReason();
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
