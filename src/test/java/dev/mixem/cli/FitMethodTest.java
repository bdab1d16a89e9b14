package dev.mixem.cli;

import dev.mixem.config.MethodOptions;

import dev.mixem.job.FitJob;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mixem.SparkTestSession;
import dev.mixem.config.FitConfig;
import dev.mixem.config.InvalidPolicy;
import dev.mixem.config.MissingPolicy;
import dev.mixem.data.InputSpec;
import dev.mixem.config.FitMethod;
import dev.mixem.model.MixtureModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fit --method other than em, through FitJob: the model and its trace of passes, also with missing cells. */
class FitMethodTest {
    @TempDir
    Path dir;

    @Test
    void sgdOnDataWithMissingCellsWritesAModelWithItsPasses() throws Exception {
        String data = dir.resolve("holes.csv").toString();
        GenerateCommand.write(SparkTestSession.get(), 5000, 3, 2, 4, data, "csv", 2, 4.0, 0.1);
        MethodOptions sgd = MethodOptions.defaults(FitMethod.SGD, 2).withBatchFraction(0.1);
        String out = dir.resolve("m").toString();
        MixtureModel m = FitJob.run(SparkTestSession.get(), InputSpec.of(data),
                FitConfig.defaults(2).withSeed(1).withMethod(sgd), null, out, InvalidPolicy.FAIL,
                MissingPolicy.MARGINALIZE, null);
        assertTrue(m.summary().missing().cells() > 0);
        assertTrue(Double.isFinite(m.summary().avgLogLikelihood()));
        JsonNode json = new ObjectMapper().readTree(Path.of(out, "model.json").toFile());
        assertEquals("sgd", json.get("provenance").get("configuration").get("method").asText());
        JsonNode trace = json.get("summary").get("trace");
        // 2 passes in 10% mini-batches, evaluated every 0.1 pass: 20 updates after the start.
        assertEquals(21, trace.size());
        assertEquals(0.0, trace.get(0).get("passes").asDouble(), 0.0);
        assertEquals(2.0, trace.get(20).get("passes").asDouble(), 1e-12);
        double prevSeconds = 0;
        for (JsonNode t : trace) {
            assertTrue(t.get("cumulativeSeconds").asDouble() >= prevSeconds);
            prevSeconds = t.get("cumulativeSeconds").asDouble();
        }
    }
}
