package ganfactor.io;

import ganfactor.ConflictException;
import ganfactor.InputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static ganfactor.InputException.ref;

/**
 * All-or-nothing output folders that never delete what ganfactor did not write.
 *
 * <p>Files are written into a hidden staging folder beside the target,
 * {@code .NAME.partial-PID-RANDOM}, and the folder is renamed into place by {@link #commit()}. If
 * the work fails or is cancelled, {@link #close()} removes the staging folder, so a failed run
 * leaves no half-written output. A run killed outright (SIGKILL, power loss) leaves its staging
 * folder behind; the next run for the same target removes it once the process named in it is gone
 * and says so ({@link #notices()}).
 *
 * <p>Every committed folder holds a manifest, {@value #MANIFEST}, listing the files ganfactor wrote
 * there. {@code --force} replaces an existing folder only when everything in it is listed in its
 * manifest; a folder holding anything else (a user's file, a folder ganfactor never wrote) is
 * refused, with or without {@code --force}. The working folder, the home folder, the file system
 * root and their parents are never output folders. A replaced folder is first renamed aside, the
 * new one renamed into place, and only then are the old folder's listed files deleted.
 */
public final class OutputDir implements AutoCloseable {
    /** The manifest file: a header line, then one relative path per line. */
    public static final String MANIFEST = ".ganfactor-manifest";
    private static final String HEADER = "# written by ganfactor; a forced run replaces this folder only while it holds nothing but these files";
    private static final Pattern STAGING = Pattern.compile("\\.(partial|old)-(\\d+)-[0-9a-f]+");

    private final Path target;
    private final Path staging;
    private final String command;
    private final List<String> notices = new ArrayList<>();
    private Set<String> replaced;        // the manifest of the folder being replaced, or null
    private boolean committed;

    /** An output folder for {@code command} (recorded in the manifest); {@code force} allows replacing ganfactor's earlier output. */
    public OutputDir(Path target, boolean force, String command) {
        this(target, force, command, Inputs.NONE);
    }

    /**
     * As {@link #OutputDir(Path, boolean, String)}, refusing (whatever {@code force}) a target that
     * is or holds one of the command's {@code inputs}, and (with {@link ConflictException}) a
     * target that another live run is writing now.
     */
    public OutputDir(Path target, boolean force, String command, Inputs inputs) {
        this.command = command;
        String given = target.toString().isEmpty() ? "\"\"" : target.toString();
        this.target = target.toAbsolutePath().normalize();
        refuseProtected(given, this.target);
        Path parent = this.target.getParent();
        if (Files.isDirectory(parent)) {
            try {
                cleanStale(parent, this.target.getFileName().toString());
            } catch (IOException e) {
                notices.add("could not look for the leftovers of interrupted runs beside " + given + " (" + reason(e) + ")");
            }
        }
        if (Files.isSymbolicLink(this.target))
            throw new InputException(given + ": is a symbolic link; give the folder it points to, or another " + ref("out"));
        inputs.refuseReplacing(given, this.target, command);
        if (Files.exists(this.target)) {
            if (!Files.isDirectory(this.target)) throw new InputException(given + ": exists and is not a folder");
            if (!isEmpty(this.target)) {
                if (!force) throw new InputException(given + ": folder exists and is not empty (" + ref("force") + " replaces an earlier ganfactor output folder)");
                replaced = replaceable(given, this.target);
                notices.add(String.format("replacing %s: %d files of an earlier ganfactor output", given, replaced.size()));
            }
        }
        try {
            Files.createDirectories(parent);
            // Files.createDirectory, not createTempDirectory: the folder gets the umask's permissions like its files
            String name = "." + this.target.getFileName() + ".partial-" + ProcessHandle.current().pid() + "-" + Long.toHexString(new SecureRandom().nextLong() >>> 1);
            this.staging = Files.createDirectory(parent.resolve(name));
        } catch (IOException e) {
            throw new InputException(cannotCreate(given, parent, Files.isDirectory(this.target), e));
        }
        String other = liveRunWriting(parent, this.target.getFileName().toString(), staging.getFileName().toString());
        if (other != null) {
            close();
            throw new ConflictException(given + ": another ganfactor run (process " + other + ") is writing this folder now; wait for it to finish or choose another " + ref("out"));
        }
    }

