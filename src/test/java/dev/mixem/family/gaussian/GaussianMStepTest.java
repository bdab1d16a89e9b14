package dev.mixem.family.gaussian;

import dev.mixem.family.MixtureFamily;

import dev.mixem.family.NumericalException;

import dev.mixem.config.CovarianceType;
import dev.mixem.math.RowBlock;
import dev.mixem.family.gaussian.GaussianStats;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GaussianMStepTest {

    @Test
    void oneComponentGivesTheTwoPassSampleMeanAndCovariance() {
        int n = 400;
        int d = 3;
        SplittableRandom rng = new SplittableRandom(2);
        double[][] x = new double[n][d];
        for (double[] r : x) {
            for (int j = 0; j < d; j++) {
                r[j] = 5 + rng.nextGaussian() * (j + 1) + (j > 0 ? r[0] : 0);
            }
        }
        double[] reference = {-3, 100, 7}; // any fixed reference: the statistics are centred on it
        GaussianStats s = GaussianStats.empty(1, d, CovarianceType.FULL);
        new dev.mixem.init.NearestCenterPass.Assigner(reference, 1, d, dev.mixem.config.CovarianceType.FULL).add(RowBlock.ofRows(x, null, 0), s);
        GaussianParams p = GaussianMStep.update(s, reference, CovarianceType.FULL, 0.0).params();
        double[] mean = new double[d];
        for (double[] r : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += r[j] / n;
            }
        }
        double[] cov = p.covariance(0);
        for (int a = 0; a < d; a++) {
            assertEquals(mean[a], p.mean(0)[a], 1e-12 * 100);
            for (int b = 0; b < d; b++) {
                double c = 0;
                for (double[] r : x) {
                    c += (r[a] - mean[a]) * (r[b] - mean[b]) / n;
                }
                // Entries are O(1-10); the parallel-axis correction is O(100²) here because the reference
                // is ~100 away, so allow 1e-9 relative (cancellation of about 1e4).
                assertEquals(c, cov[a + b * d], 1e-9 * Math.max(1, Math.abs(c)));
            }
        }
    }

    @Test
    void regCovarIsAddedToTheDiagonal() {
        double[][] x = {{0, 0}, {2, 0}, {0, 2}, {2, 2}};
        double[] ref = {1, 1};
        for (CovarianceType type : CovarianceType.WITHOUT_FACTORS) {
            GaussianStats s = GaussianStats.empty(1, 2, type);
            new dev.mixem.init.NearestCenterPass.Assigner(ref, 1, 2, type).add(RowBlock.ofRows(x, null, 0), s);
            GaussianParams p = GaussianMStep.update(s, ref, type, 0.5).params();
            // Population variance of {0, 2} is 1; plus 0.5.
            assertEquals(1.5, p.variances(0)[0], 1e-15);
            assertEquals(1.5, p.variances(0)[1], 1e-15);
        }
    }

    @Test
    void emptyComponentIsDroppedAndWeightsRenormalized() {
        double[][] x = {{0, 0}, {1, 0}, {0, 1}, {10, 10}, {11, 10}, {10, 11}};
        double[] centers = {0, 0, 10, 10, 1e6, 1e6}; // the third center gets no row
        GaussianStats s = GaussianStats.empty(3, 2, CovarianceType.FULL);
        new dev.mixem.init.NearestCenterPass.Assigner(centers, 3, 2, dev.mixem.config.CovarianceType.FULL).add(RowBlock.ofRows(x, null, 0), s);
        MixtureFamily.Update<GaussianParams> r = GaussianMStep.update(s, centers, CovarianceType.FULL, 1e-6);
        assertEquals(java.util.List.of(2), r.dropped());
        assertEquals(2, r.params().k());
        assertEquals(0.5, r.params().weight(0), 1e-15);
        assertEquals(0.5, r.params().weight(1), 1e-15);
    }

    @Test
    void singularCovarianceWithoutRegularizationFailsClearly() {
        // Two rows: a rank-1 covariance [[1, 2], [2, 4]], exact in binary, so Cholesky meets a zero pivot.
        double[][] x = {{0, 0}, {2, 4}};
        double[] ref = {1, 2};
        GaussianStats s = GaussianStats.empty(1, 2, CovarianceType.FULL);
        new dev.mixem.init.NearestCenterPass.Assigner(ref, 1, 2, dev.mixem.config.CovarianceType.FULL).add(RowBlock.ofRows(x, null, 0), s);
        NumericalException e = org.junit.jupiter.api.Assertions.assertThrows(NumericalException.class,
                () -> GaussianMStep.update(s, ref, CovarianceType.FULL, 0.0));
        assertEquals(true, e.getMessage().contains("--reg-covar"));
        // With the default regularization the same rows give a valid model.
        assertEquals(1, GaussianMStep.update(s, ref, CovarianceType.FULL, 1e-6).params().k());
    }

    /**
     * The auxiliary function against its definition, Σ_i Σ_k w_i r_ik log(w_k N(x_i; μ_k, Σ_k)) / W with the
     * responsibilities of θ_t, for another θ; and the inequality EM rests on,
     * LL(θ) - LL(θ_t) ≥ Q(θ | θ_t) - Q(θ_t | θ_t), for random θ (Jensen's inequality, exact in real numbers).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = CovarianceType.class, names = "FACTOR", mode = org.junit.jupiter.params.provider.EnumSource.Mode.EXCLUDE)
    void auxiliaryFunctionMatchesItsDefinitionAndBoundsTheLikelihood(CovarianceType type) {
        int k = 3;
        int d = 3;
        GaussianParams current = SyntheticMixture.random(type, k, d, 2.0, 1);
        RowBlock b = GaussianEStepTest.randomBlock(200, d, 4, 2.5);
        GaussianStats s = GaussianStats.empty(k, d, type);
        new dev.mixem.family.EStep<>(current.scorer()).accumulate(b, s);
        double[] resp = new double[b.rows * k];
        double[] ll = new double[b.rows];
        new dev.mixem.family.EStep<>(current.scorer()).posterior(b, resp, ll);
        double qCurrent = GaussianMStep.auxiliary(s, current.means(), current);
        for (long seed = 10; seed < 16; seed++) {
            GaussianParams other = SyntheticMixture.random(type, k, d, 2.0, seed);
            double direct = 0;
            double[] x = new double[d];
            for (int i = 0; i < b.rows; i++) {
                b.row(i, x);
                for (int c = 0; c < k; c++) {
                    double[] cov = other.covarianceMatrix(c);
                    direct += resp[i + c * b.rows]
                            * (Math.log(other.weight(c)) + DirectGaussian.logDensity(x, other.mean(c), cov, d));
                }
            }
            direct /= b.rows;
            double q = GaussianMStep.auxiliary(s, current.means(), other);
            // Sums of 600 terms of size ~10 computed two ways: 1e-10 relative is ample.
            assertEquals(direct, q, 1e-10 * Math.abs(direct));
            GaussianStats so = GaussianStats.empty(k, d, type);
            new dev.mixem.family.EStep<>(other.scorer()).accumulate(b, so);
            double llChange = so.avgLogLikelihood() - s.avgLogLikelihood();
            org.junit.jupiter.api.Assertions.assertTrue(llChange >= q - qCurrent - 1e-12,
                    "LL change " + llChange + " below the bound " + (q - qCurrent));
        }
    }
}
