package ganfactor;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 26: the house as drawn from the imports of the core's sources (java/src/main/java): the
 * root package imports no layer, nothing below the front ends imports a front end, and the
 * packages form no cycle. Imports are read from the sources (an {@code import ganfactor.X...} line
 * or a fully qualified {@code ganfactor.X.Name} in the code), so a use through a qualified name
 * counts too.
 */
class ArchitectureTest {
    private static final Path SRC = Path.of("src/main/java/ganfactor");
    /** The front ends in this module: the command line and the C API's Java side. */
    private static final Set<String> FRONT_ENDS = Set.of("cli", "embed");
    private static final Pattern USE = Pattern.compile("\\bganfactor\\.([a-z]+)\\.[A-Za-z]");

    /** package -> the ganfactor packages its sources use ("" is the root package). */
    static Map<String, Set<String>> graph() throws IOException {
        Map<String, Set<String>> g = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SRC)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                Path rel = SRC.relativize(f.getParent());
                String pkg = rel.toString().replace('/', '.');
                Set<String> uses = g.computeIfAbsent(pkg, k -> new TreeSet<>());
                String text = Files.readString(f).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
                Matcher m = USE.matcher(text);
                while (m.find()) {
                    String used = m.group(1);
                    if (!used.equals(pkg) && Files.isDirectory(SRC.resolve(used))) uses.add(used);
                }
            }
        }
        return g;
    }

    @Test
    void theRootPackageImportsNoLayer() throws IOException {
        assertEquals(Set.of(), graph().get(""), "the root package (Failure, Messages, the exceptions) must import no ganfactor package");
    }

    @Test
    void nothingBelowTheFrontEndsImportsOne() throws IOException {
        List<String> bad = new ArrayList<>();
        graph().forEach((pkg, uses) -> {
            if (FRONT_ENDS.contains(pkg)) return;
            for (String u : uses) if (FRONT_ENDS.contains(u)) bad.add(pkg + " -> " + u);
        });
        assertEquals(List.of(), bad);
        // the web server is a module of its own (studio/): the core holds no studio package and no web server on its class path
        assertFalse(Files.exists(SRC.resolve("studio")), "ganfactor.studio belongs to the studio module");
        assertThrows(ClassNotFoundException.class, () -> Class.forName("io.javalin.Javalin"));
    }

    @Test
    void thePackagesFormNoCycle() throws IOException {
        Map<String, Set<String>> g = graph();
        // the reading sees the layers' known uses (else an empty graph would pass)
        assertTrue(g.get("pipeline").containsAll(Set.of("generator", "jacobian", "method", "io")), "pipeline uses " + g.get("pipeline"));
        assertTrue(g.get("cli").contains("pipeline"), "cli uses " + g.get("cli"));
        assertEquals(List.of(), cycles(g), "package cycles in " + g);
        // and the search finds a planted one
        assertEquals(List.of(Set.of("a", "b", "c")), cycles(Map.of("a", Set.of("b"), "b", Set.of("c", "d"), "c", Set.of("a"), "d", Set.of())));
    }

    /** The strongly connected components of more than one package (Tarjan). */
    static List<Set<String>> cycles(Map<String, Set<String>> g) {
        // Tarjan's strongly connected components; any component of more than one package is a cycle
        List<Set<String>> cycles = new ArrayList<>();
        new Object() {
            final Map<String, Integer> index = new TreeMap<>(), low = new TreeMap<>();
            final java.util.Deque<String> stack = new java.util.ArrayDeque<>();
            int next;

            void run() {
                for (String v : new TreeSet<>(g.keySet())) if (!index.containsKey(v)) visit(v);
            }

            void visit(String v) {
                index.put(v, next);
                low.put(v, next++);
                stack.push(v);
                for (String w : g.getOrDefault(v, Set.of())) {
                    if (!index.containsKey(w)) {
                        visit(w);
                        low.put(v, Math.min(low.get(v), low.get(w)));
                    } else if (stack.contains(w)) low.put(v, Math.min(low.get(v), index.get(w)));
                }
                if (low.get(v).equals(index.get(v))) {
                    Set<String> c = new TreeSet<>();
                    String w;
                    do {
                        w = stack.pop();
                        c.add(w);
                    } while (!w.equals(v));
                    if (c.size() > 1) cycles.add(c);
                }
            }
        }.run();
        return cycles;
    }
}
