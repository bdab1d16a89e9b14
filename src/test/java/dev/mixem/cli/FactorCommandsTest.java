package dev.mixem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mixem.SparkTestSession;
import dev.mixem.data.ModelStore;
import dev.mixem.model.MixtureModel;
import dev.mixem.family.gaussian.GaussianParams;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Factor analyzers through the commands, as users run them: generate writes loadings and uniquenesses, fit
 * recovers the planted covariances from a file with missing cells, on one and three partitions alike, writes
 * covariances.json on request, and predict imputes.
 */
class FactorCommandsTest {
    @TempDir
    static Path dir;

    @Test
    void generateFitAndPredictWithMissingCells() throws Exception {
        String data = dir.resolve("fa.parquet").toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, MainTest.run(err, "generate", "--rows", "6000", "--dim", "6", "--k", "2", "--covariance",
                "factor", "--factors", "2", "--separation", "6", "--missing-fraction", "0.1", "--seed", "3",
                "--output", data), err.toString());
        JsonNode truth = new ObjectMapper().readTree(Path.of(data + ".truth.json").toFile());
        assertEquals(2, truth.get("factors").asInt());
        assertEquals(6, truth.get("loadings").get(0).size());

        String one = dir.resolve("m1").toString();
        String three = dir.resolve("m3").toString();
        assertEquals(0, MainTest.run(err, "fit", "--input", data, "--k", "2", "--covariance", "factor",
                "--factors", "2", "--tol", "1e-8", "--max-iter", "500", "--implied-covariances", "--output", one),
                err.toString());
        assertEquals(0, MainTest.run(err, "fit", "--input", data, "--k", "2", "--covariance", "factor",
                "--factors", "2", "--tol", "1e-8", "--max-iter", "500", "--partitions", "3", "--output", three),
                err.toString());
        var conf = SparkTestSession.get().sparkContext().hadoopConfiguration();
        MixtureModel m = ModelStore.load(conf, one);
        MixtureModel m3 = ModelStore.load(conf, three);
        // Partitioning changes only the order of summation.
        assertEquals(m.summary().avgLogLikelihood(), m3.summary().avgLogLikelihood(),
                1e-9 * Math.abs(m.summary().avgLogLikelihood()));
        assertTrue(m.summary().missing().cells() > 0);
        GaussianParams p = m.gaussian();
        assertEquals(2, p.factors());

        // covariances.json holds Λ Λᵀ + Ψ, which recovers the planted covariances: 3,000 rows a component,
        // entries of size ~1 with standard errors ~0.03 (more with 10% of cells missing); 0.2 is several of them.
        JsonNode implied = new ObjectMapper().readTree(Path.of(one, "covariances.json").toFile());
        for (int c = 0; c < 2; c++) {
            double[] cov = p.covarianceMatrix(c);
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 6; j++) {
                    assertEquals(cov[i + j * 6], implied.get("covariances").get(c).get(i).get(j).asDouble(), 0.0);
                }
            }
            int match = -1;
            for (int t = 0; t < 2; t++) {
                double dist = 0;
                for (int j = 0; j < 6; j++) {
                    double dl = truth.get("means").get(t).get(j).asDouble() - p.mean(c)[j];
                    dist += dl * dl;
                }
                if (dist < 1) {
                    match = t;
                }
            }
            assertTrue(match >= 0, "component " + c + " matches a planted one");
            JsonNode psi = truth.get("uniquenesses").get(match);
            JsonNode lam = truth.get("loadings").get(match);
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 6; j++) {
                    double want = i == j ? psi.get(i).asDouble() : 0;
                    for (int t = 0; t < 2; t++) {
                        want += lam.get(i).get(t).asDouble() * lam.get(j).get(t).asDouble();
                    }
                    assertEquals(want, cov[i + j * 6], 0.2, "component " + c + " covariance (" + i + ", " + j + ")");
                }
            }
        }

        String out = dir.resolve("pred").toString();
        assertEquals(0, MainTest.run(err, "predict", "--model", one, "--input", data, "--output", out, "--impute"),
                err.toString());
        List<Row> rows = SparkTestSession.get().read().parquet(out).collectAsList();
        assertEquals(6000, rows.size());
        for (Row r : rows) {
            org.apache.spark.ml.linalg.Vector imputed = r.getAs("imputed");
            for (int j = 0; j < 6; j++) {
                assertTrue(Double.isFinite(imputed.apply(j)));
            }
        }
    }
}
