package dev.mixem.model;

import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.math.RowBlock;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.config.InitMethod;
import dev.mixem.fit.Checkpointer;
import dev.mixem.fit.EmFitter;
import dev.mixem.fit.FitCheckpoint;
import dev.mixem.fit.FitListener;
import dev.mixem.fit.FitResult;
import dev.mixem.source.LocalBlockSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Models saved in format version 1 keep working. The fixtures in src/test/resources/fixtures/v1 were written
 * by the last mixem that wrote version 1 (commit 765846a): its model.json of a fit on iris, and the
 * log-likelihood and posterior it computed for every row (MakeV1Fixture.java there says how). Today's code
 * must load the file and compute the very same numbers: bit for bit for full covariance on that BLAS and
 * vector width (see {@link #allowance(String, double, double)}), and
 * within a few ulps for diag, whose kernel became a GEMM on rows centred on one shared reference (session 5):
 * the same sums in another order and expansion.
 */
class FormatVersion1Test {
    /** The vector width of the machine that wrote the fixtures (AVX-512). */
    private static final int FIXTURE_LANES = 8;

    private static String resource(String name) throws IOException {
        try (InputStream in = FormatVersion1Test.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static double[][] csv(String name) throws IOException {
        String[] lines = resource(name).split("\n");
        double[][] rows = new double[lines.length - 1][];
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(",");
            rows[i - 1] = new double[f.length];
            for (int j = 0; j < f.length; j++) {
                rows[i - 1][j] = Double.parseDouble(f[j]);
            }
        }
        return rows;
    }

    @ParameterizedTest
    @ValueSource(strings = {"full", "diag"})
    void aVersion1ModelLoadsAndPredictsExactlyAsBefore(String type) throws IOException {
        String json = resource("/fixtures/v1/iris-" + type + ".model.json");
        assertEquals(1, new ObjectMapper().readTree(json).get("formatVersion").asInt());
        MixtureModel m = MixtureModel.fromJson(json, "iris-" + type + ".model.json");
        GaussianParams p = m.gaussian();
        assertEquals(type, p.type().serializedName());
        double[][] x = csv("/reference/iris.csv");
        double[][] expected = csv("/fixtures/v1/iris-" + type + ".predictions.csv");
        int n = x.length;
        double[] resp = new double[n * p.k()];
        double[] ll = new double[n];
        new dev.mixem.family.EStep<>(p.scorer()).posterior(RowBlock.ofRows(x, null, 0), resp, ll);
        for (int i = 0; i < n; i++) {
            // log p(x) sums terms of order 1 to 10: a few of their ulps is below 1e-13 in absolute terms.
            assertEquals(expected[i][0], ll[i], allowance(type, 16.0, 16), "log-likelihood of row " + i);
            for (int c = 0; c < p.k(); c++) {
                // A posterior is exp(log p(x, c) - log p(x)); the log-difference reaches about -100 here, so
                // a few ulps in the logs become up to 100 x 2^-52 ≈ 2e-14 relative: allow 1e-12 relative
                // (as ulps of the expected value, so 0 on the fixtures' own BLAS).
                assertEquals(expected[i][1 + c], resp[i + c * n], allowance(type, expected[i][1 + c], 4504),
                        "posterior of row " + i + ", component " + c);
            }
        }
        // Saved again, it is a version-2 model holding the same numbers.
        MixtureModel again = MixtureModel.fromJson(m.toJson(), "resaved");
        assertEquals(MixtureModel.FORMAT_VERSION,
                new ObjectMapper().readTree(m.toJson()).get("formatVersion").asInt());
        assertArrayEquals(p.means(), again.gaussian().means(), 0.0);
        assertArrayEquals(p.covariances(), again.gaussian().covariances(), 0.0);
        assertEquals(m.summary(), again.summary());
    }

    /**
     * A checkpoint written by that build (iris, full, checkpoint at iteration 5 of 7) resumes under today's
     * code to the model that build finished with: the same parameters and log-likelihood, bit for bit (one
     * block of 150 rows on both sides, as the old fit cached them).
     */
    @Test
    void aVersion1CheckpointResumesToTheModelThatBuildFinished() throws IOException {
        String json = resource("/fixtures/v1/iris-full.checkpoint.json");
        JsonNode root = new ObjectMapper().readTree(json);
        @SuppressWarnings("unchecked")
        Map<String, Object> configuration = new ObjectMapper().convertValue(root.get("configuration"), Map.class);
        @SuppressWarnings("unchecked")
        FitCheckpoint<GaussianParams> saved = (FitCheckpoint<GaussianParams>) (FitCheckpoint<?>) CheckpointFormat.fromJson(
                json, "iris-full.checkpoint.json", configuration, root.path("input").path("fingerprint").asText());
        assertEquals(5, saved.iteration());
        Checkpointer<GaussianParams> resume = new Checkpointer<>() {
            @Override
            public int every() {
                return 0;
            }

            @Override
            public void save(FitCheckpoint<GaussianParams> state) {
            }

            @Override
            public FitCheckpoint<GaussianParams> resume() {
                return saved;
            }
        };
        FitConfig cfg = new FitConfig(3, CovarianceType.FULL, InitMethod.KMEANS_PLUS_PLUS, 1, 7, 0.0, 1e-6, 1);
        FitResult<GaussianParams> r = new EmFitter(FitListener.NONE).fit(LocalBlockSource.of(csv("/reference/iris.csv"), null, 8192),
                cfg, resume);
        MixtureModel finished = MixtureModel.fromJson(
                resource("/fixtures/v1/iris-full-7-iterations.model.json"), "iris-full-7-iterations.model.json");
        assertEquals(7, r.iterations());
        double[][] pairs = {{finished.summary().avgLogLikelihood(), r.avgLogLikelihood()}};
        assertEquals(pairs[0][0], pairs[0][1], allowance(Math.max(1, Math.abs(pairs[0][0])), 1e4));
        assertClose(finished.gaussian().means(), r.params().means());
        assertClose(finished.gaussian().covariances(), r.params().covariances());
        assertClose(finished.gaussian().weights(), r.params().weights());
    }

    /**
     * Bit for bit on the machine the fixtures were written on: native OpenBLAS (JNIBLAS) and 8-lane vectors
     * (AVX-512). A JVM that runs another BLAS (none installed, or set aside by Linalg's reproducibility check)
     * rounds the few LAPACK and BLAS calls outside mixem's own kernels differently, in the last bits, and a
     * 4-lane machine (AVX2) sums the lanes of mixem's own kernels in another grouping (on an AMD EPYC the
     * resumed fit's log-likelihood came out 1 ulp away): then {@code ulps} units in the last place of
     * {@code scale} (1e4 after 7 EM iterations, whose M-steps and inverses carry such differences forward:
     * about 2e-12 relative to values of order 1).
     */
    private static double allowance(double expected, double ulps) {
        return allowance("full", expected, ulps);
    }

    /** As {@link #allowance(double, double)}, never exact for diag (see the class comment). */
    private static double allowance(String type, double expected, double ulps) {
        boolean exact = type.equals("full") && dev.mixem.math.Linalg.blasName().startsWith("JNI")
                && dev.mixem.math.BlockKernels.vectorLanes() == FIXTURE_LANES;
        return exact ? 0.0 : ulps * Math.ulp(expected);
    }

    private static void assertClose(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], allowance(Math.max(1, Math.abs(expected[i])), 1e4), "element " + i);
        }
    }
}
