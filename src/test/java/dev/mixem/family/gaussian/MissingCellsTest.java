package dev.mixem.family.gaussian;

import dev.mixem.config.CovarianceType;
import dev.mixem.math.RowBlock;
import dev.mixem.family.gaussian.GaussianStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The missing-value E-step against textbook formulas: marginal densities of the observed coordinates and
 * conditional Gaussian expectations computed with an explicit inverse (Gauss-Jordan, no Cholesky, no
 * patterns), and the gradient of the observed-data log-likelihood by finite differences.
 */
class MissingCellsTest {

    /** A copy of the block with each cell missing with probability {@code fraction} (never a whole row). */
    static RowBlock withMissing(RowBlock b, double fraction, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] v = b.values.clone();
        int n = b.rows;
        for (int i = 0; i < n; i++) {
            int kept = -1;
            int missing = 0;
            for (int j = 0; j < b.dim; j++) {
                if (rng.nextDouble() < fraction) {
                    v[i + j * n] = Double.NaN;
                    missing++;
                } else {
                    kept = j;
                }
            }
            if (kept < 0) {
                v[i] = b.values[i];
            }
        }
        return new RowBlock(n, b.dim, b.firstRow, v, b.weights == null ? null : b.weights.clone());
    }

    /** Expected statistics and log-likelihood, row by row, with explicit inverses. */
    static GaussianStats direct(GaussianParams p, RowBlock b) {
        int k = p.k();
        int d = p.dim();
        GaussianStats s = GaussianStats.empty(k, d, p.type());
        double[] x = new double[d];
        for (int i = 0; i < b.rows; i++) {
            b.row(i, x);
            int no = 0;
            for (double v : x) {
                no += Double.isNaN(v) ? 0 : 1;
            }
            int[] obs = new int[no];
            int[] mis = new int[d - no];
            for (int j = 0, a = 0, t = 0; j < d; j++) {
                if (Double.isNaN(x[j])) {
                    mis[a++] = j;
                } else {
                    obs[t++] = j;
                }
            }
            double[] logJoint = new double[k];
            double[][] xhat = new double[k][];
            double[][] cond = new double[k][];
            for (int c = 0; c < k; c++) {
                double[] cov = fullCovariance(p, c);
                double[] mu = p.mean(c);
                double[] soo = sub(cov, d, obs, obs);
                double[] xo = new double[no];
                double[] muo = new double[no];
                for (int t = 0; t < no; t++) {
                    xo[t] = x[obs[t]];
                    muo[t] = mu[obs[t]];
                }
                logJoint[c] = Math.log(p.weight(c)) + (no == 0 ? 0 : DirectGaussian.logDensity(xo, muo, soo, no));
                double[] inv = no == 0 ? new double[0] : DirectGaussian.inverse(soo, no);
                double[] smo = sub(cov, d, mis, obs);
                xhat[c] = x.clone();
                for (int a = 0; a < mis.length; a++) {
                    double v = mu[mis[a]];
                    for (int t = 0; t < no; t++) {
                        for (int u = 0; u < no; u++) {
                            v += smo[a + t * mis.length] * inv[t + u * no] * (xo[u] - muo[u]);
                        }
                    }
                    xhat[c][mis[a]] = v;
                }
                cond[c] = new double[d * d];
                for (int a = 0; a < mis.length; a++) {
                    for (int bb = 0; bb < mis.length; bb++) {
                        double v = cov[mis[a] + mis[bb] * d];
                        for (int t = 0; t < no; t++) {
                            for (int u = 0; u < no; u++) {
                                v -= smo[a + t * mis.length] * inv[t + u * no] * smo[bb + u * mis.length];
                            }
                        }
                        cond[c][mis[a] + mis[bb] * d] = v;
                    }
                }
            }
            double max = Double.NEGATIVE_INFINITY;
            for (double v : logJoint) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : logJoint) {
                sum += Math.exp(v - max);
            }
            double lse = max + Math.log(sum);
            double w = b.weight(i);
            s.logLikelihood += w * lse;
            s.weight += w;
            s.rows++;
            for (int c = 0; c < k; c++) {
                double r = w * Math.exp(logJoint[c] - lse);
                double[] mu = p.mean(c);
                s.resp[c] += r;
                for (int a = 0; a < d; a++) {
                    double ea = xhat[c][a] - mu[a];
                    s.first[c * d + a] += r * ea;
                    if (p.type().matrix()) {
                        for (int bb = 0; bb <= a; bb++) {
                            s.second[c * s.stride + a + bb * d] += r * (ea * (xhat[c][bb] - mu[bb]) + cond[c][a + bb * d]);
                        }
                    } else {
                        s.second[c * d + a] += r * (ea * ea + cond[c][a + a * d]);
                    }
                }
            }
        }
        return s;
    }

    static double[] fullCovariance(GaussianParams p, int c) {
        return p.covarianceMatrix(c);
    }

    private static double[] sub(double[] m, int d, int[] rows, int[] cols) {
        double[] out = new double[rows.length * cols.length];
        for (int a = 0; a < rows.length; a++) {
            for (int bb = 0; bb < cols.length; bb++) {
                out[a + bb * rows.length] = m[rows[a] + cols[bb] * d];
            }
        }
        return out;
    }

    private static GaussianStats estep(GaussianParams p, RowBlock b) {
        GaussianStats s = GaussianStats.empty(p.k(), p.dim(), p.type());
        new dev.mixem.family.EStep<>(p.scorer()).accumulate(b, s);
        return s;
    }

    /** |a - b| ≤ tol · max(1, |b|), elementwise. */
    private static void assertClose(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * Math.max(1, Math.abs(expected[i])), what + "[" + i + "]");
        }
    }

    @ParameterizedTest
    @EnumSource(value = CovarianceType.class, names = "FACTOR", mode = EnumSource.Mode.EXCLUDE)
    void statisticsAreTheConditionalExpectations(CovarianceType type) {
        int k = 3;
        int d = 5;
        GaussianParams p = SyntheticMixture.random(type, k, d, 2.5, 17);
        RowBlock complete = GaussianEStepTest.randomBlock(60, d, 4, 2.5);
        double[] w = new double[60];
        SplittableRandom rng = new SplittableRandom(2);
        for (int i = 0; i < w.length; i++) {
            w[i] = 0.5 + rng.nextDouble();
        }
        RowBlock weighted = new RowBlock(60, d, 0, complete.values, w);
        RowBlock b = withMissing(weighted, 0.35, 8);
        assertTrue(b.missing > 0);
        GaussianStats expected = direct(p, b);
        GaussianStats viaCovariance = estep(p, b);
        // The same rows with patterns of fewer missing than observed cells factored through the precision
        // (a Schur complement), the route used from PRECISION_ROUTE_MIN_DIM dimensions on.
        GaussianStats viaPrecision = GaussianStats.empty(k, d, type);
        new dev.mixem.family.EStep<>(withMissingKernel(p.scorer(),
                () -> type.matrix() ? new MissingFullKernel(p.scorer(), 0) : p.scorer().missingKernel()))
                .accumulate(b, viaPrecision);
        for (GaussianStats actual : java.util.List.of(viaCovariance, viaPrecision)) {
            // The two sides differ only by rounding: Cholesky against Gauss-Jordan on covariances with
            // eigenvalues in [0.25, 1] (condition ≤ 4) and sums of 60 terms, far inside 1e-9 relative.
            assertEquals(expected.logLikelihood, actual.logLikelihood, 1e-9 * Math.abs(expected.logLikelihood));
            assertEquals(expected.weight, actual.weight, 1e-12 * expected.weight);
            assertEquals(expected.rows, actual.rows);
            assertClose(expected.resp, actual.resp, 1e-9, "resp");
            assertClose(expected.first, actual.first, 1e-9, "first");
            assertClose(expected.second, actual.second, 1e-9, "second");
        }
    }

    @Test
    void thePrecisionRouteImputesTheConditionalMean() {
        int k = 2;
        int d = 4;
        GaussianParams p = SyntheticMixture.random(CovarianceType.FULL, k, d, 2.0, 41);
        RowBlock b = withMissing(GaussianEStepTest.randomBlock(30, d, 2, 2.0), 0.3, 6);
        double[] resp = new double[b.rows * k];
        new dev.mixem.family.EStep<>(p.scorer()).posterior(b, resp, new double[b.rows]);
        double[] viaCovariance = new double[b.rows * d];
        double[] viaPrecision = new double[b.rows * d];
        new MissingFullKernel(p.scorer()).impute(b, resp, viaCovariance);
        new MissingFullKernel(p.scorer(), 0).impute(b, resp, viaPrecision);
        assertClose(viaCovariance, viaPrecision, 1e-10, "imputed");
    }

    @ParameterizedTest
    @EnumSource(value = CovarianceType.class, names = "FACTOR", mode = EnumSource.Mode.EXCLUDE)
    void completeRowsGiveTheCompleteDataStatistics(CovarianceType type) {
        // The missing-value path on a block without missing cells must compute what the complete-data path
        // computes (by other means: per-row substitution instead of blocked whitening), up to rounding.
        int k = 4;
        int d = 6;
        GaussianParams p = SyntheticMixture.random(type, k, d, 3.0, 5);
        RowBlock b = GaussianEStepTest.randomBlock(300, d, 11, 3.0);
        GaussianStats fast = estep(p, b);
        GaussianStats general = GaussianStats.empty(k, d, type);
        // The scorer's missing-cell kernel, given the complete block.
        GaussianScorer sc = p.scorer();
        new dev.mixem.family.EStep<>(withCompleteKernel(sc, sc::missingKernel)).accumulate(b, general);
        assertEquals(fast.logLikelihood, general.logLikelihood, 1e-10 * Math.abs(fast.logLikelihood));
        assertClose(fast.resp, general.resp, 1e-10, "resp");
        assertClose(fast.first, general.first, 1e-9, "first");
        assertClose(fast.second, general.second, 1e-9, "second");
    }

    @Test
    void aRowWithNothingObservedCarriesNoLikelihood() {
        GaussianParams p = SyntheticMixture.random(CovarianceType.FULL, 2, 3, 2.0, 1);
        RowBlock b = RowBlock.ofRows(new double[][]{{Double.NaN, Double.NaN, Double.NaN}, {0.5, Double.NaN, 1}},
                null, 0);
        GaussianStats s = estep(p, b);
        GaussianStats ref = direct(p, b);
        assertEquals(ref.logLikelihood, s.logLikelihood, 1e-12 * Math.abs(ref.logLikelihood));
        // p(nothing observed) = 1: the first row's posterior is the prior, its conditional mean the mean.
        double[] resp = new double[4];
        double[] ll = new double[2];
        new dev.mixem.family.EStep<>(p.scorer()).posterior(b, resp, ll);
        // log Σ_c w_c = log 1, up to the rounding of the weights and of exp/log.
        assertEquals(0.0, ll[0], 1e-15);
        assertEquals(p.weight(0), resp[0], 1e-15);
    }

    /**
     * Fisher's identity: the gradient of the observed-data log-likelihood equals the expected gradient of
     * the complete-data log-likelihood, which is a function of the statistics:
     * ∂/∂μ_c = Σ_c⁻¹ first_c and ∂/∂Σ_c = ½ Σ_c⁻¹ (S_c - N_c Σ_c) Σ_c⁻¹ with S_c the full second moment.
     * Central finite differences of the directly computed observed-data log-likelihood must agree; this
     * ties the reported log-likelihood and the statistics to the same model.
     */
    @Test
    void statisticsAreTheGradientOfTheObservedLogLikelihood() {
        int k = 2;
        int d = 4;
        GaussianParams p = SyntheticMixture.random(CovarianceType.FULL, k, d, 1.5, 23);
        RowBlock b = withMissing(GaussianEStepTest.randomBlock(40, d, 6, 2.0), 0.3, 9);
        GaussianStats s = estep(p, b);
        for (int c = 0; c < k; c++) {
            double[] cov = p.covariance(c);
            double[] inv = DirectGaussian.inverse(cov, d);
            double n = s.resp[c];
            double[] full = new double[d * d];
            for (int a = 0; a < d; a++) {
                for (int bb = 0; bb <= a; bb++) {
                    full[a + bb * d] = s.second[c * d * d + a + bb * d];
                    full[bb + a * d] = full[a + bb * d];
                }
            }
            for (int a = 0; a < d; a++) {
                double analytic = 0;
                for (int j = 0; j < d; j++) {
                    analytic += inv[a + j * d] * s.first[c * d + j];
                }
                int ca = c;
                int aa = a;
                double numeric = derivative(h -> observedLogLikelihood(shiftMean(p, ca, aa, h), b));
                // Central differences with h = 1e-5 on a sum of 40 log-densities: truncation O(h²) ≈ 1e-10
                // and rounding ≈ 1e-16·|LL|/h ≈ 1e-9, so 1e-6 relative (at least 1e-6 absolute) is safe.
                assertEquals(analytic, numeric, 1e-6 * Math.max(1, Math.abs(analytic)), "mean " + c + "," + a);
            }
            // G = ½ Σ⁻¹ (S - n Σ) Σ⁻¹; a symmetric change of Σ_ab and Σ_ba has derivative G_ab + G_ba.
            double[] m = new double[d * d];
            for (int a = 0; a < d; a++) {
                for (int bb = 0; bb < d; bb++) {
                    m[a + bb * d] = full[a + bb * d] - n * cov[a + bb * d];
                }
            }
            double[] g = multiply(multiply(inv, m, d), inv, d);
            for (int a = 0; a < d; a++) {
                for (int bb = 0; bb <= a; bb++) {
                    double analytic = a == bb ? 0.5 * g[a + a * d] : g[a + bb * d];
                    int ca = c;
                    int aa = a;
                    int bbb = bb;
                    double numeric = derivative(h -> observedLogLikelihood(shiftCovariance(p, ca, aa, bbb, h), b));
                    assertEquals(analytic, numeric, 1e-6 * Math.max(1, Math.abs(analytic)),
                            "covariance " + c + "," + a + "," + bb);
                }
            }
        }
    }

    private static double derivative(java.util.function.DoubleUnaryOperator f) {
        double h = 1e-5;
        return (f.applyAsDouble(h) - f.applyAsDouble(-h)) / (2 * h);
    }

    private static double observedLogLikelihood(GaussianParams p, RowBlock b) {
        return direct(p, b).logLikelihood;
    }

    private static GaussianParams shiftMean(GaussianParams p, int c, int a, double h) {
        double[] means = p.means();
        means[c * p.dim() + a] += h;
        return new GaussianParams(p.type(), p.k(), p.dim(), p.weights(), means, p.covariances());
    }

    private static GaussianParams shiftCovariance(GaussianParams p, int c, int a, int bb, double h) {
        int d = p.dim();
        double[] cov = p.covariances();
        cov[c * d * d + a + bb * d] += h;
        if (a != bb) {
            cov[c * d * d + bb + a * d] += h;
        }
        return new GaussianParams(p.type(), p.k(), d, p.weights(), p.means(), cov);
    }

    private static double[] multiply(double[] x, double[] y, int d) {
        double[] out = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double v = 0;
                for (int t = 0; t < d; t++) {
                    v += x[i + t * d] * y[t + j * d];
                }
                out[i + j * d] = v;
            }
        }
        return out;
    }

    @Test
    void imputationIsTheConditionalMean() {
        int k = 2;
        int d = 3;
        GaussianParams p = SyntheticMixture.random(CovarianceType.FULL, k, d, 2.0, 31);
        RowBlock b = withMissing(GaussianEStepTest.randomBlock(25, d, 3, 2.0), 0.4, 5);
        double[] resp = new double[b.rows * k];
        new dev.mixem.family.EStep<>(p.scorer()).posterior(b, resp, new double[b.rows]);
        double[] out = new double[b.rows * d];
        new GaussianImputer(p.scorer()).impute(b, resp, out);
        for (int i = 0; i < b.rows; i++) {
            RowBlock one = new RowBlock(1, d, 0, rowOf(b, i), null);
            GaussianStats s = direct(p, one);
            for (int j = 0; j < d; j++) {
                double x = b.values[i + j * b.rows];
                // Σ_c r_c x̂_c = Σ_c (first_c + r_c μ_c) for one row of weight 1.
                double expected = Double.isNaN(x) ? 0 : x;
                if (Double.isNaN(x)) {
                    for (int c = 0; c < k; c++) {
                        expected += s.first[c * d + j] + s.resp[c] * p.mean(c)[j];
                    }
                }
                assertEquals(expected, out[i + j * b.rows], 1e-9 * Math.max(1, Math.abs(expected)));
            }
        }
    }

    private static double[] rowOf(RowBlock b, int i) {
        double[] r = new double[b.dim];
        b.row(i, r);
        return r;
    }

    /** The scorer with another missing-cell kernel. */
    static dev.mixem.family.MixtureScorer<GaussianStats> withMissingKernel(
            GaussianScorer s, java.util.function.Supplier<dev.mixem.family.ChunkKernel<GaussianStats>> missing) {
        return new Delegate(s, s::completeKernel, missing);
    }

    /** The scorer with another complete-row kernel. */
    static dev.mixem.family.MixtureScorer<GaussianStats> withCompleteKernel(
            GaussianScorer s, java.util.function.Supplier<dev.mixem.family.ChunkKernel<GaussianStats>> complete) {
        return new Delegate(s, complete, s::missingKernel);
    }

    private record Delegate(GaussianScorer s,
                            java.util.function.Supplier<dev.mixem.family.ChunkKernel<GaussianStats>> complete,
                            java.util.function.Supplier<dev.mixem.family.ChunkKernel<GaussianStats>> missing)
            implements dev.mixem.family.MixtureScorer<GaussianStats> {
        @Override
        public int k() {
            return s.k;
        }

        @Override
        public int dim() {
            return s.d;
        }

        @Override
        public dev.mixem.family.Imputer imputer() {
            return s.imputer();
        }

        @Override
        public GaussianStats emptyStats() {
            return s.emptyStats();
        }

        @Override
        public dev.mixem.family.ChunkKernel<GaussianStats> completeKernel() {
            return complete.get();
        }

        @Override
        public dev.mixem.family.ChunkKernel<GaussianStats> missingKernel() {
            return missing.get();
        }
    }
}
