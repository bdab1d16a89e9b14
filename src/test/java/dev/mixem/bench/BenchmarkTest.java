package dev.mixem.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mixem.SparkTestSession;
import dev.mixem.config.CovarianceType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bench on a tiny case: mixem and MLlib do the same EM from the same start (no timing is asserted). */
class BenchmarkTest {

    @Test
    void mixemAndMllibAgreeOnTheSameWork() throws Exception {
        List<String> log = new ArrayList<>();
        Benchmark.Result r = Benchmark.run(SparkTestSession.get(), new Benchmark.Options(3000, 3, 2,
                CovarianceType.FULL, 4, 2, 5, 1, true, 0.1, 0), log::add);
        assertEquals(4, r.mllibIterations());
        assertFalse(r.mllibUnderflow());
        // Same initial model, same data, same number of EM iterations, no regularization on either side:
        // the final log-likelihoods differ only by rounding (the issue asks 1e-6).
        assertTrue(r.logLikelihoodRelativeDifference() < 1e-9, "relative difference " + r.logLikelihoodRelativeDifference());
        // 3 timed iterations per run (the first is left out).
        assertEquals(3, r.mixemIterationSeconds().size());
        assertEquals(3, r.mllibIterationSeconds().size());
        assertEquals(3000L * 3 * 8, r.rawBytes());
        assertTrue(r.gemmGflops() > 0);
        JsonNode json = new ObjectMapper().readTree(dev.mixem.cli.BenchJson.of(r));
        for (String key : List.of("mixemSecondsPerIteration", "mllibSecondsPerIteration", "speedup", "gemmGflops",
                "gemmFraction", "blas", "mixemAvgLogLikelihood", "mllibAvgLogLikelihood")) {
            assertTrue(json.has(key) && !json.get(key).isNull(), key);
        }
    }
}
