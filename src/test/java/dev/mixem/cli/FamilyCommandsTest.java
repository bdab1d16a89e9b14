package dev.mixem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mixem.SparkTestSession;
import dev.mixem.config.Family;
import dev.mixem.data.ModelStore;
import dev.mixem.family.independent.IndependentParams;
import dev.mixem.model.MixtureModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Bernoulli and Poisson families through the commands, as users run them: generate, fit (on one and three
 * partitions alike, recovering the planted mixture despite missing cells), predict with imputation, compare,
 * and bad input answered by name or counted under --invalid skip.
 */
class FamilyCommandsTest {
    @TempDir
    static Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The numbers of a JSON array of any depth, in order. */
    private static double[] numbers(JsonNode n) {
        List<Double> out = new java.util.ArrayList<>();
        collect(n, out);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void collect(JsonNode n, List<Double> out) {
        if (n.isArray()) {
            n.forEach(e -> collect(e, out));
        } else {
            out.add(n.asDouble());
        }
    }

    /** The candidate nearest to the target in squared distance (a fitted component for a planted one). */
    private static int closest(double[] target, List<double[]> candidates) {
        int best = -1;
        double bestDist = Double.POSITIVE_INFINITY;
        for (int c = 0; c < candidates.size(); c++) {
            double dist = 0;
            for (int j = 0; j < target.length; j++) {
                double dl = target[j] - candidates.get(c)[j];
                dist += dl * dl;
            }
            if (dist < bestDist) {
                bestDist = dist;
                best = c;
            }
        }
        return best;
    }

    /** Generates k=3 over 12 features with 10% of cells missing, fits it twice, and checks the fit. */
    private static MixtureModel generateAndFit(String family, int rows) throws Exception {
        String data = dir.resolve(family + ".parquet").toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, MainTest.run(err, "generate", "--family", family, "--rows", String.valueOf(rows), "--dim",
                "12", "--k", "3", "--missing-fraction", "0.1", "--seed", "5", "--output", data), err.toString());
        String one = dir.resolve(family + "-m1").toString();
        String three = dir.resolve(family + "-m3").toString();
        assertEquals(0, MainTest.run(err, "fit", "--family", family, "--input", data, "--k", "3", "--tol", "1e-9",
                "--max-iter", "500", "--n-init", "2", "--output", one), err.toString());
        assertEquals(0, MainTest.run(err, "fit", "--family", family, "--input", data, "--k", "3", "--tol", "1e-9",
                "--max-iter", "500", "--n-init", "2", "--partitions", "3", "--output", three), err.toString());
        var conf = SparkTestSession.get().sparkContext().hadoopConfiguration();
        MixtureModel m = ModelStore.load(conf, one);
        MixtureModel m3 = ModelStore.load(conf, three);
        assertEquals(Family.parse(family), m.family());
        // Partitioning changes only the order of summation.
        assertEquals(m.summary().avgLogLikelihood(), m3.summary().avgLogLikelihood(),
                1e-9 * Math.abs(m.summary().avgLogLikelihood()));
        assertTrue(m.summary().missing().cells() > 0.09 * rows * 12);
        JsonNode saved = JSON.readTree(Path.of(one, "model.json").toFile());
        assertEquals(family, saved.get("family").asText());
        assertTrue(saved.get("covarianceType") == null, "no covariance structure for " + family);
        // (k − 1) + k·d free parameters in the BIC.
        double n = m.summary().totalWeight();
        assertEquals(-2 * m.summary().avgLogLikelihood() * n + (2 + 36) * Math.log(n),
                saved.get("summary").get("bic").asDouble(), 1e-9 * n);

        // The planted means, each within 5 standard errors: a component of weight w has about 0.9·w·rows
        // observations of each feature, and a mean μ has standard error √(v/(0.9·w·rows)) with v = μ(1 − μ)
        // (Bernoulli) or μ (Poisson).
        JsonNode truth = JSON.readTree(Path.of(data + ".truth.json").toFile());
        IndependentParams p = (IndependentParams) m.params();
        String field = family.equals("bernoulli") ? "probabilities" : "rates";
        for (int t = 0; t < 3; t++) {
            double w = truth.get("weights").get(t).asDouble();
            int best = closest(numbers(truth.get(field).get(t)), List.of(p.mean(0), p.mean(1), p.mean(2)));
            for (int j = 0; j < 12; j++) {
                double mu = truth.get(field).get(t).get(j).asDouble();
                double v = family.equals("bernoulli") ? mu * (1 - mu) : mu;
                double se = Math.sqrt(v / (0.9 * w * rows));
                assertEquals(mu, p.mean(best)[j], 5 * se + 1e-9, family + " component " + t + ", feature " + j);
            }
        }

        // predict --impute fills a missing cell with Σ_c r_c μ_c, inside the range of the feature's means.
        String pred = dir.resolve(family + "-pred").toString();
        assertEquals(0, MainTest.run(err, "predict", "--model", one, "--input", data, "--impute", "--output", pred),
                err.toString());
        Dataset<Row> scored = SparkTestSession.get().read().parquet(pred);
        assertEquals(rows, scored.count());
        Row r = scored.filter("x0 is null").first();
        double imputed = ((org.apache.spark.ml.linalg.Vector) r.getAs("imputed")).apply(0);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < 3; c++) {
            lo = Math.min(lo, p.mean(c)[0]);
            hi = Math.max(hi, p.mean(c)[0]);
        }
        assertTrue(imputed >= lo - 1e-12 && imputed <= hi + 1e-12, "imputed " + imputed + " outside [" + lo + ", " + hi + "]");
        return m;
    }

    /**
     * The Student-t family through the commands: generate a planted t mixture (ν = 3, 6, 12; diag scales; 10%
     * of cells missing), fit it on one and three partitions alike, recover its locations, predict with
     * imputation and compare the methods.
     */
    @Test
    void studentTThroughTheCommands() throws Exception {
        int rows = 20_000;
        String data = dir.resolve("t.parquet").toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, MainTest.run(err, "generate", "--family", "student-t", "--covariance", "diag", "--rows",
                String.valueOf(rows), "--dim", "4", "--k", "3", "--missing-fraction", "0.1", "--seed", "5",
                "--output", data), err.toString());
        String one = dir.resolve("t-m1").toString();
        String three = dir.resolve("t-m3").toString();
        for (String[] extra : new String[][]{{"--output", one}, {"--partitions", "3", "--output", three}}) {
            List<String> args = new java.util.ArrayList<>(List.of("fit", "--family", "student-t", "--covariance",
                    "diag", "--input", data, "--k", "3", "--tol", "1e-9", "--max-iter", "1000", "--n-init", "2"));
            args.addAll(List.of(extra));
            assertEquals(0, MainTest.run(err, args.toArray(String[]::new)), err.toString());
        }
        var conf = SparkTestSession.get().sparkContext().hadoopConfiguration();
        MixtureModel m = ModelStore.load(conf, one);
        MixtureModel m3 = ModelStore.load(conf, three);
        assertEquals(Family.STUDENT_T, m.family());
        assertEquals(m.summary().avgLogLikelihood(), m3.summary().avgLogLikelihood(),
                1e-9 * Math.abs(m.summary().avgLogLikelihood()));
        JsonNode saved = JSON.readTree(Path.of(one, "model.json").toFile());
        assertEquals("student-t", saved.get("family").asText());
        assertEquals("diag", saved.get("covarianceType").asText());
        assertEquals(3, saved.get("params").get("dof").size());
        // (k − 1) + k·d locations + k·d scales + k degrees of freedom.
        double n = m.summary().totalWeight();
        assertEquals(-2 * m.summary().avgLogLikelihood() * n + (2 + 12 + 12 + 3) * Math.log(n),
                saved.get("summary").get("bic").asDouble(), 1e-9 * n);

        // Each planted location within 5 standard errors: a component of weight w has about 0.9·w·rows
        // observations of a feature, and the t location's maximum-likelihood estimate has variance
        // σ²·(ν + d + 2)/(ν + d)/(0.9·w·rows) ≤ 1.3·σ²/(0.9·w·rows) for ν ≥ 3, d ≥ 4 (its Fisher information).
        JsonNode truth = JSON.readTree(Path.of(data + ".truth.json").toFile());
        dev.mixem.family.studentt.StudentTParams p = (dev.mixem.family.studentt.StudentTParams) m.params();
        List<double[]> fitted = List.of(p.gaussian().mean(0), p.gaussian().mean(1), p.gaussian().mean(2));
        double[] fittedDof = new double[3];
        for (int t = 0; t < 3; t++) {
            double w = truth.get("weights").get(t).asDouble();
            double[] mu = numbers(truth.get("means").get(t));
            int best = closest(mu, fitted);
            fittedDof[t] = p.dof(best);
            for (int j = 0; j < 4; j++) {
                double var = truth.get("variances").get(t).get(j).asDouble();
                double se = Math.sqrt(1.3 * var / (0.9 * w * rows));
                assertEquals(mu[j], fitted.get(best)[j], 5 * se, "component " + t + ", feature " + j);
            }
        }
        // The planted ν = 3 component is fitted with heavier tails than the planted ν = 12 one.
        assertTrue(fittedDof[0] < fittedDof[2], "degrees of freedom " + java.util.Arrays.toString(fittedDof));

        // predict --impute fills a missing cell with Σ_c r_c μ_c (the t's conditional mean is the Gaussian one).
        String pred = dir.resolve("t-pred").toString();
        assertEquals(0, MainTest.run(err, "predict", "--model", one, "--input", data, "--impute", "--output", pred),
                err.toString());
        Row r = SparkTestSession.get().read().parquet(pred).filter("x0 is null").first();
        double imputed = ((org.apache.spark.ml.linalg.Vector) r.getAs("imputed")).apply(0);
        double lo = Math.min(fitted.get(0)[0], Math.min(fitted.get(1)[0], fitted.get(2)[0]));
        double hi = Math.max(fitted.get(0)[0], Math.max(fitted.get(1)[0], fitted.get(2)[0]));
        assertTrue(imputed >= lo - 1e-12 && imputed <= hi + 1e-12, "imputed " + imputed);

        String report = dir.resolve("t-compare").toString();
        assertEquals(0, MainTest.run(err, "compare", "--family", "student-t", "--covariance", "diag", "--input", data,
                "--k", "3", "--methods", "em,adam,lbfgs", "--budget-passes", "5", "--output", report), err.toString());
        JsonNode cmp = JSON.readTree(Path.of(report, "compare.json").toFile());
        assertEquals("student-t", cmp.get("data").get("family").asText());
        for (JsonNode method : cmp.get("methods")) {
            assertTrue(method.get("constraintsHeld").asBoolean(), method.toString());
        }
    }

    /**
     * Sparse input: generate writes a sparse planted Bernoulli mixture as LibSVM; fit reads it in sparse blocks
     * (Bernoulli and diag Gaussian) on one and three partitions alike, and gives the same EM as a fit of the
     * same rows as dense vectors; predict scores the LibSVM rows.
     */
    @Test
    void sparseInputIsFittedWithoutDenseExpansion() throws Exception {
        String data = dir.resolve("sparse.libsvm").toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, MainTest.run(err, "generate", "--family", "bernoulli", "--format", "libsvm", "--rows", "3000",
                "--dim", "400", "--k", "3", "--nonzeros", "20", "--seed", "4", "--output", data), err.toString());
        // The same rows as dense vectors, in Parquet.
        String dense = dir.resolve("dense.parquet").toString();
        SparkTestSession.get().read().format("libsvm").option("numFeatures", "400").load(data)
                .selectExpr("label", "features").map((org.apache.spark.api.java.function.MapFunction<Row, Row>) r ->
                        org.apache.spark.sql.RowFactory.create(r.getDouble(0),
                                ((org.apache.spark.ml.linalg.Vector) r.get(1)).toDense()),
                        org.apache.spark.sql.Encoders.row(new org.apache.spark.sql.types.StructType()
                                .add("label", "double").add("features", org.apache.spark.ml.linalg.SQLDataTypes.VectorType())))
                .write().parquet(dense);
        var conf = SparkTestSession.get().sparkContext().hadoopConfiguration();
        // Diag Gaussian on binary rows: a feature a component never sees has variance reg-covar, which makes
        // EM chaotic in the last digits; reg-covar 0.01 keeps the comparison about the kernels.
        for (String[] fam : new String[][]{{"--family", "bernoulli", "--seed", "0"},
                {"--covariance", "diag", "--reg-covar", "0.01"}}) {
            String name = fam[1];
            double ll = Double.NaN;
            for (String[] in : new String[][]{{data, "1"}, {data, "3"}, {dense, "1"}}) {
                String out = dir.resolve("sparse-" + name + "-" + in[1] + (in[0].equals(dense) ? "d" : "s")).toString();
                // kmeans++ on the driver's hashed sample: the same start whatever the partitioning (Spark ML's
                // k-means|| seeds each partition apart).
                assertEquals(0, MainTest.run(err, "fit", fam[0], fam[1], fam[2], fam[3], "--input", in[0], "--k", "3",
                        "--max-iter", "30", "--tol", "0", "--partitions", in[1], "--output", out), err.toString());
                JsonNode saved = JSON.readTree(Path.of(out, "model.json").toFile());
                boolean sparse = saved.get("provenance").get("input").path("sparse").asBoolean(false);
                assertEquals(!in[0].equals(dense), sparse, out);
                double got = ModelStore.load(conf, out).summary().avgLogLikelihood();
                // The same EM up to the order of summation: sparse and dense kernels, 1 or 3 partitions.
                if (!Double.isNaN(ll)) {
                    assertEquals(ll, got, 1e-9 * Math.abs(ll), out);
                }
                ll = got;
            }
        }
        // A sparse row has no missing cells: a NaN is named, or counted under --invalid skip.
        String bad = dir.resolve("sparse-bad.parquet").toString();
        List<Row> badRows = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            badRows.add(org.apache.spark.sql.RowFactory.create(org.apache.spark.ml.linalg.Vectors.sparse(400,
                    new int[]{i, 200 + i}, new double[]{1, i == 7 ? Double.NaN : 2})));
        }
        SparkTestSession.get().createDataFrame(badRows, new org.apache.spark.sql.types.StructType()
                .add("features", org.apache.spark.ml.linalg.SQLDataTypes.VectorType())).write().parquet(bad);
        ByteArrayOutputStream badErr = new ByteArrayOutputStream();
        assertEquals(1, MainTest.run(badErr, "fit", "--family", "poisson", "--input", bad, "--k", "2", "--output",
                dir.resolve("sparse-bad-m").toString()));
        assertTrue(badErr.toString().contains("features[207]': value is NaN"), badErr.toString());
        assertEquals(0, MainTest.run(err, "fit", "--family", "poisson", "--input", bad, "--k", "2", "--invalid", "skip",
                "--output", dir.resolve("sparse-skip-m").toString()), err.toString());
        JsonNode skipped = JSON.readTree(dir.resolve("sparse-skip-m").resolve("model.json").toFile());
        assertEquals(1, skipped.get("summary").get("invalidRows").get("byReason").get("nan").asInt());
        assertTrue(skipped.get("provenance").get("input").get("sparse").asBoolean());

        String pred = dir.resolve("sparse-pred").toString();
        assertEquals(0, MainTest.run(err, "predict", "--model", dir.resolve("sparse-bernoulli-1s").toString(),
                "--input", data, "--output", pred), err.toString());
        assertEquals(3000, SparkTestSession.get().read().parquet(pred).count());
    }

    @Test
    void bernoulliThroughTheCommands() throws Exception {
        generateAndFit("bernoulli", 30_000);
    }

    @Test
    void poissonThroughTheCommands() throws Exception {
        generateAndFit("poisson", 10_000);
        // compare runs every method on the same family from one initialization.
        String report = dir.resolve("compare").toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, MainTest.run(err, "compare", "--family", "poisson", "--input",
                dir.resolve("poisson.parquet").toString(), "--k", "3", "--methods", "em,adam,lbfgs", "--budget-passes", "5", "--output", report),
                err.toString());
        JsonNode cmp = JSON.readTree(Path.of(report, "compare.json").toFile());
        assertEquals("poisson", cmp.get("data").get("family").asText());
    }

    @Test
    void valuesOutsideTheFamilysDomainAreNamedOrCounted() throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "a,b\n0,1\n1,0\n2,1\n1,1\n0,-1\n1,0.5\n0,0\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertNotEquals(0, MainTest.run(err, "fit", "--family", "bernoulli", "--input", csv.toString(), "--k", "1",
                "--output", dir.resolve("bad-b").toString()));
        assertTrue(err.toString().contains("column 'a': 2.0 is not 0 or 1"), err.toString());
        assertTrue(err.toString().contains("data row 3"), err.toString());

        err.reset();
        String skipped = dir.resolve("skip-b").toString();
        assertEquals(0, MainTest.run(err, "fit", "--family", "bernoulli", "--input", csv.toString(), "--k", "1",
                "--invalid", "skip", "--output", skipped), err.toString());
        JsonNode invalid = JSON.readTree(Path.of(skipped, "model.json").toFile()).get("summary").get("invalidRows");
        assertEquals(3, invalid.get("byReason").get("notBinary").asInt());

        err.reset();
        String counts = dir.resolve("skip-p").toString();
        assertEquals(0, MainTest.run(err, "fit", "--family", "poisson", "--input", csv.toString(), "--k", "1",
                "--invalid", "skip", "--output", counts), err.toString());
        invalid = JSON.readTree(Path.of(counts, "model.json").toFile()).get("summary").get("invalidRows");
        assertEquals(2, invalid.get("byReason").get("notACount").asInt());
        // The Poisson rate of b over the 5 kept rows (1, 0, 1, 1, 0).
        MixtureModel m = ModelStore.load(SparkTestSession.get().sparkContext().hadoopConfiguration(), counts);
        assertEquals(0.6, ((IndependentParams) m.params()).mean(0)[1], 1e-12);

        // A Gaussian-only option with another family is a usage error.
        err.reset();
        assertEquals(2, MainTest.run(err, "fit", "--family", "poisson", "--covariance", "diag", "--input",
                csv.toString(), "--k", "1", "--output", dir.resolve("x").toString()));
        assertTrue(err.toString().contains("--covariance applies to --family gaussian and student-t only"), err.toString());
        // And predict checks the model's domain too.
        err.reset();
        assertNotEquals(0, MainTest.run(err, "predict", "--model", skipped, "--input", csv.toString(), "--output",
                dir.resolve("bad-pred").toString()));
        assertTrue(err.toString().contains("is not 0 or 1"), err.toString());
    }

    /**
     * Latent class analysis through the commands: generate writes text levels; fit collects them, fits on one
     * and three partitions alike and recovers the planted probabilities; predict scores a level it never saw
     * as missing and says how many.
     */
    @Test
    void categoricalThroughTheCommands() throws Exception {
        String data = dir.resolve("cat.csv").toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, MainTest.run(err, "generate", "--family", "categorical", "--rows", "20000", "--dim", "8",
                "--levels", "3", "--k", "3", "--missing-fraction", "0.05", "--seed", "9", "--output", data),
                err.toString());
        String one = dir.resolve("cat-m1").toString();
        String three = dir.resolve("cat-m3").toString();
        for (String[] extra : new String[][]{{"--output", one}, {"--partitions", "3", "--output", three}}) {
            List<String> args = new java.util.ArrayList<>(List.of("fit", "--family", "categorical", "--input", data,
                    "--k", "3", "--tol", "1e-9", "--max-iter", "500", "--n-init", "2"));
            args.addAll(List.of(extra));
            assertEquals(0, MainTest.run(err, args.toArray(new String[0])), err.toString());
        }
        var conf = SparkTestSession.get().sparkContext().hadoopConfiguration();
        MixtureModel m = ModelStore.load(conf, one);
        assertEquals(m.summary().avgLogLikelihood(), ModelStore.load(conf, three).summary().avgLogLikelihood(),
                1e-9 * Math.abs(m.summary().avgLogLikelihood()));
        assertEquals(Family.CATEGORICAL, m.family());
        assertEquals(List.of("x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"), m.inputColumns());
        JsonNode saved = JSON.readTree(Path.of(one, "model.json").toFile());
        assertEquals("[\"0\",\"1\",\"2\"]", saved.get("params").get("levels").get(0).toString());
        // (k − 1) + k·Σ(levels − 1) = 2 + 3·16 free parameters.
        double n = m.summary().totalWeight();
        assertEquals(-2 * m.summary().avgLogLikelihood() * n + 50 * Math.log(n),
                saved.get("summary").get("bic").asDouble(), 1e-9 * n);
        // The planted probabilities within 5 standard errors √(p(1 − p)/(0.95·w·rows)), components matched by
        // their probabilities.
        JsonNode truth = JSON.readTree(Path.of(data + ".truth.json").toFile());
        JsonNode fitted = saved.get("params").get("probabilities");
        for (int t = 0; t < 3; t++) {
            double w = truth.get("weights").get(t).asDouble();
            int best = closest(numbers(truth.get("probabilities").get(t)),
                    List.of(numbers(fitted.get(0)), numbers(fitted.get(1)), numbers(fitted.get(2))));
            for (int v = 0; v < 8; v++) {
                for (int l = 0; l < 3; l++) {
                    double p = truth.get("probabilities").get(t).get(v).get(l).asDouble();
                    double se = Math.sqrt(p * (1 - p) / (0.95 * w * 20000));
                    assertEquals(p, fitted.get(best).get(v).get(l).asDouble(), 5 * se + 1e-9,
                            "component " + t + ", variable " + v + ", level " + l);
                }
            }
        }
        // compare runs the gradient methods too, a softmax per variable.
        String report = dir.resolve("cat-compare").toString();
        assertEquals(0, MainTest.run(err, "compare", "--family", "categorical", "--input", data, "--k", "3",
                "--methods", "em,lbfgs", "--budget-passes", "4", "--output", report), err.toString());
        JsonNode cmp = JSON.readTree(Path.of(report, "compare.json").toFile());
        assertEquals("categorical", cmp.get("data").get("family").asText());
        assertEquals(2, cmp.get("methods").size());
        for (JsonNode method : cmp.get("methods")) {
            assertTrue(method.get("constraintsHeld").asBoolean(), method.toString());
        }
        // A level the model never saw is scored as missing, and counted.
        Path unseen = dir.resolve("unseen.csv");
        Files.writeString(unseen, "x0,x1,x2,x3,x4,x5,x6,x7\n0,1,2,0,1,2,0,1\nzzz,1,2,0,1,2,0,1\n,1,2,0,1,2,0,1\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertEquals(0, MainTest.run(err, "predict", "--model", one, "--input", unseen.toString(), "--output",
                    dir.resolve("unseen-pred").toString()), err.toString());
        } finally {
            System.setOut(old);
        }
        assertTrue(out.toString().contains("1 categorical values had a level the model was not fitted with"),
                out.toString());
        List<Row> scored = SparkTestSession.get().read().parquet(dir.resolve("unseen-pred").toString())
                .orderBy("x0").collectAsList();
        // "zzz" and the empty cell are both missing: the two rows score the same.
        double[] ll = scored.stream().filter(r -> !"0".equals(r.getAs("x0")))
                .mapToDouble(r -> r.<Double>getAs("logLikelihood")).toArray();
        assertEquals(2, ll.length);
        assertEquals(ll[0], ll[1], 0.0);
    }

    /** R's Titanic table as 24 weighted rows: the optimum of an independent numpy EM, through fit --weight-col. */
    @Test
    void latentClassesOfTheTitanicTable() throws Exception {
        String model = dir.resolve("titanic").toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, MainTest.run(err, "fit", "--family", "categorical", "--input",
                Path.of("src/test/resources/reference/titanic.csv").toAbsolutePath().toString(), "--weight-col", "Freq",
                "--k", "2", "--n-init", "3", "--tol", "1e-7", "--max-iter", "1000", "--output", model), err.toString());
        MixtureModel m = ModelStore.load(SparkTestSession.get().sparkContext().hadoopConfiguration(), model);
        JsonNode ref = JSON.readTree(Path.of("src/test/resources/reference/independent-reference.json").toFile());
        double want = Double.NaN;
        for (JsonNode fit : ref.get("fits")) {
            if (fit.get("family").asText().equals("categorical") && fit.get("k").asInt() == 2) {
                want = fit.get("avgLogLikelihood").asDouble();
            }
        }
        // Within the 2e-3; tol 1e-7 stops within about 1e-5 of the optimum here.
        assertEquals(want, m.summary().avgLogLikelihood(), 2e-3);
        assertEquals(2201, m.summary().totalWeight(), 0.0);
        assertEquals(List.of("Class", "Sex", "Age", "Survived"), m.inputColumns());
    }

    @Test
    void aCategoricalColumnWithTooManyLevelsIsNamedOrTrimmed() throws Exception {
        Path csv = dir.resolve("levels.csv");
        StringBuilder sb = new StringBuilder("a,b\n");
        String[] as = {"p", "p", "p", "q", "q", "r", "s", "p", "q", "p"};
        for (int i = 0; i < as.length; i++) {
            sb.append(as[i]).append(',').append(i % 2).append('\n');
        }
        Files.writeString(csv, sb.toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertNotEquals(0, MainTest.run(err, "fit", "--family", "categorical", "--input", csv.toString(), "--k", "1",
                "--max-levels", "2", "--output", dir.resolve("lv1").toString()));
        assertTrue(err.toString().contains("categorical column 'a' has 4 levels, more than --max-levels 2"),
                err.toString());
        err.reset();
        String kept = dir.resolve("lv2").toString();
        assertEquals(0, MainTest.run(err, "fit", "--family", "categorical", "--input", csv.toString(), "--k", "1",
                "--max-levels", "2", "--invalid", "skip", "--output", kept), err.toString());
        JsonNode saved = JSON.readTree(Path.of(kept, "model.json").toFile());
        // p (5 rows) and q (3 rows) are kept; the rows with r and s are skipped and counted.
        assertEquals("[\"p\",\"q\"]", saved.get("params").get("levels").get(0).toString());
        assertEquals(2, saved.get("summary").get("invalidRows").get("byReason").get("rareLevel").asInt());
        assertEquals(8, saved.get("summary").get("rows").asInt());
    }
}
