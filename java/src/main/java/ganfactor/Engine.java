package ganfactor;

import org.bytedeco.pytorch.global.torch;

import java.util.LinkedHashMap;
import java.util.Map;

import static ganfactor.InputException.ref;

/**
 * Process-wide engine settings decided in one place: LibTorch's intra-op threads (all cores
 * unless {@code --threads} says otherwise) and what the runtime reports about itself.
 */
public final class Engine {
    /** ganfactor's version, as every record and {@code --version} give it. */
    public static final String VERSION = "0.1.0";

    private static boolean initialised;
    private static boolean nativesLoaded;

    /**
     * The one line JavaCPP prints on every start because the OpenBLAS preset (1.5.13) is a release
     * behind JavaCPP (1.5.14): pytorch 2.13.0-1.5.14 asks for openblas 0.3.34-1.5.14, which was never
     * published, and libtorch only needs its libopenblas.so.0 (docs/JAVACPP.md, pom.xml).
     */
    private static final java.util.regex.Pattern KNOWN_VERSION_WARNING =
            java.util.regex.Pattern.compile("Warning: Versions of org\\.bytedeco:javacpp:\\S+ and org\\.bytedeco:openblas:\\S+ do not match\\.");

    /**
     * Loads LibTorch's natives once, dropping only the known OpenBLAS version line above from what
     * the loader prints (anything else it prints still reaches stderr). For the command line, which
     * must not start every run with a warning the user can do nothing about.
     */
    public static synchronized void loadNatives() {
        if (nativesLoaded) return;
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true));
        try {
            org.bytedeco.javacpp.Loader.load(torch.class);
            nativesLoaded = true;
        } finally {
            System.setErr(err);
            for (String line : captured.toString().split("\\R"))
                if (!line.isEmpty() && !KNOWN_VERSION_WARNING.matcher(line).matches()) err.println(line);
        }
    }

    private Engine() {}

    /** The most intra-op threads per core that {@code --threads} accepts: more only slows LibTorch down, and thousands crash OpenMP. */
    public static final int MAX_THREADS_PER_CORE = 4;

    /**
     * Sets LibTorch's intra-op threads (0 = one per core) and switches NNPACK off: on processors it
     * does not support it prints three warning lines per convolution pass and falls back anyway, to
     * the same oneDNN / im2col paths the recorded benchmarks measured. A thread count outside
     * 0..{@value #MAX_THREADS_PER_CORE} per core is bad input.
     */
    public static synchronized void init(int threads) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (threads < 0 || threads > MAX_THREADS_PER_CORE * cores)
            throw new InputException(ref("threads") + " " + threads + ": give 1.." + MAX_THREADS_PER_CORE * cores
                    + " (at most " + MAX_THREADS_PER_CORE + " per core; this machine has " + cores + "), or 0 for one per core");
        int n = threads > 0 ? threads : cores;
        if (!initialised) torch.globalContext().setUserEnabledNNPACK(false);
        if (!initialised || torch.get_num_threads() != n) torch.set_num_threads(n);
        initialised = true;
    }

    /**
     * Versions, threads and the device probe, for {@code info} and the run records. It sets up
     * LibTorch only when nothing has yet ({@code init(0)}), so the threads a command chose with
     * {@code --threads} are what the record says and what later work in the JVM gets (it reset
     * them to one per core before).
     */
    public static Map<String, String> info() {
        synchronized (Engine.class) {
            if (!initialised) init(0);
        }
        Map<String, String> m = new LinkedHashMap<>();
        m.put("ganfactor", VERSION);
        m.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        m.put("cpu cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
        m.put("torch threads", String.valueOf(torch.get_num_threads()));
        String wait = System.getenv("OMP_WAIT_POLICY");   // read by libgomp when LibTorch loaded: the process's fact, for the record
        m.put("omp wait policy", wait == null ? "unset (libgomp: spin, then sleep)" : wait);
        String mmapMax = System.getenv("MALLOC_MMAP_MAX_");      // read by glibc at process start (the launchers' GANFACTOR_MALLOC=reuse)
        m.put("malloc", "0".equals(mmapMax) ? "reuse (MALLOC_MMAP_MAX_=0, trim threshold " + System.getenv().getOrDefault("MALLOC_TRIM_THRESHOLD_", "glibc's") + ")" : "glibc default");
        m.put("libtorch", version());
        m.put("javacpp", loaderVersion("org.bytedeco", "javacpp"));
        return m;
    }

    private static String loaderVersion(String group, String artifact) {
        try {
            String v = org.bytedeco.javacpp.Loader.getVersion(group, artifact);
            return v == null ? "unknown" : v;
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static String version() {
        return "pytorch preset " + loaderVersion("org.bytedeco", "pytorch");
    }
}
