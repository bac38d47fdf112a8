package ganfactor.cli;

import ganfactor.jacobian.Progress;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of long work on standard error. On a terminal: a bar redrawn at most five times a
 * second, with rate and time left. Elsewhere (a log file, a pipe, CI): a plain line every
 * {@link #LINE_INTERVAL_NANOS} while a stage runs (done/total, percent, elapsed, time left) and one
 * when such a stage ends, so a long run in a log is never silent while a short one (under the
 * interval) prints nothing. {@code --quiet}: nothing.
 */
final class TerminalProgress implements Progress {
    /** How often a log line is written while a stage runs (off a terminal). */
    static final long LINE_INTERVAL_NANOS = 5_000_000_000L;

    enum Style { BAR, LINES, OFF }

    private final PrintStream err;
    private final Style style;
    private final LongSupplier clock;
    private String label;
    private long total, done, started, lastDraw;
    private boolean printed;   // a log line of this stage was written

    TerminalProgress(PrintStream err, Style style, LongSupplier clock) {
        this.err = err;
        this.style = style;
        this.clock = clock;
    }

    /** A bar when standard error is a terminal, log lines when it is not, nothing with {@code quiet}. */
    static TerminalProgress auto(boolean quiet) {
        return new TerminalProgress(System.err, quiet ? Style.OFF : stderrIsTerminal() ? Style.BAR : Style.LINES, System::nanoTime);
    }

    /**
     * Whether file descriptor 2 is a terminal. Java 17 has no isatty for it ({@code System.console()}
     * looks at standard input and output, so {@code cmd 2>log} on a terminal would draw carriage
     * returns into the log); on Linux the descriptor's link names the device.
     */
    static boolean stderrIsTerminal() {
        try {
            String t = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return t.startsWith("/dev/pts/") || t.startsWith("/dev/tty") || t.equals("/dev/console");
        } catch (Exception e) {
            return System.console() != null;
        }
    }

    @Override
    public void begin(String label, long total) {
        this.label = label;
        this.total = Math.max(1, total);
        this.done = 0;
        this.started = clock.getAsLong();
        this.lastDraw = started;
        this.printed = false;
    }

    @Override
    public void advance(long steps) {
        done += steps;
        if (style == Style.OFF) return;
        long now = clock.getAsLong();
        if (style == Style.BAR && (now - lastDraw > 200_000_000L || done >= total)) {
            lastDraw = now;
            draw(now);
        } else if (style == Style.LINES && now - lastDraw >= LINE_INTERVAL_NANOS && done < total) {
            lastDraw = now;
            printed = true;
            double el = (now - started) / 1e9;
            err.printf(Locale.ROOT, "ganfactor: %s: %,d/%,d (%.0f%%), %s elapsed, about %s left%n", label, done, total,
                    100.0 * done / total, Progress.duration(el), Progress.duration(el / done * (total - done)));
            err.flush();
        }
    }

    private void draw(long now) {
        double el = (now - started) / 1e9;
        double frac = Math.min(1.0, done / (double) total);
        int width = 28, fill = (int) Math.round(frac * width);
        String eta = done > 0 && done < total ? String.format(Locale.ROOT, " ETA %.1fs", el / done * (total - done)) : "";
        err.printf(Locale.ROOT, "\r%-28s [%s%s] %d/%d %.1fs%s   ", label, "#".repeat(fill), ".".repeat(width - fill), done, total, el, eta);
        err.flush();
    }

    @Override
    public void end() {
        if (style == Style.BAR) {
            draw(clock.getAsLong());
            err.print("\r" + " ".repeat(100) + "\r");
            err.flush();
        } else if (style == Style.LINES && printed) {
            err.printf(Locale.ROOT, "ganfactor: %s: done, %,d/%,d in %s%n", label, done, total, Progress.duration((clock.getAsLong() - started) / 1e9));
            err.flush();
        }
    }
}
