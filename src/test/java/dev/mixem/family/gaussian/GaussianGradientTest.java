package dev.mixem.family.gaussian;

import dev.mixem.config.CovarianceType;
import dev.mixem.math.RowBlock;
import dev.mixem.family.gaussian.GaussianStats;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The gradient from E-step statistics against finite differences of the log-likelihood, in every coordinate. */
class GaussianGradientTest {

    static double meanLogLikelihood(double[] v, CovarianceType type, int k, int d, RowBlock b) {
        GaussianParams p = GaussianGradient.fromVector(v, type, k, d);
        GaussianStats s = GaussianStats.empty(k, d, type);
        new dev.mixem.family.EStep<>(p.scorer()).accumulate(b, s);
        return s.avgLogLikelihood();
    }

    @ParameterizedTest
    @EnumSource(value = CovarianceType.class, names = "FACTOR", mode = EnumSource.Mode.EXCLUDE)
    void gradientMatchesFiniteDifferences(CovarianceType type) {
        int k = 3;
        int d = 4;
        for (long seed = 1; seed <= 3; seed++) {
            // Random parameters, moved off the sampler's own structure by random coordinates.
            double[] v = GaussianGradient.toVector(SyntheticMixture.random(type, k, d, 1.5, seed));
            SplittableRandom rng = new SplittableRandom(seed);
            for (int i = 0; i < v.length; i++) {
                v[i] += 0.3 * rng.nextGaussian();
            }
            RowBlock complete = GaussianEStepTest.randomBlock(150, d, seed + 10, 2.0);
            // Some missing cells too: the gradient is then that of the observed-data log-likelihood.
            RowBlock b = seed == 3 ? MissingCellsTest.withMissing(complete, 0.25, seed) : complete;
            GaussianParams p = GaussianGradient.fromVector(v, type, k, d);
            GaussianStats s = GaussianStats.empty(k, d, type);
            new dev.mixem.family.EStep<>(p.scorer()).accumulate(b, s);
            double[] g = GaussianGradient.gradient(s, p);
            for (int i = 0; i < v.length; i++) {
                double h = 1e-5;
                double[] plus = v.clone();
                double[] minus = v.clone();
                plus[i] += h;
                minus[i] -= h;
                double numeric = (meanLogLikelihood(plus, type, k, d, b) - meanLogLikelihood(minus, type, k, d, b)) / (2 * h);
                // Central differences: truncation O(h²)·|f'''| ≈ 1e-10, rounding ≈ eps·|f|/h ≈ 1e-10 for |f| ≈ 10;
                // 1e-6 relative (at least 1e-7 absolute) leaves two orders of margin.
                assertEquals(numeric, g[i], Math.max(1e-7, 1e-6 * Math.abs(numeric)),
                        type + " seed " + seed + " coordinate " + i);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = CovarianceType.class, names = "FACTOR", mode = EnumSource.Mode.EXCLUDE)
    void coordinatesRoundTrip(CovarianceType type) {
        GaussianParams p = SyntheticMixture.random(type, 3, 5, 2.0, 7);
        GaussianParams back = GaussianGradient.fromVector(GaussianGradient.toVector(p), type, 3, 5);
        // Through a Cholesky factor of the precision and back: a few ulps of the condition number (≤ 4).
        assertArrayEquals(p.weights(), back.weights(), 1e-14);
        assertArrayEquals(p.means(), back.means(), 0.0);
        assertArrayEquals(p.covariances(), back.covariances(), 1e-13);
    }
}
