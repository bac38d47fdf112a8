package ganfactor;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.function.Function;

/** One-line wording of failures, shared by the library's layers and the front ends (root package: no layer imports another for it). */
public final class Messages {
    private Messages() {}

    /** The first line of an exception's message (its class name when it has none), settings by their bare registry names. */
    public static String oneLine(Throwable e) {
        return oneLine(e, Function.identity());
    }

    /**
     * The first line of an exception's message (its class name when it has none), each setting
     * it {@linkplain InputException#ref(String) references} named as {@code namer} says: a front
     * end's wording ({@code s -> "--" + s}); {@code InputException::ref} keeps the references, for
     * a message that wraps this one.
     */
    public static String oneLine(Throwable e, Function<String, String> namer) {
        String m = e instanceof InputException ie ? ie.rawMessage() : e instanceof ConflictException ce ? ce.rawMessage() : e.getMessage();
        if (m == null) m = e.getClass().getSimpleName();
        int nl = m.indexOf('\n');
        return InputException.worded((nl >= 0 ? m.substring(0, nl) : m).trim(), namer);
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
