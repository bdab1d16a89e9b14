package dev.mixem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mixem.SparkTestSession;
import dev.mixem.bench.Generator;
import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.data.InputSpec;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.fit.ParameterError;
import dev.mixem.job.FitJob;
import dev.mixem.model.MixtureModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** generate --covariance tied writes a tied truth, and fit --covariance tied recovers it from the CSV. */
class GenerateTest {
    @TempDir
    Path dir;

    @Test
    void aGeneratedTiedMixtureIsRecoveredThroughCsv() throws Exception {
        String data = dir.resolve("tied.csv").toString();
        GenerateCommand.write(SparkTestSession.get(), CovarianceType.TIED, 12_000, 3, 3, 7, data, "csv", 2, 5.0, 0.0, false);
        JsonNode truthJson = new ObjectMapper().readTree(Path.of(data + ".truth.json").toFile());
        assertEquals("tied", truthJson.get("covarianceType").asText());
        GaussianParams truth = Generator.truth(CovarianceType.TIED, 3, 3, 5.0, 7);
        MixtureModel m = FitJob.run(SparkTestSession.get(), InputSpec.of(data),
                FitConfig.defaults(3).withCovariance(CovarianceType.TIED, 1e-6).withSeed(1).withNInit(2), null,
                dir.resolve("model").toString());
        ParameterError e = ParameterError.of(truth, m.gaussian());
        // About 4,000 rows per component with variances ≤ 1: standard errors about 0.016 for a mean entry and
        // 0.013 for an entry of the pooled covariance (12,000 rows); bounds at about 5 of them.
        assertTrue(e.means() < 0.08, "means " + e);
        assertTrue(e.covariances() < 0.07, "covariances " + e);
        assertTrue(e.weights() < 0.03, "weights " + e);
    }
}
