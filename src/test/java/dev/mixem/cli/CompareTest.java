package dev.mixem.cli;

import dev.mixem.config.MethodOptions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mixem.SparkTestSession;
import dev.mixem.config.FitConfig;
import dev.mixem.data.InputSpec;
import dev.mixem.fit.Comparison;
import dev.mixem.config.FitMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** compare end to end on a small dataset: both files, and the JSON's numbers are those of its traces. */
class CompareTest {
    @TempDir
    Path dir;

    @Test
    void writesTheReportAndNumbersThatAgreeWithTheTraces() throws Exception {
        String data = dir.resolve("d.csv").toString();
        // Overlapping components (separation 2), so that the methods differ.
        GenerateCommand.write(SparkTestSession.get(), 4000, 2, 3, 6, data, "csv", 2, 2.0);
        FitConfig cfg = Comparison.defaults(3).withSeed(1).withMethod(new MethodOptions(FitMethod.EM, 0, 0.05, 0, 6, 0,
                0.5));
        String out = dir.resolve("cmp").toString();
        Comparison.Outcome o = CompareCommand.run(SparkTestSession.get(), InputSpec.of(data), cfg,
                List.of(FitMethod.values()), 1, out);
        JsonNode json = new ObjectMapper().readTree(Path.of(out, "compare.json").toFile());
        String html = Files.readString(Path.of(out, "report.html"));

        double best = Double.NEGATIVE_INFINITY;
        for (FitMethod m : FitMethod.values()) {
            JsonNode n = json.get("methods").get(m.serializedName());
            JsonNode trace = n.get("trace");
            double firstAtTarget = Double.NaN;
            int falls = 0;
            boolean held = true;
            for (JsonNode p : trace) {
                best = Math.max(best, p.get("avgLogLikelihood").asDouble());
            }
            double bestSoFar = json.get("bestAvgLogLikelihood").asDouble();
            for (JsonNode p : trace) {
                if (Double.isNaN(firstAtTarget) && p.get("avgLogLikelihood").asDouble() >= bestSoFar - 1e-3) {
                    firstAtTarget = p.get("passes").asDouble();
                }
                falls += p.get("likelihoodDecreased").asBoolean() ? 1 : 0;
                held &= p.get("constraintsHeld").asBoolean();
            }
            assertEquals(trace.get(trace.size() - 1).get("avgLogLikelihood").asDouble(),
                    n.get("finalAvgLogLikelihood").asDouble(), 0.0, m + " final");
            if (Double.isNaN(firstAtTarget)) {
                assertTrue(n.get("passesToTarget").isNull(), m + " never reached the target");
            } else {
                assertEquals(firstAtTarget, n.get("passesToTarget").asDouble(), 0.0, m + " passes to target");
            }
            assertEquals(falls, n.get("likelihoodDecreases").asInt(), m + " falls");
            assertEquals(held, n.get("constraintsHeld").asBoolean());
            assertTrue(held, m + " kept the constraints");
            assertTrue(html.contains("<td>" + m.serializedName() + "</td>"), m + " in the report's table");
        }
        assertEquals(best, json.get("bestAvgLogLikelihood").asDouble(), 0.0);
        assertEquals(0, json.get("methods").get("em").get("likelihoodDecreases").asInt(), "EM never fell");
        assertEquals(15, json.get("learningRateSweep").size(), "3 methods x 5 learning rates");
        // Four charts, embedded: curves against iterations, passes and seconds, and the sweep.
        assertEquals(4, html.split("data:image/png;base64,", -1).length - 1);
        assertTrue(!html.contains("http://") && !html.contains("https://"), "the report needs no network");
        assertEquals(best, o.bestAvgLogLikelihood(), 0.0);
    }

    @Test
    void everyMethodRunsOnDataWithMissingCells() throws Exception {
        String data = dir.resolve("holes.csv").toString();
        GenerateCommand.write(SparkTestSession.get(), 3000, 3, 2, 8, data, "csv", 2, 3.0, 0.15);
        FitConfig cfg = Comparison.defaults(2).withSeed(2).withMethod(new MethodOptions(FitMethod.EM, 0, 0.1, 0, 3, 0,
                0.5));
        String out = dir.resolve("cmp-holes").toString();
        Comparison.Outcome o = CompareCommand.run(SparkTestSession.get(), InputSpec.of(data), cfg,
                List.of(FitMethod.values()), 0, out);
        JsonNode json = new ObjectMapper().readTree(Path.of(out, "compare.json").toFile());
        assertTrue(json.get("data").get("missingCells").asLong() > 0);
        for (Comparison.MethodOutcome m : o.methods()) {
            assertTrue(Double.isFinite(m.finalAvgLogLikelihood()), m.options().method() + " on missing cells");
            assertTrue(m.constraintsHeld());
            assertEquals(null, m.result().diverged(), m.options().method() + " diverged");
        }
    }
}
