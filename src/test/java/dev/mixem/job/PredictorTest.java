package dev.mixem.job;

import dev.mixem.family.gaussian.GaussianParams;

import dev.mixem.bench.Generator;
import dev.mixem.data.InputReader;
import dev.mixem.data.InputSpec;
import dev.mixem.data.InvalidInputException;
import dev.mixem.data.SparkBlockSource;

import dev.mixem.SparkTestSession;
import dev.mixem.config.FitConfig;
import dev.mixem.fit.EmFitter;
import dev.mixem.fit.FitListener;
import dev.mixem.fit.FitResult;
import dev.mixem.model.MixtureModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PredictorTest {
    @TempDir
    Path dir;

    @Test
    void predictionsAreConsistentWithTheModel() {
        SparkSession spark = SparkTestSession.get();
        String data = dir.resolve("d.parquet").toString();
        Generator.frame(spark, Generator.truth(3, 2, 5, 2), 3000, 2, 2).write().mode(SaveMode.Overwrite).parquet(data);
        InputReader.Loaded in = InputReader.read(spark, InputSpec.of(data));
        FitResult<GaussianParams> r;
        try (SparkBlockSource src = SparkBlockSource.load(spark, in.frame(), in.extractor(), 0, 256)) {
            r = new EmFitter(FitListener.NONE).fit(src, FitConfig.defaults(3).withSeed(2));
        }
        MixtureModel m = new MixtureModel(r.params(), in.extractor().featureNames(), null,
                new MixtureModel.FitSummary(r.avgLogLikelihood(), r.iterations(), r.converged(), r.rows(),
                        r.totalWeight(), null, 3, 0, 1e-6, 2, r.trace(), r.restartLogLikelihoods()), Map.of());
        String out = dir.resolve("p.parquet").toString();
        Predictor.predict(m, in).write().mode(SaveMode.Overwrite).parquet(out);
        List<Row> rows = spark.read().parquet(out).collectAsList();
        assertEquals(3000, rows.size());
        assertEquals(List.of("x0", "x1", "prediction", "probability", "logLikelihood"),
                List.of(spark.read().parquet(out).columns()));
        double ll = 0;
        for (Row row : rows) {
            Vector p = row.getAs("probability");
            double sum = 0;
            for (int c = 0; c < 3; c++) {
                sum += p.apply(c);
            }
            assertEquals(1.0, sum, 1e-12);
            assertEquals(p.argmax(), (int) row.getAs("prediction"));
            ll += row.<Double>getAs("logLikelihood");
        }
        // Per-row log-likelihoods of the saved parameters average to the model's avgLogLikelihood (the same
        // kernel; only the summation order differs).
        assertEquals(r.avgLogLikelihood(), ll / rows.size(), 1e-10 * Math.abs(r.avgLogLikelihood()));
        assertTrue(r.avgLogLikelihood() < 0);
    }

    @Test
    void rejectsInputOfAnotherDimension() throws Exception {
        SparkSession spark = SparkTestSession.get();
        Path csv = dir.resolve("three.csv");
        java.nio.file.Files.writeString(csv, "x0,x1,x2\n1,2,3\n");
        MixtureModel m = dev.mixem.model.MixtureModelTest.model(dev.mixem.config.CovarianceType.FULL);
        InputReader.Loaded in = InputReader.read(spark, InputSpec.of(csv.toString()));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Predictor.predict(m, in));
        assertTrue(e.getMessage().contains("dimension 2"), e.getMessage());
    }

    @Test
    void refusesInputThatAlreadyHasAnOutputColumn() throws Exception {
        SparkSession spark = SparkTestSession.get();
        Path csv = dir.resolve("scored.csv");
        java.nio.file.Files.writeString(csv, "x0,x1,prediction\n1,2,0\n");
        MixtureModel m = dev.mixem.model.MixtureModelTest.model(dev.mixem.config.CovarianceType.FULL);
        InputReader.Loaded in = InputReader.read(spark, new InputSpec(csv.toString(), null, List.of("x0", "x1"), null, null, 0));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Predictor.predict(m, in));
        assertTrue(e.getMessage().contains("'prediction'"), e.getMessage());
    }
}
