package dev.mixem.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mixem.SparkTestSession;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.ClusteringEvaluator;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.stat.distribution.MultivariateGaussian;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The estimator and model as Spark's own suite checks its GaussianMixture: defaults and setters, reference
 * optima, dense, sparse and array input giving one model, transform and summary agreeing, single-row
 * prediction, persistence (alone and in a Pipeline), instance weights, and a CrossValidator over k.
 */
class GaussianMixtureEstimatorTest {
    private static SparkSession spark;
    /** Two well separated bivariate clusters, 120 rows. */
    private static List<double[]> rows;

    @BeforeAll
    static void setUp() {
        spark = SparkTestSession.get();
        rows = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(42);
        for (int i = 0; i < 120; i++) {
            double s = i % 3 == 0 ? 5 : -1;
            rows.add(new double[]{s + 0.5 * rng.nextGaussian(), 2 * s + 0.7 * rng.nextGaussian()});
        }
    }

    private static Dataset<Row> vectors(boolean sparse) {
        List<Row> out = new ArrayList<>();
        for (double[] r : rows) {
            Vector v = sparse ? Vectors.dense(r).toSparse() : Vectors.dense(r);
            out.add(RowFactory.create(v));
        }
        return spark.createDataFrame(out, new StructType().add("features", SQLDataTypes.VectorType()));
    }

    private static Dataset<Row> weighted(double w) {
        List<Row> out = new ArrayList<>();
        for (double[] r : rows) {
            out.add(RowFactory.create(Vectors.dense(r), w));
        }
        return spark.createDataFrame(out, new StructType().add("features", SQLDataTypes.VectorType())
                .add("w", DataTypes.DoubleType));
    }

    @Test
    void defaultsAreSparksAndSettersChain() {
        GaussianMixture gm = new GaussianMixture();
        assertEquals(2, gm.getK());
        assertEquals(100, gm.getMaxIter());
        assertEquals(0.01, gm.getTol());
        assertEquals("features", gm.getFeaturesCol());
        assertEquals("prediction", gm.getPredictionCol());
        assertEquals("probability", gm.getProbabilityCol());
        assertEquals(2, gm.getAggregationDepth());
        assertEquals(GaussianMixture.class.getName().hashCode(), gm.getSeed());
        assertFalse(gm.isDefined(gm.weightCol()));
        assertEquals("full", gm.getCovarianceType());
        assertEquals(1e-6, gm.getRegCovar());
        assertEquals(1, gm.getNInit());
        assertEquals("kmeans++", gm.getInitMode());
        assertEquals("marginalize", gm.getMissing());
        assertTrue(gm.uid().startsWith("GaussianMixture_"));
        assertNotEquals(gm.uid(), new GaussianMixture().uid());

        GaussianMixture set = gm.setK(3).setMaxIter(7).setTol(1e-4).setSeed(9).setFeaturesCol("f")
                .setPredictionCol("p").setProbabilityCol("q").setWeightCol("w").setAggregationDepth(3)
                .setCovarianceType("diag").setRegCovar(1e-3).setNInit(2).setInitMode("random");
        assertEquals(gm, set);
        assertEquals(3, gm.getK());
        assertEquals(7, gm.getMaxIter());
        assertEquals(1e-4, gm.getTol());
        assertEquals(9, gm.getSeed());
        assertEquals("w", gm.getWeightCol());
        assertEquals("diag", gm.getCovarianceType());

        assertThrows(IllegalArgumentException.class, () -> gm.setK(1));
        assertThrows(IllegalArgumentException.class, () -> gm.setMaxIter(-1));
        assertThrows(IllegalArgumentException.class, () -> gm.setCovarianceType("banded"));
        assertThrows(IllegalArgumentException.class, () -> gm.setRegCovar(-1));
        String explained = gm.explainParams();
        for (String name : List.of("k:", "maxIter:", "tol:", "covarianceType:", "regCovar:", "Must be > 1")) {
            assertTrue(explained.contains(name), name + " in\n" + explained);
        }
        GaussianMixture copy = gm.copy(new ParamMap().put(gm.k(), 4));
        assertEquals(4, copy.getK());
        assertEquals(3, gm.getK());
        assertEquals(gm.uid(), copy.uid());
    }

