package ganfactor.jacobian;

/** Receives progress of long work: {@code begin}, any number of {@code advance}, then {@code end}. */
public interface Progress {
    void begin(String label, long total);

    void advance(long steps);

    void end();

    Progress NONE = new Progress() {
        public void begin(String label, long total) {}
        public void advance(long steps) {}
        public void end() {}
    };
}
