package dev.mixem.family.gaussian;

import dev.mixem.family.NumericalException;

import dev.mixem.config.CovarianceType;
import dev.mixem.math.RowBlock;
import dev.mixem.family.gaussian.GaussianStats;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GaussianEStepTest {

    static RowBlock randomBlock(int n, int d, long seed, double scale) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] rows = new double[n][d];
        for (double[] r : rows) {
            for (int j = 0; j < d; j++) {
                r[j] = scale * rng.nextGaussian();
            }
        }
        return RowBlock.ofRows(rows, null, 0);
    }

    @ParameterizedTest
    @EnumSource(value = CovarianceType.class, names = "FACTOR", mode = EnumSource.Mode.EXCLUDE)
    void logJointMatchesTheDirectFormula(CovarianceType type) {
        int k = 3;
        int d = 4;
        GaussianParams p = SyntheticMixture.random(type, k, d, 3.0, 42);
        RowBlock b = randomBlock(13, d, 7, 3.0);
        double[] out = new double[b.rows * k];
        new dev.mixem.family.EStep<>(p.scorer()).logJoint(b, out);
        double[] x = new double[d];
        for (int i = 0; i < b.rows; i++) {
            b.row(i, x);
            for (int c = 0; c < k; c++) {
                double[] cov = p.covarianceMatrix(c);
                double expected = Math.log(p.weight(c)) + DirectGaussian.logDensity(x, p.mean(c), cov, d);
                // Both sides are O(10-100) in magnitude; Cholesky and Gauss-Jordan differ by a few ulps of
                // the condition number (covariance eigenvalues in [0.25, 1]: cond ≤ 4), so 1e-10 is ample.
                assertEquals(expected, out[i + c * b.rows], 1e-10 * Math.max(1, Math.abs(expected)));
            }
        }
    }

    @Test
    void posteriorSumsToOneAndLogLikelihoodIsTheMixtureDensity() {
        int k = 4;
        int d = 3;
        GaussianParams p = SyntheticMixture.random(CovarianceType.FULL, k, d, 2.0, 9);
        RowBlock b = randomBlock(20, d, 1, 2.0);
        double[] resp = new double[b.rows * k];
        double[] ll = new double[b.rows];
        new dev.mixem.family.EStep<>(p.scorer()).posterior(b, resp, ll);
        double[] x = new double[d];
        for (int i = 0; i < b.rows; i++) {
            double s = 0;
            for (int c = 0; c < k; c++) {
                s += resp[i + c * b.rows];
            }
            assertEquals(1.0, s, 1e-14 * k);
            b.row(i, x);
            double direct = 0;
            for (int c = 0; c < k; c++) {
                direct += p.weight(c) * Math.exp(DirectGaussian.logDensity(x, p.mean(c), p.covariance(c), d));
            }
            // In linear space the direct sum is fine here (densities are far from underflow at scale 2).
            assertEquals(Math.log(direct), ll[i], 1e-10 * Math.max(1, Math.abs(ll[i])));
        }
    }

    @Test
    void farRowsStayInLogSpace() {
        // A row 1e3 standard deviations from every mean: its density is exp(-5e5), zero in linear space,
        // but its log-likelihood and responsibilities are finite.
        GaussianParams p = SyntheticMixture.random(CovarianceType.FULL, 2, 2, 2.0, 3);
        RowBlock b = RowBlock.ofRows(new double[][]{{1e3, -1e3}}, null, 0);
        double[] resp = new double[2];
        double[] ll = new double[1];
        new dev.mixem.family.EStep<>(p.scorer()).posterior(b, resp, ll);
        assertEquals(1.0, resp[0] + resp[1], 1e-15);
        assertEquals(true, Double.isFinite(ll[0]) && ll[0] < -1e5);
    }

    @Test
    void overflowingRowsFailClearly() {
        GaussianParams p = SyntheticMixture.random(CovarianceType.DIAG, 2, 2, 2.0, 3);
        RowBlock b = RowBlock.ofRows(new double[][]{{1e300, 1e300}}, null, 0);
        NumericalException e = assertThrows(NumericalException.class,
                () -> new dev.mixem.family.EStep<>(p.scorer()).posterior(b, new double[2], new double[1]));
        assertEquals(true, e.getMessage().contains("too extreme"));
    }

    @Test
    void nearestCenterAssignsEveryRowToItsClosestCenter() {
        double[] centers = {0, 0, 10, 10};
        RowBlock b = RowBlock.ofRows(new double[][]{{1, 1}, {9, 9}, {2, -1}, {11, 12}}, null, 0);
        GaussianStats s = GaussianStats.empty(2, 2, CovarianceType.FULL);
        new dev.mixem.init.NearestCenterPass.Assigner(centers, 2, 2, CovarianceType.FULL).add(b, s);
        assertEquals(2.0, s.resp[0]);
        assertEquals(2.0, s.resp[1]);
        // Σ (x - c) over the rows of each center: (1+2, 1-1) and (-1+1, -1+2).
        assertEquals(3.0, s.first[0], 1e-15);
        assertEquals(0.0, s.first[1], 1e-15);
        assertEquals(0.0, s.first[2], 1e-15);
        assertEquals(1.0, s.first[3], 1e-15);
    }
}