    /**
     * The message when the staging folder could not be made beside the target: ganfactor writes in
     * the parent, so a read-only parent is named as such (also when the target folder itself exists
     * and is writable), and a missing or non-folder ancestor is named.
     */
    public static String cannotCreate(String given, Path parent, boolean targetExists, IOException e) {
        Path p = parent;
        while (p != null && !Files.exists(p)) p = p.getParent();
        if (p != null && !Files.isDirectory(p)) return given + ": cannot create the output folder: " + p + " is a file, not a folder";
        if (e instanceof java.nio.file.AccessDeniedException || (e instanceof FileSystemException f && "Read-only file system".equals(f.getReason())))
            return given + ": cannot write in " + parent + " (" + reason(e) + "): ganfactor builds " + (targetExists ? "the new output" : "the output")
                    + " in a hidden folder beside " + (targetExists ? "the existing one" : "it") + " and renames it into place, so the parent folder must be writable";
        return given + ": cannot create the output folder in " + parent + " (" + reason(e) + ")";
    }

    /**
     * The process id of another live run whose staging folder for the same target exists beside
     * ours, or null. Both runs create their staging folder before they look, so of two runs started
     * together at least the later one sees the other (both may, and both then stop at once, before
     * any work).
     */
    private static String liveRunWriting(Path parent, String name, String own) {
        String prefix = "." + name + ".";
        try (Stream<Path> s = Files.list(parent)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.equals(own) || !n.startsWith(prefix + "partial-")) continue;
                Matcher m = STAGING.matcher(n.substring(prefix.length() - 1));
                if (m.matches() && alive(Long.parseLong(m.group(2)))) return m.group(2);
            }
        } catch (IOException | NumberFormatException e) {
            return null;
        }
        return null;
    }

    /** As {@link #OutputDir(Path, boolean, String)} for an unnamed command. */
    public OutputDir(Path target, boolean force) {
        this(target, force, "ganfactor");
    }

    /** The command recorded in a folder's manifest ("ganfactor demo"), or null when it has none. */
    public static String writtenBy(Path dir) {
        Path mf = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(mf, LinkOption.NOFOLLOW_LINKS)) return null;
        try {
            List<String> lines = Files.readAllLines(mf, StandardCharsets.UTF_8);
            if (lines.size() < 2 || !lines.get(1).startsWith("# ")) return null;
            String h = lines.get(1).substring(2);
            int comma = h.lastIndexOf(", ");
            return comma < 0 ? h : h.substring(0, comma);
        } catch (IOException e) {
            return null;
        }
    }

    /** What the constructor did or will do that the user should hear about: leftovers removed, a folder to be replaced. */
    public List<String> notices() { return List.copyOf(notices); }

    /** A path inside the staging folder (what will become {@code target/name}). */
    public Path file(String name) {
        Path p = staging.resolve(name).normalize();
        if (!p.startsWith(staging) || p.equals(staging) || name.equals(MANIFEST))
            throw new IllegalArgumentException("not a file name inside the output folder: " + name);
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

    /** Writes the manifest and moves the results into place, replacing ganfactor's earlier output if allowed. */
    public void commit() {
        try {
            List<String> files = listFiles(staging);
            StringBuilder m = new StringBuilder(HEADER).append('\n')
                    .append("# ").append(command).append(", ").append(Instant.now()).append('\n');
            for (String f : files) m.append(f).append('\n');
            Files.writeString(staging.resolve(MANIFEST), m.toString(), StandardCharsets.UTF_8);
            if (replaced == null && Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !isEmpty(target))
                throw overtaken();
            if (replaced != null && Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !isEmpty(target)) {
                // checked again: a file may have been added while the run was going
                Set<String> now = replaceable(target.toString(), target);
                Path aside = target.resolveSibling("." + target.getFileName() + ".old-" + ProcessHandle.current().pid() + "-"
                        + Long.toHexString(new SecureRandom().nextLong() >>> 1));
                Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                committed = true;
                deleteListed(aside, now);
            } else {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                committed = true;
            }
        } catch (java.nio.file.DirectoryNotEmptyException | java.nio.file.FileAlreadyExistsException e) {
            // the target appeared between the check above and the rename: another run committed there
            throw overtaken();
        } catch (IOException e) {
            throw new InputException("cannot move the results into " + target + " (" + reason(e) + ")");
        }
    }

    @Override
    public void close() {
        if (!committed) {
            try {
                deleteTree(staging);
            } catch (IOException ignored) {
                // best effort: the staging folder is hidden, named .partial-PID and removed by the next run
            }
        }
    }

    /** The working folder, home and the root (and any folder above them) are never output folders. */
    private static void refuseProtected(String given, Path target) {
        Path cwd = Path.of("").toAbsolutePath().normalize();
        Path home = Path.of(System.getProperty("user.home", "/")).toAbsolutePath().normalize();
        if (target.getParent() == null)
            throw new InputException(given + ": is the file system root; choose a folder of its own for the output, e.g. " + ref("out") + " results");
        if (cwd.startsWith(target))
            throw new InputException(given + ": is " + (cwd.equals(target) ? "the working folder" : "a parent of the working folder")
                    + "; choose a folder of its own for the output, e.g. " + ref("out") + " results");
        if (home.startsWith(target))
            throw new InputException(given + ": is " + (home.equals(target) ? "the home folder" : "a parent of the home folder")
                    + "; choose a folder of its own for the output");
    }

    /** The manifest of a folder that may be replaced; refuses one that holds anything ganfactor did not write. */
    private static Set<String> replaceable(String given, Path dir) throws InputException {
        Path mf = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(mf, LinkOption.NOFOLLOW_LINKS))
            throw new InputException(given + ": was not written by ganfactor (no " + MANIFEST + "); " + ref("force") + " replaces only ganfactor's own output folders, so choose another " + ref("out") + " or empty it yourself");
        Set<String> listed = new HashSet<>();
        try {
            for (String line : Files.readAllLines(mf, StandardCharsets.UTF_8))
                if (!line.isBlank() && !line.startsWith("#")) listed.add(line);
            List<String> foreign = new ArrayList<>();
            for (String f : listFiles(dir)) if (!f.equals(MANIFEST) && !listed.contains(f)) foreign.add(f);
            if (!foreign.isEmpty())
                throw new InputException(given + ": holds " + foreign.size() + " file(s) ganfactor did not write there (" + foreign.get(0)
                        + (foreign.size() > 1 ? ", ..." : "") + "); " + ref("force") + " replaces only ganfactor's own files, so move them or choose another " + ref("out"));
        } catch (IOException e) {
            throw new InputException(given + ": cannot read the folder (" + reason(e) + ")");
        }
        return listed;
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The target was written by another run between the start and the commit. */
    private ConflictException overtaken() {
        return new ConflictException(target + ": another run wrote this folder while this one was running; it was left as it is and this run's results were discarded");
    }

    /** Removes staging and set-aside folders for this target whose process is gone (a killed run). */
    private void cleanStale(Path parent, String name) throws IOException {
        String prefix = "." + name + ".";
        try (Stream<Path> s = Files.list(parent)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (!n.startsWith(prefix) || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) continue;
                Matcher m = STAGING.matcher(n.substring(prefix.length() - 1));
                if (m.matches()) {
                    long pid = Long.parseLong(m.group(2));
                    if (alive(pid)) continue;   // another run, still going
                    deleteTree(p);
                    notices.add("removed " + p.getFileName() + ", left by an interrupted run (process " + pid + ")");
                } else if (n.startsWith(prefix + "partial-")) {
                    notices.add("found " + p.getFileName() + ", the unfinished output of a run interrupted under an older ganfactor; delete it");
                }
            }
        }
    }

    /** Relative paths of every non-directory entry below dir, sorted. */
    private static List<String> listFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    /** Deletes the listed files of a set-aside folder, then its folders once empty; anything else stays (and so does the folder). */
    private static void deleteListed(Path dir, Set<String> listed) throws IOException {
        for (String f : listed) {
            Path p = dir.resolve(f).normalize();
            if (p.startsWith(dir)) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir.resolve(MANIFEST));
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path q : s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted(Comparator.reverseOrder()).toList()) {
                if (isEmpty(q)) Files.delete(q);
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

    /** Deletes a tree that ganfactor created itself (a staging folder); symbolic links are removed, never followed. */
    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }

    /** An I/O failure in a few words: the JDK's exception messages are often just the path. */
    public static String reason(IOException e) {
        return ganfactor.Messages.reason(e);
    }
}
