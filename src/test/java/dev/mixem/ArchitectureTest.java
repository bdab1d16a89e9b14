package dev.mixem;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layers of DESIGN.md, read from the sources: the Spark-free packages never name Spark, and the
 * packages depend on each other without a cycle. References are imports and fully qualified names.
 */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src", "main", "java", "dev", "mixem");
    /** Packages that must be usable (and are tested) without Spark on the classpath. */
    private static final Set<String> SPARK_FREE =
            Set.of("config", "math", "stats", "family", "source", "fit", "init", "model", "select");
    private static final Pattern MIXEM_REF = Pattern.compile("\\bdev\\.mixem\\.([a-z]+)\\.[A-Za-z]");
    private static final Pattern SPARK_REF = Pattern.compile("\\borg\\.apache\\.spark\\b");

    /** Per package, the other mixem packages its sources name. */
    private static Map<String, Set<String>> dependencies(Map<String, List<String>> sparkUsers) throws IOException {
        Map<String, Set<String>> deps = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = MAIN.relativize(f).getName(0).toString();
                String src = Files.readString(f);
                Set<String> out = deps.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher m = MIXEM_REF.matcher(src);
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        out.add(m.group(1));
                    }
                }
                if (SPARK_REF.matcher(src).find()) {
                    sparkUsers.computeIfAbsent(pkg, p -> new ArrayList<>()).add(f.getFileName().toString());
                }
            }
        }
        return deps;
    }

    @Test
    void sparkFreePackagesDoNotNameSpark() throws IOException {
        Map<String, List<String>> sparkUsers = new TreeMap<>();
        Map<String, Set<String>> deps = dependencies(sparkUsers);
        assertTrue(deps.keySet().containsAll(SPARK_FREE), "packages found: " + deps.keySet());
        for (String pkg : SPARK_FREE) {
            assertEquals(List.of(), sparkUsers.getOrDefault(pkg, List.of()), "Spark named in package " + pkg);
            for (String dep : deps.get(pkg)) {
                assertTrue(SPARK_FREE.contains(dep), "Spark-free package " + pkg + " depends on " + dep
                        + ", which is not Spark-free");
            }
        }
    }

    /**
     * The seam knows no family: the generic E-step and pass (family/*.java), the sources, the statistics'
     * base and the fit loop name no Gaussian type, so that a new family plugs in without touching them.
     */
    @Test
    void theGenericLayersNameNoFamily() throws IOException {
        Pattern family = Pattern.compile("\\bGaussian[A-Z]\\w*|\\bdev\\.mixem\\.family\\.gaussian\\b");
        List<Path> generic = new ArrayList<>();
        for (String dir : List.of("family", "source", "stats")) {
            try (Stream<Path> files = Files.list(MAIN.resolve(dir))) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(generic::add);
            }
        }
        for (String f : List.of("FitLoop", "EmGuard", "TraceEntry", "FitListener", "Checkpointer", "FitCheckpoint",
                "FitResult")) {
            generic.add(MAIN.resolve("fit").resolve(f + ".java"));
        }
        List<String> offenders = new ArrayList<>();
        for (Path f : generic) {
            Matcher m = family.matcher(Files.readString(f));
            if (m.find()) {
                offenders.add(MAIN.relativize(f) + " names " + m.group());
            }
        }
        assertTrue(generic.size() > 12, "generic sources found: " + generic);
        assertEquals(List.of(), offenders);
    }

    @Test
    void packagesHaveNoCycles() throws IOException {
        Map<String, Set<String>> deps = dependencies(new TreeMap<>());
        // Depth-first search; a package met again while still on the path closes a cycle.
        Map<String, Integer> state = new TreeMap<>();
        for (String start : deps.keySet()) {
            List<String> cycle = visit(start, deps, state, new ArrayList<>());
            assertEquals(List.of(), cycle, "package cycle");
        }
    }

    private static List<String> visit(String pkg, Map<String, Set<String>> deps, Map<String, Integer> state,
                                      List<String> path) {
        int s = state.getOrDefault(pkg, 0);
        if (s == 2) {
            return List.of();
        }
        if (s == 1) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(pkg), path.size()));
            cycle.add(pkg);
            return cycle;
        }
        state.put(pkg, 1);
        path.add(pkg);
        for (String dep : deps.getOrDefault(pkg, Set.of())) {
            List<String> cycle = visit(dep, deps, state, path);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        path.remove(path.size() - 1);
        state.put(pkg, 2);
        return List.of();
    }
}
