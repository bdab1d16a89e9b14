package dev.mixem.fit;

import dev.mixem.source.LocalBlockSource;

import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.math.Linalg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The numerical rows of the README's bad-input table, without Spark: each fit completes with a valid model. */
class NumericalEdgesTest {
    static final double REG = FitConfig.DEFAULT_REG_COVAR;

    static double[][] gaussianRows(int n, int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] x = new double[n][d];
        for (double[] r : x) {
            for (int j = 0; j < d; j++) {
                r[j] = rng.nextGaussian() + (rng.nextBoolean() ? 4 : -4);
            }
        }
        return x;
    }

    static void assertValid(GaussianParams p) {
        for (int c = 0; c < p.k(); c++) {
            for (double v : p.covariance(c)) {
                assertTrue(Double.isFinite(v));
            }
            if (p.type().matrix()) {
                assertTrue(Linalg.choleskyLower(p.covariance(c), 0, p.dim()) != null, "positive definite");
            }
            for (double v : p.variances(c)) {
                assertTrue(v > 0);
            }
        }
    }

    /** Not spherical, whose one variance per component is shared with the other features. */
    @ParameterizedTest
    @EnumSource(value = CovarianceType.class, names = {"SPHERICAL", "FACTOR"}, mode = EnumSource.Mode.EXCLUDE)
    void aConstantColumnGetsVarianceRegCovar(CovarianceType type) {
        double[][] x = gaussianRows(3000, 3, 1);
        for (double[] r : x) {
            r[1] = 7.0;
        }
        FitResult<GaussianParams> r = new EmFitter(FitListener.NONE).fit(LocalBlockSource.of(x, null, 500),
                FitConfig.defaults(2).withCovariance(type, REG).withSeed(3));
        assertValid(r.params());
        assertTrue(Double.isFinite(r.avgLogLikelihood()));
        for (int c = 0; c < r.params().k(); c++) {
            // Σr(x - μ)² is exactly 0 for a constant column, so its variance is reg-covar, up to the rounding of
            // the mean update (δ² ≤ 1e-30).
            assertEquals(REG, r.params().variances(c)[1], 1e-15);
            assertEquals(7.0, r.params().mean(c)[1], 1e-13);
        }
    }

    @Test
    void identicalRowsFitOneComponentAndRefuseTwo() {
        double[][] x = new double[500][2];
        for (double[] r : x) {
            r[0] = 1.5;
            r[1] = -2.0;
        }
        LocalBlockSource src = LocalBlockSource.of(x, null, 128);
        FitResult<GaussianParams> one = new EmFitter(FitListener.NONE).fit(src, FitConfig.defaults(1));
        assertValid(one.params());
        assertEquals(1.5, one.params().mean(0)[0], 0.0);
        assertEquals(REG, one.params().variances(0)[0], 1e-18);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EmFitter(FitListener.NONE).fit(src, FitConfig.defaults(2)));
        assertTrue(e.getMessage().contains("fewer than k = 2 distinct rows"), e.getMessage());
    }

    @Test
    void valuesNear1eMinus300AreBelowRegCovarsScale() {
        double[][] x = gaussianRows(2000, 2, 5);
        for (double[] r : x) {
            r[0] *= 1e-300;
        }
        FitResult<GaussianParams> r = new EmFitter(FitListener.NONE).fit(LocalBlockSource.of(x, null, 500),
                FitConfig.defaults(2).withSeed(1));
        assertValid(r.params());
        assertTrue(Double.isFinite(r.avgLogLikelihood()));
        for (int c = 0; c < 2; c++) {
            // Squares of 1e-300 underflow to 0: the feature's spread is invisible next to reg-covar.
            assertEquals(REG, r.params().variances(c)[0], 1e-18);
        }
    }

    @ParameterizedTest
    @EnumSource(value = CovarianceType.class, names = "FACTOR", mode = EnumSource.Mode.EXCLUDE)
    void aColumnOffsetBy1e12KeepsItsVariance(CovarianceType type) {
        int n = 20_000;
        double[][] x = new double[n][2];
        SplittableRandom rng = new SplittableRandom(9);
        for (double[] r : x) {
            r[0] = 1e12 + rng.nextGaussian();
            r[1] = rng.nextGaussian();
        }
        FitResult<GaussianParams> r = new EmFitter(FitListener.NONE).fit(LocalBlockSource.of(x, null, 1000),
                FitConfig.defaults(1).withCovariance(type, REG).withMaxIter(5, 0.0));
        // Two-pass variance of the same doubles (which hold the offset data to 1.2e-4, their ulp at 1e12), with
        // the mean summed as offsets from 1e12 (exact subtractions), since a plain sum near 2e16 would round
        // each term to ±2.
        double offsetSum = 0;
        for (double[] row : x) {
            offsetSum += row[0] - 1e12;
        }
        double mean = 1e12 + offsetSum / n;
        double var = 0;
        for (double[] row : x) {
            var += (row[0] - mean) * (row[0] - mean);
        }
        var /= n;
        if (type == CovarianceType.SPHERICAL) {
            // One variance for both features: the mean of their variances (column 1's has no offset).
            double mean1 = 0;
            for (double[] row : x) {
                mean1 += row[1];
            }
            mean1 /= n;
            double var1 = 0;
            for (double[] row : x) {
                var1 += (row[1] - mean1) * (row[1] - mean1);
            }
            var = 0.5 * (var + var1 / n);
        }
        // Statistics centred on the previous means subtract numbers within a factor 2 of each other, which is
        // exact: the variance is as accurate as the data allows. What is left is that a mean near 1e12 is
        // itself a double, 6e-5 from the exact mean at worst, which moves a variance around it by up to
        // (6e-5)² ≈ 4e-9 (measured 2.5e-9 between the two): 1e-7 relative. Raw moments would lose every digit
        // (x² ≈ 1e24 against a variance of 1, with eps·1e24 ≈ 2e8).
        assertEquals(var + REG, r.params().variances(0)[0], 1e-7 * var);
        assertEquals(mean, r.params().mean(0)[0], 1e-3);
    }
}
