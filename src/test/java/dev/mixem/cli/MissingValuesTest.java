package dev.mixem.cli;

import dev.mixem.job.FitJob;

import dev.mixem.SparkTestSession;
import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.config.InvalidPolicy;
import dev.mixem.config.MissingPolicy;
import dev.mixem.data.InputSpec;
import dev.mixem.data.ModelStore;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.family.gaussian.SyntheticMixture;
import dev.mixem.fit.EmFitter;
import dev.mixem.fit.FitListener;
import dev.mixem.fit.FitResult;
import dev.mixem.source.LocalBlockSource;
import dev.mixem.model.MixtureModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Missing cells end to end: CSV with empty fields through fit and predict, as the commands run them. */
class MissingValuesTest {
    static final int N = 3000;
    static final int D = 3;
    static SparkSession spark;
    static double[][] data;
    static int missingCells;

    @TempDir
    static Path dir;
    static String holes;
    static String complete;

    @BeforeAll
    static void data() throws Exception {
        spark = SparkTestSession.get();
        GaussianParams truth = SyntheticMixture.random(CovarianceType.FULL, 2, D, 4.0, 5);
        SyntheticMixture.Sampler s = new SyntheticMixture.Sampler(truth);
        SplittableRandom rng = new SplittableRandom(3);
        data = new double[N][D];
        StringBuilder withHoles = new StringBuilder("a,b,c\n");
        StringBuilder full = new StringBuilder("a,b,c\n");
        for (double[] row : data) {
            s.draw(rng, row);
            for (int j = 0; j < D; j++) {
                full.append(j > 0 ? "," : "").append(row[j]);
            }
            full.append('\n');
            int hole = rng.nextDouble() < 0.3 ? rng.nextInt(D) : -1;
            for (int j = 0; j < D; j++) {
                withHoles.append(j > 0 ? "," : "");
                if (j == hole) {
                    row[j] = Double.NaN;
                    missingCells++;
                } else {
                    withHoles.append(row[j]);
                }
            }
            withHoles.append('\n');
        }
        // Two rows with nothing observed, at the end so that the other rows keep their indices.
        withHoles.append(",,\n,,\n");
        holes = dir.resolve("holes.csv").toString();
        complete = dir.resolve("complete.csv").toString();
        Files.writeString(Path.of(holes), withHoles.toString());
        Files.writeString(Path.of(complete), full.toString());
    }

    static FitConfig config() {
        return FitConfig.defaults(2).withSeed(4).withMaxIter(40, 1e-6);
    }

    @Test
    void completeInputGivesTheSameBitsUnderEitherPolicy() {
        MixtureModel a = FitJob.run(spark, InputSpec.of(complete), config(), 128,
                dir.resolve("m-marg").toString(), InvalidPolicy.FAIL, MissingPolicy.MARGINALIZE);
        MixtureModel b = FitJob.run(spark, InputSpec.of(complete), config(), 128,
                dir.resolve("m-fail").toString(), InvalidPolicy.FAIL, MissingPolicy.FAIL);
        assertArrayEquals(b.gaussian().means(), a.gaussian().means(), 0.0);
        assertArrayEquals(b.gaussian().covariances(), a.gaussian().covariances(), 0.0);
        assertEquals(b.summary().avgLogLikelihood(), a.summary().avgLogLikelihood(), 0.0);
        assertEquals(0, a.summary().missing().cells());
    }

