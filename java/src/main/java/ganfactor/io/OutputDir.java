package ganfactor.io;

import ganfactor.InputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * All-or-nothing output: files are written into a hidden staging folder beside the target and
 * the folder is renamed into place by {@link #commit()}. If the work fails or is cancelled,
 * {@link #close()} removes the staging folder, so a failed run leaves no half-written output.
 */
public final class OutputDir implements AutoCloseable {
    private final Path target;
    private final Path staging;
    private final boolean force;
    private boolean committed;

    public OutputDir(Path target, boolean force) {
        this.target = target.toAbsolutePath().normalize();
        this.force = force;
        if (Files.exists(this.target)) {
            if (!Files.isDirectory(this.target)) throw new InputException(target + ": exists and is not a folder");
            if (!force && !isEmpty(this.target)) throw new InputException(target + ": folder exists and is not empty (use --force to replace it)");
        }
        Path parent = this.target.getParent();
        try {
            Files.createDirectories(parent);
            this.staging = Files.createTempDirectory(parent, "." + this.target.getFileName() + ".partial-");
        } catch (IOException e) {
            throw new InputException(target + ": cannot create output folder (" + e.getMessage() + ")");
        }
    }

    /** A path inside the staging folder (what will become {@code target/name}). */
    public Path file(String name) {
        Path p = staging.resolve(name);
        try {
            Files.createDirectories(p.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    public void writeString(String name, String text) {
        try {
            Files.writeString(file(name), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path target() { return target; }

    public void commit() {
        try {
            if (Files.exists(target)) deleteTree(target);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            committed = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move results into " + target, e);
        }
    }

    @Override
    public void close() {
        if (!committed) {
            try {
                deleteTree(staging);
            } catch (IOException ignored) {
                // best effort: the staging folder is hidden and named .partial
            }
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
