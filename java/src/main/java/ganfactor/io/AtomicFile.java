package ganfactor.io;

import ganfactor.InputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;

import static ganfactor.InputException.ref;

/**
 * One output file written all at once: the content goes to a hidden temporary file beside the
 * target ({@code .NAME.RANDOM.partial}, created with the umask's permissions, unlike
 * {@code Files.createTempFile}'s 0600), which is then renamed over it. A failure leaves the target
 * as it was. An existing target is replaced only with {@code force}, and only if it is a regular file.
 */
public final class AtomicFile {
    /** Writes the content of a file given its path. */
    @FunctionalInterface
    public interface Writer {
        void write(Path file) throws IOException;
    }

    private AtomicFile() {}

    /** Checks that {@code file} may be written (before any long work); returns its absolute path. */
    public static Path check(Path file, boolean force) {
        return check(file, force, Inputs.NONE);
    }

    /** As {@link #check(Path, boolean)}, refusing (whatever {@code force}) a file that is one of the command's inputs. */
    public static Path check(Path file, boolean force, Inputs inputs) {
        Path target = file.toAbsolutePath().normalize();
        inputs.refuseReplacing(file.toString(), target, "this command");
        if (target.getParent() == null || Files.isDirectory(target))
            throw new InputException(file + ": is a folder; " + ref("out") + " names the file to write");
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!force) throw new InputException(file + ": exists (use " + ref("force") + " to replace it)");
            if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS))
                throw new InputException(file + ": exists and is not a regular file; it is never replaced");
        }
        Path parent = target.getParent();
        if (Files.exists(parent) && !Files.isDirectory(parent)) throw new InputException(parent + ": is not a folder");
        return target;
    }

    /** Writes {@code file} through {@code writer}, atomically. */
    public static void write(Path file, boolean force, Writer writer) {
        write(file, force, Inputs.NONE, writer);
    }

    /** As {@link #write(Path, boolean, Writer)}, never over one of {@code inputs}. */
    public static void write(Path file, boolean force, Inputs inputs, Writer writer) {
        Path target = check(file, force, inputs);
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + Long.toHexString(new SecureRandom().nextLong() >>> 1) + ".partial");
        try {
            Files.createDirectories(target.getParent());
            try {
                writer.write(tmp);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new InputException(file + ": cannot write (" + OutputDir.reason(e) + ")");
        } catch (java.io.UncheckedIOException e) {
            throw new InputException(file + ": cannot write (" + OutputDir.reason(e.getCause()) + ")");
        }
    }
}
