package dev.mixem.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * submit.sh end to end, the way a user runs it (local mode, Spark from the Maven classpath): generate, fit,
 * predict, and the exit codes of a usage error and of bad input. Runs after the jar is packaged (failsafe).
 */
class SubmitShIT {
    static final Path ROOT = Path.of(System.getProperty("user.dir"));

    record Result(int code, String out, String err) {
    }

    static Result submit(Path work, String... args) throws IOException, InterruptedException {
        return submit(work, java.util.Map.of(), args);
    }

    /** submit.sh with extra environment variables. */
    static Result submit(Path work, java.util.Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("submit.sh").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().remove("SPARK_HOME");
        pb.environment().putAll(env);
        File out = work.resolve("stdout.txt").toFile();
        File err = work.resolve("stderr.txt").toFile();
        pb.redirectOutput(out).redirectError(err);
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("submit.sh " + String.join(" ", args) + " did not finish in 10 minutes");
        }
        return new Result(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
    }

    @Test
    void generateFitPredict(@TempDir Path work) throws Exception {
        String data = work.resolve("data.csv").toString();
        Result g = submit(work, "generate", "--rows", "6000", "--dim", "3", "--k", "2", "--seed", "4",
                "--output", data);
        assertEquals(0, g.code(), g.err());
        assertTrue(Files.exists(Path.of(data + ".truth.json")));

        String model = work.resolve("model").toString();
        Result f = submit(work, "fit", "--input", data, "--k", "2", "--output", model, "--seed", "4",
                "--conf", "spark.sql.shuffle.partitions=3");
        assertEquals(0, f.code(), f.err());
        assertTrue(f.err().contains("iteration   1"), "progress lines on stderr: " + f.err());
        assertTrue(f.out().contains("model written to"), f.out());
        JsonNode m = new ObjectMapper().readTree(work.resolve("model/model.json").toFile());
        assertEquals(2, m.get("formatVersion").asInt());
        assertEquals(2, m.get("params").get("k").asInt());
        assertEquals(6000, m.get("summary").get("rows").asLong());
        JsonNode truth = new ObjectMapper().readTree(new File(data + ".truth.json"));
        // Separation 5 (the default) makes the two components easy: weights within 0.05 of the truth.
        double w0 = m.get("params").get("weights").get(0).asDouble();
        double t0 = truth.get("weights").get(0).asDouble();
        double t1 = truth.get("weights").get(1).asDouble();
        assertTrue(Math.min(Math.abs(w0 - t0), Math.abs(w0 - t1)) < 0.05, "weights " + m.get("params").get("weights"));

        String preds = work.resolve("preds.parquet").toString();
        Result p = submit(work, "predict", "--model", model, "--input", data, "--output", preds);
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().contains("wrote 6000 scored rows"), p.out());
        try (Stream<Path> files = Files.list(Path.of(preds))) {
            assertTrue(files.anyMatch(x -> x.getFileName().toString().endsWith(".parquet")));
        }
    }

    @Test
    void csvWithEmptyCellsFitsOutOfTheBox(@TempDir Path work) throws Exception {
        String data = work.resolve("holes.csv").toString();
        Result g = submit(work, "generate", "--rows", "5000", "--dim", "4", "--k", "3", "--seed", "2",
                "--missing-fraction", "0.2", "--output", data);
        assertEquals(0, g.code(), g.err());
        String model = work.resolve("model").toString();
        Result f = submit(work, "fit", "--input", data, "--k", "3", "--output", model);
        assertEquals(0, f.code(), f.err());
        assertTrue(f.err().contains("missing cells:"), f.err());
        JsonNode m = new ObjectMapper().readTree(work.resolve("model/model.json").toFile());
        JsonNode mv = m.get("summary").get("missingValues");
        // About 20% of 20,000 cells are empty; every one is either in a fitted row or in a skipped one.
        long cells = mv.get("cells").asLong();
        long skipped = mv.get("allMissingRowsSkipped").asLong();
        assertTrue(cells > 3500 && cells < 4500, mv.toString());
        assertEquals(5000, m.get("summary").get("rows").asLong() + skipped);
        assertEquals("marginalize", mv.get("policy").asText());

        String preds = work.resolve("preds.parquet").toString();
        Result p = submit(work, "predict", "--model", model, "--input", data, "--output", preds, "--impute");
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().contains("wrote 5000 scored rows") && p.out().contains("imputed"), p.out());

        Result strict = submit(work, "fit", "--input", data, "--k", "3", "--output", model + "-strict",
                "--missing", "fail");
        assertEquals(1, strict.code());
        assertTrue(strict.err().contains("missing value"), strict.err());
    }

    @Test
    void exitCodesAndOneLineReasons(@TempDir Path work) throws Exception {
        Result usage = submit(work, "fit", "--input", "x.csv", "--k", "0", "--output", "m");
        assertEquals(2, usage.code());
        assertTrue(usage.err().contains("k must be at least 1"), usage.err());

        // The data-loss case: a directory holding a user's file is never an output, whatever the flags.
        Path d = work.resolve("d");
        Files.createDirectories(d);
        Files.writeString(d.resolve("thesis.tex"), "precious", StandardCharsets.UTF_8);
        Result refused = submit(work, "generate", "--rows", "100", "--dim", "2", "--k", "2", "--output", d.toString(),
                "--overwrite");
        assertEquals(1, refused.code(), refused.err());
        assertTrue(refused.err().contains(d.toString()) && refused.err().contains("thesis.tex"), refused.err());
        assertEquals("precious", Files.readString(d.resolve("thesis.tex")));

        Path bad = work.resolve("bad.csv");
        Files.writeString(bad, "a,b\n1,2\n3,4\n5,zzz\n", StandardCharsets.UTF_8);
        Result failure = submit(work, "fit", "--input", bad.toString(), "--k", "1", "--output", "m");
        assertEquals(1, failure.code());
        String line = failure.err().lines().filter(l -> l.startsWith("mixem: ")).findFirst().orElse("");
        assertTrue(line.contains("data row 3") && line.contains("column 'b'") && line.contains("'zzz'"),
                failure.err());
    }
}
