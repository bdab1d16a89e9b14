package dev.mixem.data;

import dev.mixem.family.gaussian.GaussianParams;

import dev.mixem.job.Predictor;

import dev.mixem.SparkTestSession;
import dev.mixem.config.FitConfig;
import dev.mixem.fit.EmFitter;
import dev.mixem.fit.FitListener;
import dev.mixem.fit.FitResult;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The same rows written as CSV, TSV, Parquet (scalar columns and a vector column), ORC and LibSVM must load
 * to the same features and give the same fit.
 */
class FormatsTest {
    @TempDir
    static Path dir;
    static SparkSession spark;
    static double[][] rows;
    static double referenceLl;

    @BeforeAll
    static void data() {
        spark = SparkTestSession.get();
        SplittableRandom rng = new SplittableRandom(3);
        rows = new double[400][3];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < 3; j++) {
                rows[i][j] = rng.nextGaussian() + (i % 2) * 5 * (j + 1);
            }
        }
        referenceLl = fit(InputSpec.of(csv("ref.csv", ",")));
    }

    static String csv(String name, String sep) {
        StringBuilder sb = new StringBuilder(String.join(sep, "a", "b", "c", "label") + "\n");
        for (int i = 0; i < rows.length; i++) {
            sb.append(rows[i][0]).append(sep).append(rows[i][1]).append(sep).append(rows[i][2]).append(sep)
                    .append(i % 2 == 0 ? "left" : "right").append('\n');
        }
        try {
            Path p = dir.resolve(name);
            Files.writeString(p, sb);
            return p.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Dataset<Row> frame(boolean vector) {
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            out.add(vector ? RowFactory.create((double) (i % 2), Vectors.dense(rows[i]))
                    : RowFactory.create(rows[i][0], rows[i][1], rows[i][2], i % 2 == 0 ? "left" : "right"));
        }
        StructType schema = vector
                ? new StructType().add("label", DataTypes.DoubleType).add("features", SQLDataTypes.VectorType())
                : new StructType().add("a", DataTypes.DoubleType).add("b", DataTypes.DoubleType)
                        .add("c", DataTypes.DoubleType).add("label", DataTypes.StringType);
        return spark.createDataFrame(out, schema).coalesce(1);
    }

    /** Mean log-likelihood of a fit from a fixed seed; identical features give identical fits. */
    static double fit(InputSpec spec) {
        InputReader.Loaded in = InputReader.read(spark, spec);
        assertEquals(3, in.extractor().dim(), "features of " + spec.path());
        try (SparkBlockSource src = SparkBlockSource.load(spark, in.frame(), in.extractor(), 1, 128)) {
            assertEquals(rows.length, src.rows());
            FitResult<GaussianParams> r = new EmFitter(FitListener.NONE).fit(src, FitConfig.defaults(2).withSeed(1).withMaxIter(5, 0.0));
            return r.avgLogLikelihood();
        }
    }

    @Test
    void tabSeparatedFiles() {
        assertEquals(referenceLl, fit(InputSpec.of(csv("t.tsv", "\t"))), 0.0);
    }

    @Test
    void parquetWithScalarColumns() {
        String p = dir.resolve("s.parquet").toString();
        frame(false).write().mode(SaveMode.Overwrite).parquet(p);
        assertEquals(referenceLl, fit(InputSpec.of(p)), 0.0);
    }

    @Test
    void parquetWithAVectorColumn() {
        String p = dir.resolve("v.parquet").toString();
        frame(true).write().mode(SaveMode.Overwrite).parquet(p);
        // label is numeric, so it must be named away: the vector column is chosen explicitly.
        assertEquals(referenceLl, fit(new InputSpec(p, null, List.of(), "features", null, 0)), 0.0);
    }

    @Test
    void orc() {
        String p = dir.resolve("s.orc").toString();
        frame(false).write().mode(SaveMode.Overwrite).orc(p);
        assertEquals(referenceLl, fit(InputSpec.of(p)), 0.0);
    }

    @Test
    void libsvm() {
        String p = dir.resolve("d.libsvm").toString();
        frame(true).write().mode(SaveMode.Overwrite).format("libsvm").save(p);
        // LibSVM has a numeric label and a vector column: with no --features-col the vector is chosen only
        // when no scalar numeric column exists, so the label column must not be taken as the feature.
        assertEquals(referenceLl, fit(new InputSpec(p, InputFormat.LIBSVM, List.of(), null, null, 0)), 0.0);
    }

    @Test
    void predictionsFromCsvCarryParsedFeatures() {
        String path = csv("p.csv", ",");
        InputReader.Loaded in = InputReader.read(spark, InputSpec.of(path));
        dev.mixem.model.MixtureModel m;
        try (SparkBlockSource src = SparkBlockSource.load(spark, in.frame(), in.extractor(), 1, 128)) {
            FitResult<GaussianParams> r = new EmFitter(FitListener.NONE).fit(src, FitConfig.defaults(2).withSeed(1));
            m = new dev.mixem.model.MixtureModel(r.params(), in.extractor().featureNames(), null,
                    new dev.mixem.model.MixtureModel.FitSummary(r.avgLogLikelihood(), r.iterations(),
                            r.converged(), r.rows(), r.totalWeight(), null, 2, 0, 1e-6, 1, r.trace(),
                            r.restartLogLikelihoods()), java.util.Map.of());
        }
        Dataset<Row> out = Predictor.predict(m, in);
        assertEquals(DataTypes.DoubleType, out.schema().apply("a").dataType());
        assertEquals(DataTypes.StringType, out.schema().apply("label").dataType());
        List<Row> got = out.collectAsList();
        assertEquals(rows.length, got.size());
        for (int i = 0; i < rows.length; i++) {
            // Input order is kept within the single file, and the parsed double is the one written.
            assertEquals(rows[i][1], got.get(i).<Double>getAs("b"), 0.0);
            assertEquals(i % 2 == 0 ? "left" : "right", got.get(i).getAs("label"));
        }
    }
}
