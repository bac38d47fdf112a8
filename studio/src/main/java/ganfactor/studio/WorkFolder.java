package ganfactor.studio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The server's working folder: every path a client names is relative to it and must stay inside
 * it (no absolute paths, no {@code ..}, no symbolic link leading out). Reads and exports go
 * nowhere else.
 */
public final class WorkFolder {
    private final Path root;
    private final Path real;

    public WorkFolder(Path root) {
        try {
            this.root = root.toAbsolutePath().normalize();
            Files.createDirectories(this.root);
            this.real = this.root.toRealPath();
        } catch (IOException e) {
            throw new ganfactor.InputException(root + ": cannot use as the working folder (" + e.getMessage() + ")");
        }
    }

    public Path root() {
        return root;
    }

    /** A client's relative path, checked to stay inside the folder (it need not exist). */
    public Path resolve(String relative) {
        if (relative == null || relative.isBlank()) throw StudioException.bad("a path inside the working folder is required");
        if (relative.length() > 512) throw StudioException.bad("the path is longer than 512 characters");
        if (relative.indexOf('\0') >= 0 || relative.contains("\\")) throw StudioException.bad("the path holds a NUL or backslash character");
        Path p;
        try {
            p = Path.of(relative);
        } catch (java.nio.file.InvalidPathException e) {
            throw StudioException.bad("not a path: " + relative);
        }
        if (p.isAbsolute() || relative.startsWith("/") || relative.startsWith("~"))
            throw new StudioException(403, "'" + relative + "': absolute paths are refused; give a path relative to the working folder");
        for (Path part : p)
            if (part.toString().equals("..")) throw new StudioException(403, "'" + relative + "': '..' is refused; the studio reads and writes only inside its working folder");
        Path full = root.resolve(p).normalize();
        if (!full.startsWith(root) || full.equals(root)) throw new StudioException(403, "'" + relative + "' is not inside the working folder");
        // a symbolic link on the way must not lead out of the folder
        Path existing = full;
        while (existing != null && !Files.exists(existing, java.nio.file.LinkOption.NOFOLLOW_LINKS)) existing = existing.getParent();
        if (existing != null) {
            try {
                if (!existing.toRealPath().startsWith(real)) throw new StudioException(403, "'" + relative + "' leads outside the working folder");
            } catch (IOException e) {
                throw StudioException.bad("'" + relative + "': " + e.getMessage());
            }
        }
        return full;
    }

    /** An existing regular file inside the folder. */
    public Path existingFile(String relative) {
        Path p = resolve(relative);
        if (!Files.isRegularFile(p)) throw new StudioException(404, "'" + relative + "': no such file in the working folder");
        return p;
    }
}
