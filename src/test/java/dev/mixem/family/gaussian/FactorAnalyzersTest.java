package dev.mixem.family.gaussian;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.config.InitMethod;
import dev.mixem.config.MethodOptions;
import dev.mixem.config.FitMethod;
import dev.mixem.family.EStep;
import dev.mixem.family.MixtureFamily;
import dev.mixem.family.MixturePass;
import dev.mixem.fit.EmFitter;
import dev.mixem.fit.FitListener;
import dev.mixem.fit.FitResult;
import dev.mixem.fit.TraceEntry;
import dev.mixem.math.RowBlock;
import dev.mixem.source.LocalBlockSource;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Mixtures of factor analyzers (covariance structure {@code factor}): the Woodbury E-step against the dense
 * density, the statistics' merge laws, EM's monotone climb and its guarantee, planted loadings recovered up to
 * rotation, the codec's round trip, and with k=1 scikit-learn's FactorAnalysis optimum (numbers and script:
 * src/test/resources/reference/factor-reference.json, src/test/python/sklearn_factor_reference.py).
 */
public class FactorAnalyzersTest {
    private static final int D = 8;
    private static final int Q = 2;

    private static double[][] draw(GaussianParams p, int n, long seed) {
        SyntheticMixture.Sampler s = new SyntheticMixture.Sampler(p);
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] x = new double[n][p.dim()];
        for (double[] r : x) {
            s.draw(rng, r);
        }
        return x;
    }

    private static GaussianStats stats(GaussianParams p, RowBlock... blocks) {
        GaussianStats s = p.scorer().emptyStats();
        EStep<GaussianStats> step = new EStep<>(p.scorer());
        for (RowBlock b : blocks) {
            step.accumulate(b, s);
        }
        return s;
    }

    /** log N(x; μ, Σ) from the implied d x d covariance by Cholesky: independent of the Woodbury route. */
    private static double denseLogDensity(GaussianParams p, int c, double[] x) {
        return denseObservedLogDensity(p, c, x);
    }

    @Test
    void woodburyDensityIsTheDenseOne() {
        GaussianParams p = SyntheticMixture.random(CovarianceType.FACTOR, Q, 3, D, 3.0, 1);
        double[][] x = draw(p, 50, 2);
        RowBlock b = RowBlock.ofRows(x, null, 0);
        double[] logp = new double[50 * 3];
        new EStep<>(p.scorer()).logJoint(b, logp);
        for (int i = 0; i < 50; i++) {
            for (int c = 0; c < 3; c++) {
                double dense = Math.log(p.weight(c)) + denseLogDensity(p, c, x[i]);
                // Two exact formulas in double precision on values of size ~10: 1e-10 absolute.
                assertEquals(dense, logp[i + c * 50], 1e-10, "row " + i + ", component " + c);
            }
        }
    }

    /**
     * The kernel on one centred block for all components ({@link FactorGemmKernel}) against the exact
     * per-component one ({@link FactorKernel}): the same log-densities and statistics up to the rounding of the
     * expansion about the mixture's centre (components within a few units of it here: 1e-9 relative to each
     * quantity's scale, against errors of ~1e-13 expected). Near the origin the kernel takes the block as it is
     * (reference 0); at an offset of 1e6 it centres the block on the mixture's centre.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(doubles = {0, 1e6})
    void sharedBlockKernelAgreesWithThePerComponentOne(double offset) {
        GaussianParams truth = SyntheticMixture.random(CovarianceType.FACTOR, Q, 3, D, 3.0, 31);
        double[][] x = draw(truth, 301, 32);
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < D; j++) {
                x[i][j] += offset;
            }
        }
        GaussianParams p = SyntheticMixture.random(CovarianceType.FACTOR, Q, 3, D, 2.0, 33);
        double[] means = p.means();
        for (int i = 0; i < means.length; i++) {
            means[i] += offset;
        }
        p = new GaussianParams(CovarianceType.FACTOR, Q, 3, D, p.weights(), means, p.covariances());
        GaussianScorer sc = p.scorer();
        assumeTrue(FactorGemmKernel.applies(sc), "the Vector API is not available");
        RowBlock b = RowBlock.ofRows(x, null, 0);
        double[] fast = new double[301 * 3];
        double[] exact = new double[301 * 3];
        new FactorGemmKernel(sc).blockLogJoint(b, fast);
        new FactorKernel(sc).blockLogJoint(b, exact);
        for (int i = 0; i < fast.length; i++) {
            assertEquals(exact[i], fast[i], 1e-9 * Math.max(1, Math.abs(exact[i])), "log-density " + i);
        }
        double[] resp = new double[301 * 3];
        SplittableRandom rng = new SplittableRandom(34);
        for (int i = 0; i < resp.length; i++) {
            resp[i] = rng.nextDouble();
        }
        GaussianStats sf = sc.emptyStats();
        GaussianStats se = sc.emptyStats();
        FactorGemmKernel fk = new FactorGemmKernel(sc);
        fk.logJoint(b, 0, 301, new double[301 * 3]);
        fk.accumulate(b, 0, 301, resp.clone(), sf);
        FactorKernel ek = new FactorKernel(sc);
        ek.logJoint(b, 0, 301, new double[301 * 3]);
        ek.accumulate(b, 0, 301, resp.clone(), se);
        double[] a = se.values();
        double[] c = sf.values();
        double scale = Arrays.stream(a).map(Math::abs).max().orElseThrow();
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], c[i], 1e-9 * scale, "statistic " + i);
        }
    }

    @Test
    void statisticsMergeAndDoNotDependOnBlocks() {
        GaussianParams truth = SyntheticMixture.random(CovarianceType.FACTOR, Q, 3, D, 3.0, 3);
        double[][] x = draw(truth, 600, 4);
        GaussianParams p = SyntheticMixture.random(CovarianceType.FACTOR, Q, 3, D, 2.0, 5);
        GaussianStats whole = stats(p, RowBlock.ofRows(x, null, 0));
        GaussianStats empty = p.scorer().emptyStats();
        assertArrayEquals(whole.values(), empty.mergeFrom(whole.copy()).values(), 0.0);
        double scale = Arrays.stream(whole.values()).map(Math::abs).max().orElseThrow();
        for (int rows : new int[]{1, 7, 64, 600}) {
            GaussianStats split = MixturePass.eStep(LocalBlockSource.of(x, null, rows), p.scorer(), "blocks");
            double[] a = whole.values();
            double[] s = split.values();
            for (int i = 0; i < a.length; i++) {
                // Sums of 600 terms in another order: 1e-10 of the largest statistic.
                assertEquals(a[i], s[i], 1e-10 * scale, "blocks of " + rows + ", value " + i);
            }
            assertEquals(whole.logLikelihood, split.logLikelihood, 1e-10 * Math.abs(whole.logLikelihood));
        }
    }

    @Test
    void emClimbsByAtLeastItsGuaranteeAndRecoversPlantedFactors() {
        GaussianParams truth = SyntheticMixture.random(CovarianceType.FACTOR, Q, 2, D, 6.0, 7);
        double[][] x = draw(truth, 20_000, 8);
        MixtureFamily<GaussianParams, GaussianStats> family = GaussianFamily.of(CovarianceType.FACTOR, Q);
        RowBlock b = RowBlock.ofRows(x, null, 0);
        // From a start away from the truth, each step's rise is at least Q's (EM's bound, rounding aside).
        GaussianParams p = SyntheticMixture.random(CovarianceType.FACTOR, Q, 2, D, 4.0, 9);
        double prev = Double.NEGATIVE_INFINITY;
        for (int it = 0; it < 30; it++) {
            GaussianStats s = stats(p, b);
            double ll = s.avgLogLikelihood();
            assertTrue(ll >= prev - 1e-12 * Math.abs(ll), "iteration " + it + ": " + prev + " -> " + ll);
            MixtureFamily.Update<GaussianParams> u = family.mStep(s, p, 0.0);
            double guaranteed = family.guaranteedChange(s, p, u);
            // Without reg-covar the M-step maximizes Q, so the guarantee is never negative.
            assertTrue(guaranteed >= -1e-12, "guarantee " + guaranteed);
            double next = stats(u.params(), b).avgLogLikelihood();
            assertTrue(next - ll >= guaranteed - 1e-10 * Math.abs(ll), "rise " + (next - ll) + " < " + guaranteed);
            prev = ll;
            p = u.params();
        }

        FitConfig cfg = new FitConfig(2, CovarianceType.FACTOR, InitMethod.KMEANS_PLUS_PLUS, 2, 500, 1e-9, 1e-6, 0,
                MethodOptions.defaults(FitMethod.EM, Double.POSITIVE_INFINITY), Q);
        FitResult<GaussianParams> fit = new EmFitter(FitListener.NONE).fit(LocalBlockSource.of(x, null, 1000), cfg);
        GaussianParams got = fit.params();
        assertEquals(Q, got.factors());
        for (TraceEntry e : fit.trace()) {
            assertFalse(e.likelihoodDecreased(), "the trace records a fall at iteration " + e.iteration());
        }
        for (int c = 0; c < 2; c++) {
            int match = Math.abs(got.mean(0)[0] - truth.mean(c)[0]) < Math.abs(got.mean(1)[0] - truth.mean(c)[0]) ? 0 : 1;
            // Loadings are identified up to a rotation: compare the implied covariances ΛΛᵀ + Ψ. An entry's
            // sampling standard error from n rows is sqrt((Σ_aa Σ_bb + Σ_ab²)/n), a mean's sqrt(Σ_jj/n); 5 of
            // them over 64 + 8 values of each component leaves a chance of a false alarm below 1e-4.
            double[] want = truth.covarianceMatrix(c);
            double[] have = got.covarianceMatrix(match);
            double n = truth.weight(c) * x.length;
            for (int a = 0; a < D; a++) {
                for (int bb = 0; bb < D; bb++) {
                    double se = Math.sqrt((want[a + a * D] * want[bb + bb * D] + want[a + bb * D] * want[a + bb * D]) / n);
                    assertEquals(want[a + bb * D], have[a + bb * D], 5 * se, "component " + c + ", covariance (" + a + ", " + bb + ")");
                }
                assertEquals(truth.mean(c)[a], got.mean(match)[a], 5 * Math.sqrt(want[a + a * D] / n),
                        "component " + c + ", mean " + a);
            }
        }
    }

    /** The gradient from the statistics against central differences of the mean log-likelihood. */
    @Test
    void theGradientFromStatisticsIsTheLikelihoodsSlope() {
        MixtureFamily<GaussianParams, GaussianStats> family = GaussianFamily.of(CovarianceType.FACTOR, Q);
        GaussianParams truth = SyntheticMixture.random(CovarianceType.FACTOR, Q, 2, 5, 3.0, 41);
        RowBlock b = RowBlock.ofRows(draw(truth, 300, 42), null, 0);
        GaussianParams p = SyntheticMixture.random(CovarianceType.FACTOR, Q, 2, 5, 2.0, 43);
        double[] g = family.gradient(stats(p, b), p);
        double[] v = family.toVector(p);
        assertEquals(v.length, g.length);
        assertArrayEquals(p.covariances(), family.fromVector(v, p).covariances(), 1e-15);
        for (int i = 0; i < v.length; i++) {
            double h = 1e-5 * Math.max(1, Math.abs(v[i]));
            double[] up = v.clone();
            double[] down = v.clone();
            up[i] += h;
            down[i] -= h;
            double fd = (stats(family.fromVector(up, p), b).avgLogLikelihood()
                    - stats(family.fromVector(down, p), b).avgLogLikelihood()) / (2 * h);
            // Central differences: truncation O(h²) ≈ 1e-10, rounding ε·|LL|/h ≈ 1e-10; a wrong term is of the
            // gradient's own size, so 1e-6 relative catches it with a wide margin.
            assertEquals(fd, g[i], 1e-6 * (1 + Math.abs(fd)), "coordinate " + i);
        }
    }

    /**
     * Online EM averages statistics gathered under different parameters, so they must mean the same whatever
     * the parameters: re-centred on the M-step's means, the statistics give that M-step again.
     */
    @Test
    void recentredStatisticsGiveTheSameMStep() {
        MixtureFamily<GaussianParams, GaussianStats> family = GaussianFamily.of(CovarianceType.FACTOR, Q);
        GaussianParams truth = SyntheticMixture.random(CovarianceType.FACTOR, Q, 3, D, 3.0, 51);
        RowBlock b = RowBlock.ofRows(draw(truth, 2000, 52), null, 0);
        GaussianParams p = SyntheticMixture.random(CovarianceType.FACTOR, Q, 3, D, 2.0, 53);
        GaussianStats s = stats(p, b);
        MixtureFamily.Update<GaussianParams> u = family.mStep(s, p, 1e-6);
        GaussianStats moved = family.recentred(s, p, u);
        GaussianParams again = family.mStep(moved, u.params(), 1e-6).params();
        double[] want = u.params().covariances();
        double[] got = again.covariances();
        for (int i = 0; i < want.length; i++) {
            // The same sums shifted exactly in real arithmetic; rounding of values ~10: 1e-10.
            assertEquals(want[i], got[i], 1e-10, "covariance parameter " + i);
        }
        assertArrayEquals(u.params().means(), again.means(), 1e-10);
        assertArrayEquals(u.params().weights(), again.weights(), 1e-14);
    }

    private static double[][] withMissing(double[][] rows, double fraction, long seed) {
        return dev.mixem.family.FamilyConformanceTest.withMissing(rows, fraction, seed);
    }

    /** The observed coordinates' marginal density, from the dense implied covariance restricted to them. */
    private static double denseObservedLogDensity(GaussianParams p, int c, double[] x) {
        int d = p.dim();
        int[] o = java.util.stream.IntStream.range(0, d).filter(j -> !Double.isNaN(x[j])).toArray();
        double[] full = p.covarianceMatrix(c);
        double[] mu = p.mean(c);
        int m = o.length;
        double[] sub = new double[m * m];
        double[] xo = new double[m];
        for (int a = 0; a < m; a++) {
            xo[a] = x[o[a]] - mu[o[a]];
            for (int bb = 0; bb < m; bb++) {
                sub[a + bb * m] = full[o[a] + o[bb] * d];
            }
        }
        double[] l = dev.mixem.math.Linalg.choleskyLower(sub, 0, m);
        double maha = 0;
        double[] y = new double[m];
        for (int i = 0; i < m; i++) {
            double v = xo[i];
            for (int j = 0; j < i; j++) {
                v -= l[i + j * m] * y[j];
            }
            y[i] = v / l[i + i * m];
            maha += y[i] * y[i];
        }
        return -0.5 * (m * Math.log(2 * Math.PI) + dev.mixem.math.Linalg.logDetFromCholesky(l, 0, m) + maha);
    }

    @Test
    void missingCellsAreMarginalizedExactly() {
        GaussianParams p = SyntheticMixture.random(CovarianceType.FACTOR, Q, 3, D, 3.0, 61);
        double[][] x = withMissing(draw(p, 80, 62), 0.3, 63);
        RowBlock b = RowBlock.ofRows(x, null, 0);
        assertTrue(b.missing > 0);
        double[] logp = new double[80 * 3];
        new EStep<>(p.scorer()).logJoint(b, logp);
        for (int i = 0; i < 80; i++) {
            for (int c = 0; c < 3; c++) {
                double dense = Math.log(p.weight(c)) + denseObservedLogDensity(p, c, x[i]);
                // Two exact formulas in double precision on values of size ~10: 1e-10 absolute.
                assertEquals(dense, logp[i + c * 80], 1e-10, "row " + i + ", component " + c);
            }
        }
    }

    /**
     * With missing cells the statistics must be the complete-data statistics' conditional expectations: then
     * the gradient from them is the observed-data likelihood's (Fisher's identity, checked against central
     * differences), and every EM step rises by at least its guarantee (which fails for wrong expectations).
     */
    @Test
    void missingCellStatisticsAreTheConditionalExpectations() {
        MixtureFamily<GaussianParams, GaussianStats> family = GaussianFamily.of(CovarianceType.FACTOR, Q);
        GaussianParams truth = SyntheticMixture.random(CovarianceType.FACTOR, Q, 2, 5, 3.0, 71);
        RowBlock b = RowBlock.ofRows(withMissing(draw(truth, 300, 72), 0.2, 73), null, 0);
        GaussianParams p = SyntheticMixture.random(CovarianceType.FACTOR, Q, 2, 5, 2.0, 74);
        double[] g = family.gradient(stats(p, b), p);
        double[] v = family.toVector(p);
        for (int i = 0; i < v.length; i++) {
            double h = 1e-5 * Math.max(1, Math.abs(v[i]));
            double[] up = v.clone();
            double[] down = v.clone();
            up[i] += h;
            down[i] -= h;
            double fd = (stats(family.fromVector(up, p), b).avgLogLikelihood()
                    - stats(family.fromVector(down, p), b).avgLogLikelihood()) / (2 * h);
            // As for complete rows: 1e-6 relative.
            assertEquals(fd, g[i], 1e-6 * (1 + Math.abs(fd)), "coordinate " + i);
        }
        GaussianParams cur = p;
        for (int it = 0; it < 20; it++) {
            GaussianStats s = stats(cur, b);
            MixtureFamily.Update<GaussianParams> u = family.mStep(s, cur, 0.0);
            double guaranteed = family.guaranteedChange(s, cur, u);
            assertTrue(guaranteed >= -1e-12, "guarantee " + guaranteed);
            double next = stats(u.params(), b).avgLogLikelihood();
            double ll = s.avgLogLikelihood();
            assertTrue(next - ll >= guaranteed - 1e-10 * Math.abs(ll), "rise " + (next - ll) + " < " + guaranteed);
            cur = u.params();
        }
        // Blocks of any size give the same statistics.
        double[][] rows = new double[300][];
        for (int i = 0; i < 300; i++) {
            rows[i] = new double[5];
            b.row(i, rows[i]);
        }
        GaussianStats whole = stats(p, b);
        double scale = Arrays.stream(whole.values()).map(Math::abs).max().orElseThrow();
        GaussianStats split = MixturePass.eStep(LocalBlockSource.of(rows, null, 7), p.scorer(), "blocks of 7");
        for (int i = 0; i < whole.values().length; i++) {
            assertEquals(whole.values()[i], split.values()[i], 1e-10 * scale, "value " + i);
        }
    }

    /** With k=1 the imputed cells are the Gaussian conditional mean μ_h + Σ_ho Σ_oo⁻¹ (x_o - μ_o). */
    @Test
    void imputationIsTheConditionalMean() {
        GaussianParams p = SyntheticMixture.random(CovarianceType.FACTOR, Q, 1, D, 3.0, 81);
        double[][] x = withMissing(draw(p, 30, 82), 0.3, 83);
        RowBlock b = RowBlock.ofRows(x, null, 0);
        double[] resp = new double[30];
        Arrays.fill(resp, 1.0);
        double[] out = new double[30 * D];
        new GaussianImputer(p.scorer()).impute(b, resp, out);
        double[] full = p.covarianceMatrix(0);
        double[] mu = p.mean(0);
        for (int i = 0; i < 30; i++) {
            double[] xi = x[i];
            int[] o = java.util.stream.IntStream.range(0, D).filter(j -> !Double.isNaN(xi[j])).toArray();
            int m = o.length;
            double[] soo = new double[m * m];
            double[] uo = new double[m];
            for (int a = 0; a < m; a++) {
                uo[a] = xi[o[a]] - mu[o[a]];
                for (int bb = 0; bb < m; bb++) {
                    soo[a + bb * m] = full[o[a] + o[bb] * D];
                }
            }
            double[] inv = dev.mixem.math.Linalg.inverseFromCholesky(dev.mixem.math.Linalg.choleskyLower(soo, 0, m), 0, m);
            for (int j = 0; j < D; j++) {
                if (!Double.isNaN(xi[j])) {
                    assertEquals(xi[j], out[j * 30 + i], 0.0, "observed cells are kept");
                    continue;
                }
                double want = mu[j];
                for (int a = 0; a < m; a++) {
                    for (int bb = 0; bb < m; bb++) {
                        want += full[j + o[a] * D] * inv[a + bb * m] * uo[bb];
                    }
                }
                // Woodbury and the dense inverse on values of size ~1: 1e-10.
                assertEquals(want, out[j * 30 + i], 1e-10, "row " + i + ", cell " + j);
            }
        }
    }

    @Test
    void codecRoundTripIsExact() {
        GaussianParams p = SyntheticMixture.random(CovarianceType.FACTOR, 3, 2, 5, 3.0, 11);
        ObjectNode node = new ObjectMapper().createObjectNode();
        GaussianCodec.INSTANCE.write(p, node);
        GaussianParams back = GaussianCodec.INSTANCE.read("factor", node);
        assertEquals(3, back.factors());
        assertArrayEquals(p.covariances(), back.covariances(), 0.0);
        assertArrayEquals(p.means(), back.means(), 0.0);
        assertArrayEquals(p.weights(), back.weights(), 0.0);
        node.put("factors", 5);
        assertThrows(IllegalArgumentException.class, () -> GaussianCodec.INSTANCE.read("factor", node));
    }

    @Test
    void factorNeedsItsNumberOfFactors() {
        assertThrows(IllegalArgumentException.class, () -> new FitConfig(2, CovarianceType.FACTOR,
                InitMethod.KMEANS_PLUS_PLUS, 1, 10, 1e-3, 1e-6, 0));
        assertThrows(IllegalArgumentException.class, () -> new FitConfig(2, CovarianceType.DIAG,
                InitMethod.KMEANS_PLUS_PLUS, 1, 10, 1e-3, 1e-6, 0,
                MethodOptions.defaults(FitMethod.EM, Double.POSITIVE_INFINITY), 2));
        // Free parameters: k-1 weights, k·d means, k·(d + d·q - q(q-1)/2).
        GaussianParams p = SyntheticMixture.random(CovarianceType.FACTOR, 3, 2, 5, 3.0, 11);
        assertEquals(1 + 10 + 2 * (5 + 15 - 3), p.freeParameters());
    }

    public static double[][] readCsv(String resource) throws IOException {
        try (InputStream in = FactorAnalyzersTest.class.getResourceAsStream(resource)) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            List<double[]> rows = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                if (!lines[i].isBlank()) {
                    rows.add(Arrays.stream(lines[i].split(",")).mapToDouble(Double::parseDouble).toArray());
                }
            }
            return rows.toArray(new double[0][]);
        }
    }

    /**
     * k=1 is factor analysis. scikit-learn's FactorAnalysis maximizes the same likelihood by another algorithm
     * (SVD iterations, noise variances floored at 1e-12); mixem's EM runs to a change below 1e-12 per iteration
     * with reg-covar 1e-10, so both sit at the maximum: the 1e-4 relative on the mean log-likelihood, and
     * the uniquenesses (identified, unlike the loadings) within 1e-3 of the features' unit variances.
     */
    @TestFactory
    List<DynamicTest> kOneIsScikitLearnsFactorAnalysis() throws IOException {
        JsonNode ref = new ObjectMapper().readTree(getClass().getResourceAsStream("/reference/factor-reference.json"));
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : ref.get("cases")) {
            int q = c.get("factors").asInt();
            String name = c.get("dataset").asText() + " q=" + q;
            tests.add(DynamicTest.dynamicTest(name, () -> {
                double[][] x = readCsv("/reference/" + c.get("dataset").asText() + ".csv");
                assertEquals(c.get("rows").asInt(), x.length);
                FitConfig cfg = new FitConfig(1, CovarianceType.FACTOR, InitMethod.KMEANS_PLUS_PLUS, 1, 100_000,
                        1e-12, 1e-10, 0, MethodOptions.defaults(FitMethod.EM, Double.POSITIVE_INFINITY), q);
                FitResult<GaussianParams> fit = new EmFitter(FitListener.NONE).fit(LocalBlockSource.of(x, null, 256), cfg);
                double want = c.get("avgLogLikelihood").asDouble();
                assertEquals(want, fit.avgLogLikelihood(), 1e-4 * Math.abs(want), name);
                double[] psi = fit.params().uniquenesses(0);
                for (int j = 0; j < psi.length; j++) {
                    assertEquals(c.get("noiseVariance").get(j).asDouble(), psi[j], 1e-3, name + ": uniqueness " + j);
                }
            }));
        }
        return tests;
    }
}