    @Test
    void univariateTwoClusters() {
        // Half the rows near -1, half near +1: the optimum has weights 1/2 and means ±1 (up to the noise).
        List<Row> out = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            out.add(RowFactory.create(Vectors.dense((i % 2 == 0 ? -1 : 1) + 0.05 * rng.nextGaussian())));
        }
        Dataset<Row> df = spark.createDataFrame(out, new StructType().add("features", SQLDataTypes.VectorType()));
        GaussianMixtureModel m = new GaussianMixture().setK(2).setSeed(1).fit(df);
        double[] w = m.weights();
        MultivariateGaussian[] g = m.gaussians();
        int lo = g[0].mean().apply(0) < 0 ? 0 : 1;
        // 200 rows of sd 0.05: means within 4 standard errors (4 x 0.05/√100 = 0.02), weights exact.
        assertEquals(-1, g[lo].mean().apply(0), 0.02);
        assertEquals(1, g[1 - lo].mean().apply(0), 0.02);
        assertEquals(0.5, w[0], 1e-9);
        assertEquals(0.0025, g[lo].cov().apply(0, 0), 0.0025 * 0.5);
    }

    @Test
    void irisReachesScikitLearnsOptimum() throws Exception {
        // The 4-variate reference case: sklearn's best full-covariance optimum on iris, k=3, reg_covar 1e-6
        // (src/test/resources/reference, made by src/test/python/sklearn_reference.py). Spark's tol is on the
        // total log-likelihood: 1e-7 over 150 rows is well below the reference's own precision.
        JsonNode ref = null;
        try (InputStream in = getClass().getResourceAsStream("/reference/reference.json")) {
            for (JsonNode c : new ObjectMapper().readTree(in).get("cases")) {
                if (c.get("dataset").asText().equals("iris") && c.get("covariance").asText().equals("full")
                        && c.get("k").asInt() == 3) {
                    ref = c;
                }
            }
        }
        List<Row> out = new ArrayList<>();
        for (double[] r : irisRows()) {
            out.add(RowFactory.create(Vectors.dense(r)));
        }
        Dataset<Row> iris = spark.createDataFrame(out, new StructType().add("features", SQLDataTypes.VectorType()));
        GaussianMixtureModel m = new GaussianMixture().setK(3).setTol(1e-7).setMaxIter(2000).setNInit(4).setSeed(0)
                .fit(iris);
        double avg = m.summary().logLikelihood() / 150;
        // The same optimum as an independent implementation: 1e-3, the reference test's tolerance.
        assertEquals(ref.get("avgLogLikelihood").asDouble(), avg, 1e-3);
    }

    @Test
    void kCandidatesChooseTheModelScikitLearnsBicChooses() throws Exception {
        // scikit-learn's BIC over K = 1..5 and all four structures chooses k=2, full on iris
        // (select-reference.json); the estimator's selection over K = 1..4 x {full, diag} must agree, and its
        // table must hold every candidate with its criteria.
        List<Row> out = new ArrayList<>();
        for (double[] r : irisRows()) {
            out.add(RowFactory.create(Vectors.dense(r)));
        }
        Dataset<Row> iris = spark.createDataFrame(out, new StructType().add("features", SQLDataTypes.VectorType()));
        GaussianMixtureModel m = new GaussianMixture().setKCandidates(new int[]{1, 2, 3, 4})
                .setCovarianceTypes(new String[]{"full", "diag"}).setNInit(5).setTol(1e-6).setMaxIter(2000)
                .setSeed(0).fit(iris);
        assertEquals(2, m.weights().length);
        assertEquals("full", m.mixemModel().gaussian().type().serializedName());
        assertEquals("full", m.getCovarianceType());
        Dataset<Row> table = m.selection();
        assertEquals(40, table.count());
        Row chosen = table.where("chosen").first();
        assertEquals(2, chosen.getInt(chosen.fieldIndex("k")));
        JsonNode ref;
        try (InputStream in = getClass().getResourceAsStream("/reference/select-reference.json")) {
            ref = new ObjectMapper().readTree(in).get("datasets").get("iris");
        }
        for (JsonNode r : ref.get("candidates")) {
            if (r.get("k").asInt() == 2 && r.get("covariance").asText().equals("full")) {
                assertEquals(r.get("bic").asDouble(), chosen.getDouble(chosen.fieldIndex("bic")),
                        1e-3 * r.get("bic").asDouble());
            }
        }
        assertTrue(m.copy(new org.apache.spark.ml.param.ParamMap()).hasSelection());
    }

    /**
     * Factor analyzers through the estimator: k=1, two factors on standardized wine reaches scikit-learn's
     * FactorAnalysis optimum (factor-reference.json; the 1e-4 relative), and with kCandidates the number
     * of factors is a candidate axis whose choice the model carries.
     */
    /**
     * family = bernoulli on a vector column of 0/1: the same fit as the library's EM from the same start, a
     * probability column, a non-binary value named, and the Gaussian-only accessors refused.
     */
    @Test
    void bernoulliThroughTheEstimator() throws Exception {
        var f = dev.mixem.family.independent.IndependentFamily.of(dev.mixem.family.independent.Link.BERNOULLI);
        var truth = f.planted(2, 10, 5.0, 3);
        var sampler = f.sampler(truth);
        SplittableRandom rng = new SplittableRandom(4);
        List<Row> rows = new ArrayList<>();
        double[][] x = new double[3000][10];
        for (double[] r : x) {
            sampler.draw(rng, r);
            rows.add(RowFactory.create(Vectors.dense(r)));
        }
        Dataset<Row> df = spark.createDataFrame(rows, new StructType().add("features", SQLDataTypes.VectorType()));
        GaussianMixtureModel m = new GaussianMixture().setFamily("bernoulli").setK(2).setSeed(1).setTol(1e-6)
                .setMaxIter(500).fit(df);
        assertEquals(dev.mixem.config.Family.BERNOULLI, m.mixemModel().family());
        // The library's EM on the same rows, from the same seed (the estimator's tol is on the total).
        var cfg = new dev.mixem.config.FitConfig(2, dev.mixem.config.CovarianceType.FULL,
                dev.mixem.config.InitMethod.KMEANS_PLUS_PLUS, 1, 500, 1e-6 / 3000, 1e-6, 1)
                .withFamily(dev.mixem.config.Family.BERNOULLI, 0);
        var direct = new dev.mixem.fit.EmFitter(dev.mixem.fit.FitListener.NONE).fit(f,
                dev.mixem.source.LocalBlockSource.of(x, null, 1000), cfg, dev.mixem.fit.Checkpointer.none());
        // The same EM up to the order of summation (blocks and partitions): 1e-9 relative.
        assertEquals(direct.avgLogLikelihood(), m.summary().logLikelihood() / 3000,
                1e-9 * Math.abs(direct.avgLogLikelihood()));
        assertEquals(1.0, m.weights()[0] + m.weights()[1], 1e-12);
        Row first = m.transform(df).select("probability").first();
        assertEquals(1.0, ((Vector) first.get(0)).toArray()[0] + ((Vector) first.get(0)).toArray()[1], 1e-12);
        assertThrows(IllegalArgumentException.class, m::gaussians);
        Dataset<Row> bad = spark.createDataFrame(List.of(RowFactory.create(Vectors.dense(new double[]{2, 0, 0, 0, 0,
                0, 0, 0, 0, 0}))), new StructType().add("features", SQLDataTypes.VectorType()));
        Exception e = assertThrows(Exception.class, () -> new GaussianMixture().setFamily("bernoulli").setK(2)
                .fit(bad.union(df)));
        assertTrue(e.getMessage().contains("is not 0 or 1"), e.getMessage());
    }

    /** family student-t: the same EM as the library's (diag scales), ν per component in the model. */
    @Test
    void studentTThroughTheEstimator() throws Exception {
        var f = dev.mixem.family.studentt.StudentTFamily.of(dev.mixem.config.CovarianceType.DIAG, 0);
        var truth = f.planted(2, 3, 4.0, 3);
        var sampler = f.sampler(truth);
        SplittableRandom rng = new SplittableRandom(4);
        List<Row> rows = new ArrayList<>();
        double[][] x = new double[3000][3];
        for (double[] r : x) {
            sampler.draw(rng, r);
            rows.add(RowFactory.create(Vectors.dense(r)));
        }
        Dataset<Row> df = spark.createDataFrame(rows, new StructType().add("features", SQLDataTypes.VectorType()));
        GaussianMixtureModel m = new GaussianMixture().setFamily("student-t").setCovarianceType("diag").setK(2)
                .setSeed(1).setTol(1e-6).setMaxIter(500).fit(df);
        assertEquals(dev.mixem.config.Family.STUDENT_T, m.mixemModel().family());
        var cfg = new dev.mixem.config.FitConfig(2, dev.mixem.config.CovarianceType.DIAG,
                dev.mixem.config.InitMethod.KMEANS_PLUS_PLUS, 1, 500, 1e-6 / 3000, 1e-6, 1)
                .withFamily(dev.mixem.config.Family.STUDENT_T, 0);
        var direct = new dev.mixem.fit.EmFitter(dev.mixem.fit.FitListener.NONE).fit(f,
                dev.mixem.source.LocalBlockSource.of(x, null, 1000), cfg, dev.mixem.fit.Checkpointer.none());
        // The same EM up to the order of summation (blocks and partitions): 1e-9 relative.
        assertEquals(direct.avgLogLikelihood(), m.summary().logLikelihood() / 3000,
                1e-9 * Math.abs(direct.avgLogLikelihood()));
        var fitted = (dev.mixem.family.studentt.StudentTParams) m.mixemModel().params();
        assertEquals(2, fitted.dof().length);
        assertThrows(IllegalArgumentException.class, m::gaussians);
        // dof holds every component's ν fixed.
        GaussianMixtureModel fixed = new GaussianMixture().setFamily("student-t").setCovarianceType("diag").setK(2)
                .setDof(4.0).setSeed(1).setMaxIter(20).fit(df);
        assertArrayEquals(new double[]{4.0, 4.0},
                ((dev.mixem.family.studentt.StudentTParams) fixed.mixemModel().params()).dof(), 0.0);
        assertThrows(IllegalArgumentException.class, () -> new GaussianMixture().setDof(4.0).setK(2).fit(df));
    }

    @Test
    void factorAnalyzersThroughTheEstimator() throws Exception {
        List<Row> out = new ArrayList<>();
        for (double[] r : dev.mixem.family.gaussian.FactorAnalyzersTest.readCsv("/reference/wine_std.csv")) {
            out.add(RowFactory.create(Vectors.dense(r)));
        }
        Dataset<Row> wine = spark.createDataFrame(out, new StructType().add("features", SQLDataTypes.VectorType()));
        double want = Double.NaN;
        try (InputStream in = getClass().getResourceAsStream("/reference/factor-reference.json")) {
            for (JsonNode c : new ObjectMapper().readTree(in).get("cases")) {
                if (c.get("dataset").asText().equals("wine_std") && c.get("factors").asInt() == 2) {
                    want = c.get("avgLogLikelihood").asDouble();
                }
            }
        }
        // Spark's k must exceed 1; one component is a selection among K = {1}. Spark's tol is on the total
        // log-likelihood: 1e-9 over 178 rows.
        GaussianMixtureModel m = new GaussianMixture().setKCandidates(new int[]{1}).setCovarianceType("factor")
                .setFactors(2).setRegCovar(1e-10).setTol(1e-9).setMaxIter(100_000).fit(wine);
        assertEquals(2, m.mixemModel().gaussian().factors());
        assertEquals(want, m.summary().logLikelihood() / 178, 1e-4 * Math.abs(want));
        assertEquals(13, m.gaussians()[0].cov().numRows());
        assertEquals(178, m.transform(wine).count());

        GaussianMixtureModel s = new GaussianMixture().setKCandidates(new int[]{1, 2})
                .setCovarianceTypes(new String[]{"diag", "factor"}).setFactorCandidates(new int[]{1, 3})
                .setTol(1e-6).setMaxIter(500).setSeed(0).fit(wine);
        assertEquals(2 + 2 * 2, s.selection().count());
        Row chosen = s.selection().where("chosen").first();
        assertEquals(s.getCovarianceType(), chosen.getString(chosen.fieldIndex("covariance")));
        if (s.getCovarianceType().equals("factor")) {
            assertEquals(chosen.getInt(chosen.fieldIndex("factors")), s.getFactors());
            assertEquals(s.getFactors(), s.mixemModel().gaussian().factors());
        }
        assertThrows(IllegalArgumentException.class,
                () -> new GaussianMixture().setK(2).setCovarianceType("factor").fit(wine));
    }

    @Test
    void bivariateReachesMixtoolsOptimum() throws Exception {
        // R's mixtools (mvnormalmixEM to |Δ log-likelihood| < 1e-12, from src/test/r/mixtools_reference.R)
        // on 200 bivariate rows of two overlapping, correlated clusters. Both EMs run without regularization
        // to a total-log-likelihood change of 1e-12, so both sit at the optimum to about √(1e-12 / curvature):
        // parameters agree to 1e-5 and the log-likelihood to 1e-9 relative.
        JsonNode ref;
        try (InputStream in = getClass().getResourceAsStream("/reference/bivariate-mixtools.json")) {
            ref = new ObjectMapper().readTree(in);
        }
        List<Row> out = new ArrayList<>();
        for (double[] r : csvRows("/reference/bivariate.csv")) {
            out.add(RowFactory.create(Vectors.dense(r)));
        }
        Dataset<Row> df = spark.createDataFrame(out, new StructType().add("features", SQLDataTypes.VectorType()));
        GaussianMixtureModel m = new GaussianMixture().setK(2).setRegCovar(0).setTol(1e-12).setMaxIter(100000)
                .setSeed(0).fit(df);
        assertEquals(ref.get("logLikelihood").asDouble(), m.summary().logLikelihood(),
                1e-9 * Math.abs(ref.get("logLikelihood").asDouble()));
        MultivariateGaussian[] g = m.gaussians();
        int first = g[0].mean().apply(0) < g[1].mean().apply(0) ? 0 : 1;
        for (int t = 0; t < 2; t++) {
            int c = t == 0 ? first : 1 - first;
            assertEquals(ref.get("weights").get(t).asDouble(), m.weights()[c], 1e-5, "weight " + t);
            for (int j = 0; j < 2; j++) {
                assertEquals(ref.get("means").get(t).get(j).asDouble(), g[c].mean().apply(j), 1e-5, "mean " + t);
            }
            double[] cov = g[c].cov().toArray();
            for (int j = 0; j < 4; j++) {
                assertEquals(ref.get("covariances").get(t).get(j).asDouble(), cov[j], 1e-5, "cov " + t + "," + j);
            }
        }
    }

    private static List<double[]> irisRows() throws Exception {
        return csvRows("/reference/iris.csv");
    }

    private static List<double[]> csvRows(String resource) throws Exception {
        try (InputStream in = GaussianMixtureEstimatorTest.class.getResourceAsStream(resource)) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            List<double[]> out = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                if (!lines[i].isBlank()) {
                    out.add(Arrays.stream(lines[i].split(",")).map(String::trim).mapToDouble(Double::parseDouble).toArray());
                }
            }
            return out;
        }
    }

    @Test
    void denseSparseAndArrayInputGiveOneModel() {
        GaussianMixture gm = new GaussianMixture().setK(2).setSeed(5);
        GaussianMixtureModel dense = gm.fit(vectors(false));
        GaussianMixtureModel sparse = gm.fit(vectors(true));
        List<Row> arr = new ArrayList<>();
        for (double[] r : rows) {
            arr.add(RowFactory.create((Object) Arrays.stream(r).boxed().toArray(Double[]::new)));
        }
        Dataset<Row> arrays = spark.createDataFrame(arr, new StructType().add("features",
                DataTypes.createArrayType(DataTypes.DoubleType)));
        GaussianMixtureModel fromArrays = gm.fit(arrays);
        // The same values in the same order make the same blocks: the same bits.
        assertArrayEquals(dense.weights(), sparse.weights(), 0.0);
        assertArrayEquals(dense.weights(), fromArrays.weights(), 0.0);
        for (int c = 0; c < 2; c++) {
            assertArrayEquals(dense.gaussians()[c].mean().toArray(), sparse.gaussians()[c].mean().toArray(), 0.0);
            assertArrayEquals(dense.gaussians()[c].cov().toArray(), fromArrays.gaussians()[c].cov().toArray(), 0.0);
        }
        // Arrays transform too.
        assertEquals(rows.size(), fromArrays.transform(arrays).where("prediction >= 0").count());
        // array<float>: the floats' values (rounded to float precision) fit and transform as well.
        List<Row> fl = new ArrayList<>();
        for (double[] r : rows) {
            fl.add(RowFactory.create((Object) new Float[]{(float) r[0], (float) r[1]}));
        }
        Dataset<Row> floats = spark.createDataFrame(fl, new StructType().add("features",
                DataTypes.createArrayType(DataTypes.FloatType)));
        GaussianMixtureModel fromFloats = gm.fit(floats);
        // Float rounding (1e-7 relative on values of order 1-10) moves the optimum by about as much.
        assertArrayEquals(dense.weights(), fromFloats.weights(), 1e-5);
        assertEquals(rows.size(), fromFloats.transform(floats).where("prediction >= 0").count());
    }

    @Test
    void bothClassesAreRegisteredForSparkConnectsServiceLoader() throws Exception {
        // Spark Connect finds estimators and transformers with java.util.ServiceLoader, which needs the
        // META-INF/services entries and public no-argument constructors.
        // (Spark reads the providers' types without instantiating them all: some of its own, such as
        // LogisticRegressionModel, fail when made empty.)
        assertTrue(java.util.ServiceLoader.load(org.apache.spark.ml.Estimator.class).stream()
                .anyMatch(pr -> pr.type() == GaussianMixture.class));
        assertTrue(java.util.ServiceLoader.load(org.apache.spark.ml.Transformer.class).stream()
                .anyMatch(pr -> pr.type() == GaussianMixtureModel.class));
        boolean estimator = new GaussianMixture() != null;
        boolean model = GaussianMixtureModel.class.getConstructor().newInstance() != null;
        assertTrue(estimator && model);
        // The empty model says what it is rather than failing obscurely.
        assertThrows(IllegalStateException.class, () -> new GaussianMixtureModel().weights());
    }

    @Test
    void transformSummaryAndSingleRowPredictionAgree() {
        Dataset<Row> df = vectors(false);
        GaussianMixtureModel m = new GaussianMixture().setK(2).setSeed(2).fit(df);
        assertTrue(m.hasSummary());
        assertTrue(m.hasParent());
        var s = m.summary();
        assertEquals(2, s.k());
        assertTrue(s.numIter() >= 1 && s.numIter() <= 100);
        long[] sizes = s.clusterSizes();
        assertEquals(rows.size(), Arrays.stream(sizes).sum());
        // One row in three sits in the cluster at (5, 10).
        assertEquals(40, Math.min(sizes[0], sizes[1]));
        assertEquals(m.mixemModel().summary().avgLogLikelihood() * rows.size(), s.logLikelihood(), 1e-9 * rows.size());
        List<Row> predicted = m.transform(df).select("features", "prediction", "probability").collectAsList();
        for (Row r : predicted) {
            Vector x = r.getAs(0);
            Vector prob = r.getAs(2);
            assertEquals(1.0, Arrays.stream(prob.toArray()).sum(), 1e-12);
            assertEquals(prob.argmax(), (int) r.getInt(1));
            assertEquals(r.getInt(1), m.predict(x));
            assertArrayEquals(prob.toArray(), m.predictProbability(x).toArray(), 0.0);
        }
        assertEquals(rows.size(), s.predictions().count());
        assertEquals(rows.size(), s.cluster().count());
        assertEquals(rows.size(), s.probability().count());
        // The schema the model promises is the schema it produces.
        assertEquals(m.transformSchema(df.schema()), m.transform(df).schema());
        assertThrows(IllegalArgumentException.class, () -> m.transformSchema(m.transform(df).schema()));
        // An empty output column name leaves that column out, as Spark does.
        GaussianMixtureModel noProb = m.copy(ParamMap.empty()).setProbabilityCol("");
        List<String> cols = Arrays.asList(noProb.transform(df).columns());
        assertTrue(cols.contains("prediction") && !cols.contains("probability"), cols.toString());
        assertEquals(noProb.transformSchema(df.schema()), noProb.transform(df).schema());
        // A copy keeps the summary and the parent.
        GaussianMixtureModel copy = m.copy(ParamMap.empty());
        assertTrue(copy.hasSummary());
        assertEquals(m.parent(), copy.parent());
        // gaussiansDF: one row per component, mean and cov.
        List<Row> g = m.gaussiansDF().collectAsList();
        assertEquals(2, g.size());
        assertArrayEquals(m.gaussians()[0].mean().toArray(), ((Vector) g.get(0).getAs("mean")).toArray(), 0.0);
        assertTrue(Double.isFinite(m.bic()) && Double.isFinite(m.aic()));
    }

    @Test
    void missingCellsAreMarginalizedAndOtherStructuresFit() {
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            double[] r = rows.get(i).clone();
            if (i % 10 == 3) {
                r[1] = Double.NaN;
            }
            out.add(RowFactory.create(Vectors.dense(r)));
        }
        Dataset<Row> df = spark.createDataFrame(out, new StructType().add("features", SQLDataTypes.VectorType()));
        GaussianMixtureModel m = new GaussianMixture().setK(2).setSeed(2).setCovarianceType("diag").fit(df);
        assertEquals(12, m.mixemModel().summary().missing().cells());
        assertEquals(rows.size(), m.transform(df).where("prediction >= 0").count());
        // A row with its second cell missing is still placed by its first.
        assertEquals(m.predict(Vectors.dense(5, 10)), m.predict(Vectors.dense(5, Double.NaN)));
        Exception e = assertThrows(dev.mixem.data.InvalidInputException.class,
                () -> new GaussianMixture().setK(2).setMissing("fail").fit(df));
        assertTrue(e.getMessage().contains("features[1]") && e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void aConstantWeightChangesNothing() {
        GaussianMixture gm = new GaussianMixture().setK(2).setSeed(4).setTol(0);
        gm.setMaxIter(20);
        GaussianMixtureModel plain = gm.fit(weighted(1.0));
        GaussianMixtureModel doubled = gm.setWeightCol("w").fit(weighted(2.0));
        // Every statistic doubles and every ratio stays: the same EM up to rounding.
        assertArrayEquals(plain.weights(), doubled.weights(), 1e-12);
        for (int c = 0; c < 2; c++) {
            assertArrayEquals(plain.gaussians()[c].mean().toArray(), doubled.gaussians()[c].mean().toArray(), 1e-10);
        }
        // The total log-likelihood is over the weights: twice as large.
        assertEquals(2 * plain.summary().logLikelihood(), doubled.summary().logLikelihood(), 1e-8);
    }

    @Test
    void modelAndEstimatorSaveAndLoad(@TempDir Path dir) throws Exception {
        GaussianMixture gm = new GaussianMixture().setK(2).setSeed(6).setCovarianceType("tied").setPredictionCol("c");
        GaussianMixtureModel m = gm.fit(vectors(false));
        String modelPath = dir.resolve("model").toString();
        m.write().overwrite().save(modelPath);
        m.write().overwrite().save(modelPath);
        GaussianMixtureModel loaded = GaussianMixtureModel.load(modelPath);
        assertEquals(m.uid(), loaded.uid());
        assertEquals("c", loaded.getPredictionCol());
        assertEquals("tied", loaded.getCovarianceType());
        assertFalse(loaded.hasSummary());
        assertArrayEquals(m.weights(), loaded.weights(), 0.0);
        assertArrayEquals(m.gaussians()[1].cov().toArray(), loaded.gaussians()[1].cov().toArray(), 0.0);
        assertEquals(m.transform(vectors(false)).collectAsList(), loaded.transform(vectors(false)).collectAsList());
        assertTrue(java.nio.file.Files.exists(dir.resolve("model/mixem/model.json")));

        String estPath = dir.resolve("estimator").toString();
        gm.save(estPath);
        GaussianMixture back = GaussianMixture.load(estPath);
        assertEquals(gm.uid(), back.uid());
        assertEquals(2, back.getK());
        assertEquals("tied", back.getCovarianceType());
        assertEquals("c", back.getPredictionCol());
    }

    @Test
    void aPipelineSavesAndLoadsAndCrossValidationPicksK(@TempDir Path dir) throws Exception {
        List<Row> out = new ArrayList<>();
        for (double[] r : rows) {
            out.add(RowFactory.create(r[0], r[1]));
        }
        Dataset<Row> df = spark.createDataFrame(out, new StructType().add("a", DataTypes.DoubleType)
                .add("b", DataTypes.DoubleType));
        VectorAssembler assembler = new VectorAssembler().setInputCols(new String[]{"a", "b"}).setOutputCol("features");
        GaussianMixture gm = new GaussianMixture().setK(2).setSeed(8);
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[]{assembler, gm});
        PipelineModel fitted = pipeline.fit(df);
        String path = dir.resolve("pipeline").toString();
        fitted.write().overwrite().save(path);
        PipelineModel back = PipelineModel.load(path);
        assertEquals(fitted.transform(df).select("probability").collectAsList(),
                back.transform(df).select("probability").collectAsList());
        pipeline.write().overwrite().save(dir.resolve("unfitted").toString());
        Pipeline unfitted = Pipeline.load(dir.resolve("unfitted").toString());
        assertEquals(GaussianMixture.class, unfitted.getStages()[1].getClass());

        ParamMap[] grid = new ParamGridBuilder().addGrid(gm.k(), new int[]{2, 3}).build();
        CrossValidator cv = new CrossValidator().setEstimator(pipeline).setEstimatorParamMaps(grid)
                .setEvaluator(new ClusteringEvaluator()).setNumFolds(2).setSeed(1);
        CrossValidatorModel best = cv.fit(df);
        assertEquals(2, best.avgMetrics().length);
        // Two clusters: silhouette prefers k = 2.
        assertTrue(best.avgMetrics()[0] > best.avgMetrics()[1], Arrays.toString(best.avgMetrics()));
    }
}
