package dev.mixem.cli;

import dev.mixem.SparkTestSession;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command that writes follows Spark's save modes through the real command line: a path in the way is
 * refused with a message naming it and --overwrite, a file mixem did not write survives every flag, and
 * --overwrite replaces an earlier output. The commands run on the shared test session, which they leave
 * running (they stop only a session they started).
 */
class SaveModesTest {
    @TempDir
    static Path dir;

    static String data;
    static String model;

    @BeforeAll
    static void fitOnce() {
        SparkTestSession.get();
        data = dir.resolve("data.csv").toString();
        assertEquals(0, run(new ByteArrayOutputStream(), "generate", "--rows", "600", "--dim", "2", "--k", "2",
                "--seed", "3", "--partitions", "2", "--output", data));
        model = dir.resolve("model").toString();
        assertEquals(0, run(new ByteArrayOutputStream(), "fit", "--input", data, "--k", "2", "--output", model,
                "--seed", "3"));
    }

    static int run(ByteArrayOutputStream err, String... args) {
        return MainTest.run(err, args);
    }

    /** A directory holding one file of the user's. */
    private static Path foreign(String name) throws IOException {
        Path d = dir.resolve(name);
        Files.createDirectories(d);
        Files.writeString(d.resolve("thesis.tex"), "precious");
        return d;
    }

    /** The command is refused, with and without --overwrite, and the user's file is untouched. */
    private static void refusedBoth(Path d, String... args) throws IOException {
        for (boolean overwrite : new boolean[]{false, true}) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            String[] a = overwrite ? append(args, "--overwrite") : args;
            assertEquals(1, run(err, a), Arrays.toString(a) + ": " + err);
            String msg = err.toString(StandardCharsets.UTF_8);
            assertTrue(msg.contains(d.toString()), msg);
            assertTrue(msg.contains(overwrite ? "thesis.tex" : "--overwrite"), msg);
            assertEquals("precious", Files.readString(d.resolve("thesis.tex")));
        }
    }

    private static String[] append(String[] a, String... more) {
        String[] out = Arrays.copyOf(a, a.length + more.length);
        System.arraycopy(more, 0, out, a.length, more.length);
        return out;
    }

    @Test
    void generateNeverDeletesTheUsersFiles() throws IOException {
        Path d = foreign("gen");
        refusedBoth(d, "generate", "--rows", "100", "--dim", "2", "--k", "2", "--output", d.toString());
        assertEquals(List.of("thesis.tex"), list(d));
    }

    @Test
    void generateReplacesItsOwnOutputOnlyWithOverwrite() throws IOException {
        String out = dir.resolve("again.csv").toString();
        String[] args = {"generate", "--rows", "50", "--dim", "2", "--k", "2", "--seed", "1", "--output", out};
        assertEquals(0, run(new ByteArrayOutputStream(), args));
        String truth = Files.readString(Path.of(out + ".truth.json"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, run(err, args));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--overwrite"), err.toString());
        args[8] = "9";
        assertEquals(0, run(new ByteArrayOutputStream(), append(args, "--overwrite")));
        assertTrue(!Files.readString(Path.of(out + ".truth.json")).equals(truth), "seed 9's truth replaced seed 1's");
        assertEquals(50, SparkTestSession.get().read().option("header", "true").csv(out).count());
    }

    @Test
    void fitPredictCompareAndDemoRefuseAPathInTheWay() throws IOException {
        Path f = foreign("fitout");
        refusedBoth(f, "fit", "--input", data, "--k", "2", "--output", f.toString());
        Path p = foreign("predout");
        refusedBoth(p, "predict", "--model", model, "--input", data, "--output", p.toString());
        Path c = foreign("cmpout");
        refusedBoth(c, "compare", "--input", data, "--k", "2", "--methods", "em", "--output", c.toString());
        Path demo = foreign("demoout");
        refusedBoth(demo, "demo", "--rows", "100", "--output", demo.toString());
        // The existing model directory is the fit's own: refused without --overwrite only.
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, run(err, "fit", "--input", data, "--k", "2", "--output", model));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("already exists"), err.toString());
    }

    @Test
    void benchRefusesToReplaceAFileUnlessTold() throws IOException {
        for (String cmd : List.of("bench", "bench-missing")) {
            Path f = dir.resolve(cmd + ".json");
            Files.writeString(f, "mine");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertEquals(1, run(err, cmd, "--rows", "100", "--dim", "2", "--k", "2", "--output", f.toString()));
            String msg = err.toString(StandardCharsets.UTF_8);
            assertTrue(msg.contains(f.toString()) && msg.contains("--overwrite"), msg);
            assertEquals("mine", Files.readString(f));
        }
    }

    @Test
    void anEarlierCheckpointNeedsResumeOrOverwrite() throws IOException {
        Path ck = dir.resolve("ck");
        Files.createDirectories(ck);
        Files.writeString(ck.resolve("checkpoint.json"), "{}");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, run(err, "fit", "--input", data, "--k", "2", "--output", dir.resolve("m2").toString(),
                "--checkpoint-dir", ck.toString()));
        String msg = err.toString(StandardCharsets.UTF_8);
        assertTrue(msg.contains("--resume") && msg.contains("--overwrite"), msg);
        assertEquals("{}", Files.readString(ck.resolve("checkpoint.json")));
    }

    @Test
    void predictWritesCsvAndJson() {
        String csv = dir.resolve("preds-csv").toString();
        assertEquals(0, run(new ByteArrayOutputStream(), "predict", "--model", model, "--input", data, "--output", csv,
                "--output-format", "csv", "--impute"));
        Dataset<Row> c = SparkTestSession.get().read().option("header", "true").option("inferSchema", "true").csv(csv);
        assertEquals(List.of("x0", "x1", "prediction", "probability_0", "probability_1", "logLikelihood",
                "imputed_x0", "imputed_x1"), Arrays.asList(c.columns()));
        assertEquals(600, c.count());
        // Probabilities of a row sum to 1 up to the 17 significant digits CSV keeps.
        for (Row r : c.takeAsList(20)) {
            double s = r.getDouble(3) + r.getDouble(4);
            assertEquals(1.0, s, 1e-12, r.toString());
            assertEquals(r.getDouble(3) > r.getDouble(4) ? 0 : 1, r.getInt(2), r.toString());
        }

        String json = dir.resolve("preds-json").toString();
        assertEquals(0, run(new ByteArrayOutputStream(), "predict", "--model", model, "--input", data, "--output", json,
                "--output-format", "json"));
        Dataset<Row> j = SparkTestSession.get().read().json(json);
        assertEquals(600, j.count());
        assertEquals(2, j.first().getList(j.first().fieldIndex("probability")).size());
    }

    private static List<String> list(Path d) throws IOException {
        try (var s = Files.list(d)) {
            return s.map(x -> x.getFileName().toString()).sorted().toList();
        }
    }
}