    @Test
    void csvWithEmptyCellsFitsOutOfTheBoxAndRecordsWhatWasMissing() throws Exception {
        String out = dir.resolve("m-holes").toString();
        MixtureModel m = FitJob.run(spark, InputSpec.of(holes), config(), 128, out);
        assertEquals(N, m.summary().rows());
        assertEquals(missingCells, m.summary().missing().cells());
        assertEquals(missingCells, m.summary().missing().rowsWithMissing());
        assertEquals(2, m.summary().missing().allMissingRowsSkipped());
        assertEquals("marginalize", m.summary().missing().policy());
        MixtureModel saved = ModelStore.load(spark.sparkContext().hadoopConfiguration(), out);
        assertEquals(m.summary().missing(), saved.summary().missing());
        assertTrue(Files.readString(Path.of(out, "model.json")).contains("\"allMissingRowsSkipped\" : 2"));

        // The same rows fitted without Spark, in other blocks: the same fit up to summation order.
        FitResult<GaussianParams> local = new EmFitter(FitListener.NONE).fit(LocalBlockSource.of(data, null, 500), config());
        assertEquals(local.avgLogLikelihood(), m.summary().avgLogLikelihood(),
                1e-9 * Math.abs(local.avgLogLikelihood()));
        // And on three partitions.
        MixtureModel three = FitJob.run(spark, InputSpec.of(holes).withPartitions(3), config(), 128,
                dir.resolve("m-holes-3").toString());
        assertEquals(m.summary().avgLogLikelihood(), three.summary().avgLogLikelihood(),
                1e-9 * Math.abs(m.summary().avgLogLikelihood()));
    }

    @Test
    void parquetNullsAreMissingCells() {
        String out = dir.resolve("nulls.parquet").toString();
        GenerateCommand.write(spark, 4000, 4, 3, 7, out, "parquet", 2, 5, 0.2);
        long nulls = 0;
        for (String c : List.of("x0", "x1", "x2", "x3")) {
            nulls += spark.read().parquet(out).filter(org.apache.spark.sql.functions.col(c).isNull()).count();
        }
        // About 20% of 16,000 cells; the exact count is what must reach model.json.
        assertTrue(nulls > 2800 && nulls < 3600, "nulls " + nulls);
        MixtureModel m = FitJob.run(spark, InputSpec.of(out), FitConfig.defaults(3).withSeed(1), null,
                dir.resolve("m-nulls").toString());
        long allMissing = m.summary().missing().allMissingRowsSkipped();
        assertEquals(nulls, m.summary().missing().cells() + 4 * allMissing);
        assertEquals(4000, m.summary().rows() + allMissing);
        assertTrue(Double.isFinite(m.summary().avgLogLikelihood()));
    }

    @Test
    void predictScoresRowsWithMissingCellsAndImputesThem() throws Exception {
        String model = dir.resolve("m-predict").toString();
        MixtureModel m = FitJob.run(spark, InputSpec.of(holes), config(), 128, model);
        String out = dir.resolve("p.parquet").toString();
        InputSpec in = new InputSpec(holes, null, m.featureNames(), null, null, 0);
        assertEquals(N + 2, PredictCommand.run(spark, m, in, out, true, true));
        List<Row> rows = spark.read().parquet(out).collectAsList();
        double ll = 0;
        int seen = 0;
        for (Row r : rows) {
            Vector imputed = r.getAs("imputed");
            boolean nothingObserved = true;
            for (int j = 0; j < D; j++) {
                double x = r.getDouble(j);
                assertTrue(Double.isFinite(imputed.apply(j)));
                if (!Double.isNaN(x)) {
                    nothingObserved = false;
                    assertEquals(x, imputed.apply(j), 0.0);
                }
            }
            double rowLl = r.<Double>getAs("logLikelihood");
            if (nothingObserved) {
                // p(nothing observed) = 1.
                assertEquals(0.0, rowLl, 1e-15);
            } else {
                ll += rowLl;
                seen++;
            }
        }
        assertEquals(N, seen);
        // The observed-data log-likelihood of the saved model, row by row, averages to what fit reported.
        assertEquals(m.summary().avgLogLikelihood(), ll / N, 1e-9 * Math.abs(ll / N));

        Throwable e = assertThrows(Throwable.class,
                () -> PredictCommand.run(spark, m, in, dir.resolve("p2.parquet").toString(), false, false));
        assertTrue(Main.reason(e).contains("missing value"), Main.reason(e));
    }
}
