package ganfactor.jacobian;

/** Receives progress of long work: {@code begin}, any number of {@code advance}, then {@code end}. */
public interface Progress {
    void begin(String label, long total);

    void advance(long steps);

    void end();

    /** This progress with every stage's label prefixed by {@code prefix} (which sample of how many, say). */
    default Progress prefixed(String prefix) {
        Progress p = this;
        return this == NONE ? NONE : new Progress() {
            public void begin(String label, long total) { p.begin(prefix + label, total); }
            public void advance(long steps) { p.advance(steps); }
            public void end() { p.end(); }
        };
    }

    /** A duration for people: 4.2 s, 3 min 12 s, 1 h 05 min; "?" when unknown. */
    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) return "?";
        if (seconds < 60) return String.format(java.util.Locale.ROOT, "%.1f s", seconds);
        long s = Math.round(seconds);
        if (s < 3600) return String.format(java.util.Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        return String.format(java.util.Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }

    Progress NONE = new Progress() {
        public void begin(String label, long total) {}
        public void advance(long steps) {}
        public void end() {}
    };
}
