package ganfactor;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CUDA natives were built against CUDA 13.3 and the device machines have the 13.0 runtime:
 * the cudart JNI wrapper imports 27 functions that 13.0 lacks (bundle/cuda-13.0-absent-runtime-functions.txt,
 * made by bundle/cuda_symbols.sh from the real libraries). They load because binding is lazy and
 * fail only when called, so no ganfactor source may call one of them (issue 31).
 */
class CudaSymbolsTest {
    @Test
    void ganfactorCallsNoRuntimeFunctionThatCuda130Lacks() throws IOException {
        Set<String> absent;
        try (Stream<String> l = Files.lines(Path.of("../bundle/cuda-13.0-absent-runtime-functions.txt"))) {
            absent = l.filter(s -> !s.isBlank() && !s.startsWith("#")).map(String::trim).collect(Collectors.toSet());
        }
        assertEquals(27, absent.size(), "the list as measured");
        Pattern call = Pattern.compile("\\b(cuda[A-Z]\\w*)\\s*\\(");
        List<String> used = new ArrayList<>(), bad = new ArrayList<>();
        for (String root : List.of("src/main/java", "../spark/src/main/java", "../benchmarks/src/main/java")) {
            Path r = Path.of(root);
            if (!Files.isDirectory(r)) continue;
            try (Stream<Path> files = Files.walk(r)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = call.matcher(Files.readString(f));
                    while (m.find()) {
                        used.add(m.group(1));
                        if (absent.contains(m.group(1))) bad.add(f + ": " + m.group(1));
                    }
                }
            }
        }
        assertTrue(used.contains("cudaRuntimeGetVersion") && used.contains("cudaMemGetInfo"), "the scan sees the calls: " + used);
        assertEquals(List.of(), bad, "calls of functions the CUDA 13.0 runtime lacks");
    }
}
