package dev.mixem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mixem.SparkTestSession;
import dev.mixem.data.ModelStore;
import dev.mixem.model.MixtureModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** select through the command line on Spark: the table, the report and the chosen model, under save modes. */
class SelectCommandTest {
    @TempDir
    Path dir;

    @Test
    void selectWritesTheTableTheReportAndTheChosenModel() throws Exception {
        SparkTestSession.get();
        String data = dir.resolve("data.csv").toString();
        assertEquals(0, MainTest.run(new ByteArrayOutputStream(), "generate", "--rows", "3000", "--dim", "2", "--k", "3",
                "--seed", "5", "--partitions", "3", "--output", data));
        String out = dir.resolve("sel").toString();
        String[] args = {"select", "--input", data, "--k", "1..4", "--covariance", "full,diag", "--n-init", "2",
                "--partitions", "3", "--output", out};
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, MainTest.run(err, args), err.toString(StandardCharsets.UTF_8));
        JsonNode j = new ObjectMapper().readTree(Path.of(out, "select.json").toFile());
        assertEquals(16, j.get("candidates").size());
        assertEquals(3, j.get("partitions").asInt());
        // Three well-separated (separation 5) full-covariance components: BIC picks them.
        assertEquals(3, j.get("chosen").get("k").asInt(), j.get("chosen").toString());
        assertEquals("full", j.get("chosen").get("covariance").asText());
        assertEquals("bic", j.get("criterion").asText());
        for (JsonNode c : j.get("candidates")) {
            assertTrue(c.get("bic").isNumber() && c.get("aic").isNumber() && c.get("icl").isNumber(), c.toString());
        }
        MixtureModel m = ModelStore.load(SparkTestSession.get().sparkContext().hadoopConfiguration(),
                Path.of(out, "model").toString());
        assertEquals(3, m.params().k());
        double chosenLl = 0;
        for (JsonNode c : j.get("candidates")) {
            if (c.get("chosen").asBoolean()) {
                chosenLl = c.get("avgLogLikelihood").asDouble();
            }
        }
        assertEquals(chosenLl, m.summary().avgLogLikelihood(), 0.0);
        String html = Files.readString(Path.of(out, "report.html"));
        assertTrue(html.contains("data:image/png;base64,") && html.contains("lower is better"), "report");

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        assertEquals(1, MainTest.run(again, args));
        assertTrue(again.toString(StandardCharsets.UTF_8).contains("--overwrite"), again.toString());

        // Whatever the partitioning: one partition gives the same table up to the rounding of a different merge
        // order (1e-9 relative, fit's partition-invariance tolerance).
        String one = dir.resolve("sel1").toString();
        assertEquals(0, MainTest.run(new ByteArrayOutputStream(), "select", "--input", data, "--k", "1..4",
                "--covariance", "full,diag", "--n-init", "2", "--partitions", "1", "--output", one));
        JsonNode j1 = new ObjectMapper().readTree(Path.of(one, "select.json").toFile());
        assertEquals(1, j1.get("partitions").asInt());
        for (int i = 0; i < 16; i++) {
            double bic = j.get("candidates").get(i).get("bic").asDouble();
            assertEquals(bic, j1.get("candidates").get(i).get("bic").asDouble(), 1e-9 * Math.abs(bic), "candidate " + i);
        }
    }
}
