package dev.mixem.family;

import dev.mixem.config.CovarianceType;
import dev.mixem.math.RowBlock;
import dev.mixem.stats.GaussianStats;
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
        new GaussianEStep(1, d, true).accumulateNearest(reference, RowBlock.ofRows(x, null, 0), s);
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
        for (CovarianceType type : CovarianceType.values()) {
            GaussianStats s = GaussianStats.empty(1, 2, type);
            new GaussianEStep(1, 2, type == CovarianceType.FULL).accumulateNearest(ref, RowBlock.ofRows(x, null, 0), s);
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
        new GaussianEStep(3, 2, true).accumulateNearest(centers, RowBlock.ofRows(x, null, 0), s);
        GaussianMStep.Result r = GaussianMStep.update(s, centers, CovarianceType.FULL, 1e-6);
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
        new GaussianEStep(1, 2, true).accumulateNearest(ref, RowBlock.ofRows(x, null, 0), s);
        NumericalException e = org.junit.jupiter.api.Assertions.assertThrows(NumericalException.class,
                () -> GaussianMStep.update(s, ref, CovarianceType.FULL, 0.0));
        assertEquals(true, e.getMessage().contains("--reg-covar"));
        // With the default regularization the same rows give a valid model.
        assertEquals(1, GaussianMStep.update(s, ref, CovarianceType.FULL, 1e-6).params().k());
    }
}
