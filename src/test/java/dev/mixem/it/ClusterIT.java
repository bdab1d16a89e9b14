package dev.mixem.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mixem on a real Spark standalone cluster (a Master and two one-core Workers on 127.0.0.1, separate JVMs),
 * submitted through {@code submit.sh --master spark://...} as a user would: the model equals the local-mode
 * model bit for bit, and stays so when an executor, or a whole worker, is killed with SIGKILL in the middle
 * of the fit.
 * <p>
 * Bit for bit holds for the same kernels, as the README says. With a cluster master, submit.sh gives OpenBLAS
 * Haswell's kernels; in local mode, an AVX-512 CPU gets SkylakeX's, whose LAPACK calls on the driver round
 * differently. So the local runs here name the cluster's core type ({@link #LOCAL_ENV}), and the test checks
 * that both models record the same one.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    static final int ITERATIONS = 30;
    static final Pattern ITERATION = Pattern.compile("iteration\\s+(\\d+)\\s+avgLogLikelihood");

    @TempDir
    static Path dir;
    static LocalSparkCluster cluster;
    static String data;
    static JsonNode localModel;
    /** The local runs' environment: the core type submit.sh picks for a cluster master on this CPU. */
    static final java.util.Map<String, String> LOCAL_ENV = clusterCoretype();

    /** submit.sh's rule for a cluster master: Haswell on a CPU with AVX2 and FMA, else nothing. */
    static java.util.Map<String, String> clusterCoretype() {
        try {
            String flags = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("flags")).findFirst().orElse("");
            java.util.Set<String> set = new java.util.HashSet<>(List.of(flags.replaceFirst("^[^:]*:", "").trim().split("\\s+")));
            return set.contains("avx2") && set.contains("fma") ? java.util.Map.of("OPENBLAS_CORETYPE", "Haswell")
                    : java.util.Map.of();
        } catch (IOException e) {
            return java.util.Map.of();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        cluster = new LocalSparkCluster(dir.resolve("cluster"), 2);
        // 40,000 rows x 4 features from three separated blobs; written here so the test needs nothing else.
        StringBuilder sb = new StringBuilder("a,b,c,d\n");
        SplittableRandom rng = new SplittableRandom(11);
        for (int i = 0; i < 40_000; i++) {
            int c = rng.nextInt(3);
            for (int j = 0; j < 4; j++) {
                sb.append(j > 0 ? "," : "").append(4.0 * c * (j % 2 == 0 ? 1 : -1) + rng.nextGaussian());
            }
            sb.append('\n');
        }
        data = dir.resolve("data.csv").toString();
        Files.writeString(Path.of(data), sb.toString());
        Path work = Files.createDirectories(dir.resolve("local"));
        SubmitShIT.Result r = SubmitShIT.submit(work, LOCAL_ENV, fitArgs(work.resolve("model"), false));
        assertEquals(0, r.code(), r.err());
        localModel = model(work.resolve("model"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static String[] fitArgs(Path model, boolean onCluster) {
        List<String> a = new ArrayList<>();
        if (onCluster) {
            a.addAll(List.of("--master", cluster.url(), "--executor-memory", "768m"));
        }
        a.addAll(List.of("fit", "--input", data, "--k", "3", "--output", model.toString(), "--partitions", "4",
                "--seed", "5", "--tol", "0", "--max-iter", String.valueOf(ITERATIONS)));
        return a.toArray(new String[0]);
    }

    static JsonNode model(Path dir) throws IOException {
        return new ObjectMapper().readTree(dir.resolve("model.json").toFile());
    }

    /** The fitted numbers must be identical, bit for bit (JSON holds every double exactly). */
    static void assertSameModel(JsonNode expected, JsonNode actual) {
        for (String key : List.of("weights", "means", "covariances")) {
            assertTrue(expected.path("params").has(key), "the model has params." + key);
            assertEquals(expected.get("params").get(key), actual.get("params").get(key), key);
        }
        for (String key : List.of("avgLogLikelihood", "iterations")) {
            assertTrue(expected.path("summary").has(key), "the model has summary." + key);
            assertEquals(expected.get("summary").get(key), actual.get("summary").get(key), key);
        }
    }

    @Test
    @Order(1)
    void clusterFitEqualsLocalFit() throws Exception {
        Path work = Files.createDirectories(dir.resolve("plain"));
        SubmitShIT.Result r = SubmitShIT.submit(work, fitArgs(work.resolve("model"), true));
        assertEquals(0, r.code(), r.err());
        JsonNode m = model(work.resolve("model"));
        assertTrue(m.get("provenance").get("master").asText().startsWith("spark://127.0.0.1:"));
        assertEquals(localModel.get("provenance").get("openblasCoretype"), m.get("provenance").get("openblasCoretype"),
                "the local and the cluster fit ran the same OpenBLAS kernels");
        assertSameModel(localModel, m);
    }

    @Test
    @Order(2)
    void executorKilledMidFitChangesNothing() throws Exception {
        Path work = Files.createDirectories(dir.resolve("kill-executor"));
        Running fit = Running.start(work, fitArgs(work.resolve("model"), true));
        int at = fit.awaitIteration(2);
        List<ProcessHandle> executors = cluster.executors(0);
        assertFalse(executors.isEmpty(), "worker 0 runs an executor of the fit");
        executors.forEach(ProcessHandle::destroyForcibly);
        assertTrue(fit.isAlive(), "the fit was still running when its executor was killed");
        SubmitShIT.Result r = fit.await();
        assertEquals(0, r.code(), r.err());
        assertTrue(at < ITERATIONS, "killed after iteration " + at + " of " + ITERATIONS);
        // The scheduler saw the loss (and retried the tasks, recomputing the lost cached blocks).
        assertTrue(r.err().contains("Lost executor"), r.err());
        assertSameModel(localModel, model(work.resolve("model")));
    }

    @Test
    @Order(3)
    void workerKilledAndRestartedMidFitChangesNothing() throws Exception {
        Path work = Files.createDirectories(dir.resolve("kill-worker"));
        Running fit = Running.start(work, fitArgs(work.resolve("model"), true));
        int at = fit.awaitIteration(2);
        cluster.killWorker(1);
        assertTrue(fit.isAlive(), "the fit was still running when a worker was killed");
        cluster.restartWorker(1);
        SubmitShIT.Result r = fit.await();
        assertEquals(0, r.code(), r.err());
        assertTrue(at < ITERATIONS, "killed after iteration " + at + " of " + ITERATIONS);
        assertTrue(r.err().contains("Lost executor"), r.err());
        assertSameModel(localModel, model(work.resolve("model")));
    }

    static String[] selectArgs(Path out, boolean onCluster) {
        List<String> a = new ArrayList<>();
        if (onCluster) {
            a.addAll(List.of("--master", cluster.url(), "--executor-memory", "768m"));
        }
        a.addAll(List.of("select", "--input", data, "--k", "2..3", "--covariance", "full,diag", "--output",
                out.toString(), "--partitions", "4", "--seed", "5", "--tol", "0", "--max-iter", "25"));
        return a.toArray(new String[0]);
    }

    @Test
    @Order(4)
    void executorKilledMidSelectChangesNothing() throws Exception {
        // select's lock-step passes go through the same cached blocks and fixed-order merge as fit's: on the
        // cluster, with an executor killed mid-selection, the table and the chosen model are the local ones.
        Path local = Files.createDirectories(dir.resolve("select-local"));
        SubmitShIT.Result l = SubmitShIT.submit(local, LOCAL_ENV, selectArgs(local.resolve("sel"), false));
        assertEquals(0, l.code(), l.err());
        Path work = Files.createDirectories(dir.resolve("select-kill"));
        Running sel = Running.start(work, selectArgs(work.resolve("sel"), true));
        int at = sel.await(Pattern.compile("select batch 1: pass\\s+(\\d+) done"), 3);
        List<ProcessHandle> executors = cluster.executors(0);
        assertFalse(executors.isEmpty(), "worker 0 runs an executor of the selection");
        executors.forEach(ProcessHandle::destroyForcibly);
        assertTrue(sel.isAlive(), "the selection was still running when its executor was killed");
        SubmitShIT.Result r = sel.await();
        assertEquals(0, r.code(), r.err());
        assertTrue(at < 25, "killed after pass " + at);
        assertTrue(r.err().contains("Lost executor"), r.err());
        JsonNode a = new ObjectMapper().readTree(local.resolve("sel/select.json").toFile()).get("candidates");
        JsonNode b = new ObjectMapper().readTree(work.resolve("sel/select.json").toFile()).get("candidates");
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            for (String key : List.of("k", "covariance", "avgLogLikelihood", "bic", "aic", "icl", "iterations")) {
                assertEquals(a.get(i).get(key), b.get(i).get(key), "candidate " + i + " " + key);
            }
        }
        JsonNode ma = model(local.resolve("sel/model"));
        JsonNode mb = model(work.resolve("sel/model"));
        assertEquals(ma.get("params"), mb.get("params"));
        assertEquals(ma.get("summary").get("avgLogLikelihood"), mb.get("summary").get("avgLogLikelihood"));
    }

    /** submit.sh running in the background, its output in files. */
    record Running(Process process, Path out, Path err) {
        static Running start(Path work, String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("bash", SubmitShIT.ROOT.resolve("submit.sh").toString()));
            cmd.addAll(List.of(args));
            Path out = work.resolve("stdout.txt");
            Path err = work.resolve("stderr.txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
            pb.environment().remove("SPARK_HOME");
            return new Running(pb.start(), out, err);
        }

        boolean isAlive() {
            return process.isAlive();
        }

        /** Waits (at most 5 minutes) until the fit logs iteration n or later, and returns the last iteration seen. */
        int awaitIteration(int n) throws IOException, InterruptedException {
            return await(ITERATION, n);
        }

        /** Waits (at most 5 minutes) until the log's last match of {@code p} counts n or more, and returns it. */
        int await(Pattern p, int n) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (System.nanoTime() < deadline && process.isAlive()) {
                int last = -1;
                Matcher m = p.matcher(Files.readString(err));
                while (m.find()) {
                    last = Integer.parseInt(m.group(1));
                }
                if (last >= n) {
                    return last;
                }
                Thread.sleep(50);
            }
            throw new AssertionError("the fit never reached iteration " + n + ":\n" + Files.readString(err));
        }

        SubmitShIT.Result await() throws IOException, InterruptedException {
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("the fit did not finish in 10 minutes");
            }
            return new SubmitShIT.Result(process.exitValue(), Files.readString(out), Files.readString(err));
        }
    }
}
