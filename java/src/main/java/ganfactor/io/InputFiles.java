package ganfactor.io;

import ganfactor.InputException;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks on a file the user named as input, with messages that say what is actually wrong. */
public final class InputFiles {
    private InputFiles() {}

    /** Throws a one-line {@link InputException} unless {@code file} is a readable regular file; {@code label} names it in the message. */
    public static void requireReadable(Path file, Object label) {
        if (Files.isDirectory(file)) throw new InputException(label + ": is a folder, not a file");
        if (!Files.exists(file)) throw new InputException(label + ": no such file");
        if (!Files.isRegularFile(file)) throw new InputException(label + ": is not a regular file");
        if (!Files.isReadable(file)) throw new InputException(label + ": cannot be read (permission denied)");
    }

    public static void requireReadable(Path file) {
        requireReadable(file, file);
    }
}
