package dev.mixem.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spark standalone cluster on 127.0.0.1 for tests: a Master and N Workers (1 core, 1 GiB each) as separate
 * JVMs started from the Maven-resolved jars alone (spark-core holds the Master and Worker classes). Workers
 * launch executors with {@code java} and look for Spark's jars under {@code SPARK_HOME/jars}, so the cluster
 * gets a SPARK_HOME whose {@code jars/} links to the jars of {@code target/classpath.txt}, as a Spark
 * installation would hold them, and {@code SPARK_SCALA_VERSION=2.13}. Ports are chosen by the OS (port 0)
 * and read back from the logs; the REST submission server is off.
 * <p>
 * Everything it starts it stops by PID in {@link #close()} (executors, then workers, then the master), and a
 * shutdown hook does the same if the test JVM exits first. All waits are bounded.
 */
final class LocalSparkCluster implements AutoCloseable {
    private static final Pattern MASTER_URL = Pattern.compile("Starting Spark master at (spark://127\\.0\\.0\\.1:\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final Path home;
    private final Process master;
    private final String url;
    private final List<Process> workers = new ArrayList<>();
    private final Thread hook = new Thread(this::stopAll, "local-spark-cluster-stop");

    LocalSparkCluster(Path dir, int workerCount) throws IOException, InterruptedException {
        this.dir = dir;
        this.home = dir.resolve("spark-home");
        Path jars = home.resolve("jars");
        Files.createDirectories(jars);
        for (String jar : Files.readString(SubmitShIT.ROOT.resolve("target/classpath.txt")).trim().split(File.pathSeparator)) {
            Path src = Path.of(jar);
            Path link = jars.resolve(src.getFileName());
            if (!Files.exists(link)) {
                Files.createSymbolicLink(link, src);
            }
        }
        Runtime.getRuntime().addShutdownHook(hook);
        Path masterLog = dir.resolve("master.log");
        master = start(List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", "0",
                "--webui-port", "0"), masterLog);
        try {
            Matcher m = awaitLog(master, masterLog, MASTER_URL);
            url = m.group(1);
            for (int i = 0; i < workerCount; i++) {
                workers.add(startWorker(i));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    String url() {
        return url;
    }

    /** The executor JVMs that worker i has launched and that are alive. */
    List<ProcessHandle> executors(int worker) {
        return workers.get(worker).descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                .filter(ProcessHandle::isAlive)
                .toList();
    }

    /** kill -9 of worker i (its executors notice the lost worker and exit). */
    void killWorker(int i) throws InterruptedException {
        Process w = workers.get(i);
        List<ProcessHandle> children = w.descendants().toList();
        w.destroyForcibly();
        w.waitFor(30, TimeUnit.SECONDS);
        for (ProcessHandle c : children) {
            c.destroyForcibly();
        }
    }

    void restartWorker(int i) throws IOException, InterruptedException {
        workers.set(i, startWorker(i));
    }

    private Process startWorker(int i) throws IOException, InterruptedException {
        Path log = dir.resolve("worker" + i + "-" + System.nanoTime() + ".log");
        Path work = dir.resolve("work" + i);
        Files.createDirectories(work);
        Process p = start(List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--port", "0",
                "--webui-port", "0", "--cores", "1", "--memory", "1g", "--work-dir", work.toString(), url), log);
        awaitLog(p, log, Pattern.compile("Successfully registered with master"));
        return p;
    }

    private Process start(List<String> mainAndArgs, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx256m", "-XX:+IgnoreUnrecognizedVMOptions",
                "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
                "-Dspark.master.rest.enabled=false", "-cp", home.resolve("jars") + "/*"));
        cmd.addAll(mainAndArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().remove("SPARK_MASTER_HOST");
        return pb.start();
    }

    /** Waits (bounded) until the process's log matches, failing with the log if it exits or times out. */
    private static Matcher awaitLog(Process p, Path log, Pattern pattern) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            Matcher m = pattern.matcher(text);
            if (m.find()) {
                return m;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("process exited before '" + pattern + "':\n" + text);
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no '" + pattern + "' within " + START_TIMEOUT + " in " + log);
    }

    @Override
    public void close() {
        stopAll();
        // Remove the links ourselves: JUnit would warn about each one when it cleans its temp directory.
        try (java.util.stream.Stream<Path> links = Files.list(home.resolve("jars"))) {
            for (Path link : (Iterable<Path>) links::iterator) {
                Files.deleteIfExists(link);
            }
        } catch (IOException ignored) {
            // Best effort: the temp directory is removed anyway.
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // Already shutting down.
        }
    }

    private void stopAll() {
        List<Process> all = new ArrayList<>(workers);
        all.add(master);
        for (Process p : all) {
            if (p == null) {
                continue;
            }
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : all) {
            if (p == null) {
                continue;
            }
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
