package ganfactor.cli;

import ganfactor.jacobian.Progress;

import java.io.PrintStream;

/**
 * A progress bar on standard error, redrawn at most five times a second, with rate and time
 * left. Off a terminal (CI, pipes) it stays silent so logs are not flooded.
 */
final class TerminalProgress implements Progress {
    private final PrintStream err;
    private final boolean enabled;
    private String label;
    private long total, done, started, lastDraw;

    TerminalProgress(PrintStream err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    static TerminalProgress auto(boolean quiet) {
        return new TerminalProgress(System.err, !quiet && System.console() != null);
    }

    @Override
    public void begin(String label, long total) {
        this.label = label;
        this.total = Math.max(1, total);
        this.done = 0;
        this.started = System.nanoTime();
        this.lastDraw = 0;
    }

    @Override
    public void advance(long steps) {
        done += steps;
        long now = System.nanoTime();
        if (enabled && (now - lastDraw > 200_000_000L || done >= total)) {
            lastDraw = now;
            draw(now);
        }
    }

    private void draw(long now) {
        double el = (now - started) / 1e9;
        double frac = Math.min(1.0, done / (double) total);
        int width = 28, fill = (int) Math.round(frac * width);
        String eta = done > 0 && done < total ? String.format(" ETA %.1fs", el / done * (total - done)) : "";
        err.printf("\r%-28s [%s%s] %d/%d %.1fs%s   ", label, "#".repeat(fill), ".".repeat(width - fill), done, total, el, eta);
        err.flush();
    }

    @Override
    public void end() {
        if (enabled) {
            draw(System.nanoTime());
            err.print("\r" + " ".repeat(100) + "\r");
            err.flush();
        }
    }
}
