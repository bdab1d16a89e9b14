package dev.mixem.family.gaussian;

import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.fit.EmFitter;
import dev.mixem.fit.FitListener;
import dev.mixem.fit.FitResult;
import dev.mixem.source.LocalBlockSource;
import dev.mixem.fit.ParameterError;
import dev.mixem.math.RowBlock;
import dev.mixem.family.gaussian.GaussianStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tied and spherical covariance against the structures they constrain: the same model written as full (every
 * component given the tied matrix) or as diag (every feature given the component's variance) scores rows
 * identically, and its statistics are the constrained structure's statistics (tied pools full's second
 * moments; spherical keeps diag's). This checks tied's whiten-once kernel, which shares no code with full's.
 */
class CovarianceStructureTest {

    /** Rows of a mixture far from the origin (|μ| ≈ 1e6, σ ≈ 1), with uneven weights. */
    private static RowBlock offsetRows(GaussianParams p, int n, long seed) {
        SyntheticMixture.Sampler sampler = new SyntheticMixture.Sampler(p);
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] rows = new double[n][p.dim()];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            sampler.draw(rng, rows[i]);
            for (int j = 0; j < p.dim(); j++) {
                rows[i][j] += 1e6;
            }
            w[i] = 0.5 + rng.nextDouble();
        }
        return RowBlock.ofRows(rows, w, 0);
    }

    private static GaussianParams shifted(GaussianParams p, CovarianceType as) {
        int k = p.k();
        int d = p.dim();
        double[] means = p.means();
        for (int i = 0; i < means.length; i++) {
            means[i] += 1e6;
        }
        double[] cov = new double[as.paramLength(k, d)];
        for (int c = 0; c < k; c++) {
            if (as == CovarianceType.FULL) {
                System.arraycopy(p.covarianceMatrix(c), 0, cov, c * d * d, d * d);
            } else if (as == CovarianceType.DIAG) {
                System.arraycopy(p.variances(c), 0, cov, c * d, d);
            }
        }
        if (as == p.type()) {
            cov = p.covariances();
        }
        return new GaussianParams(as, k, d, p.weights(), means, cov);
    }

    private static GaussianStats stats(GaussianParams p, RowBlock b) {
        GaussianStats s = GaussianStats.empty(p.k(), p.dim(), p.type());
        new dev.mixem.family.EStep<>(p.scorer()).accumulate(b, s);
        return s;
    }

    @Test
    void tiedStatisticsArePooledFullStatistics() {
        int k = 4;
        int d = 6;
        GaussianParams truth = SyntheticMixture.random(CovarianceType.TIED, k, d, 4.0, 5);
        // 3000 rows: several chunks of the tied kernel (chunk size 1024 rows at this shape).
        RowBlock b = offsetRows(truth, 3000, 8);
        GaussianStats tied = stats(shifted(truth, CovarianceType.TIED), b);
        GaussianStats full = stats(shifted(truth, CovarianceType.FULL), b);
        // Both sides centre on the means before any product, so the 1e6 offset costs nothing; tied's pooled
        // form subtracts Σ_k (ν t ᵀ + t νᵀ - N ν νᵀ) from Σ w y yᵀ, terms of size N·‖ν‖² ≈ N·16 against a
        // result of size N: about 2 digits of 16 lost, so 1e-9 relative leaves a wide margin.
        assertEquals(full.logLikelihood, tied.logLikelihood, 1e-9 * Math.abs(full.logLikelihood));
        assertEquals(full.weight, tied.weight, 1e-12 * full.weight);
        for (int c = 0; c < k; c++) {
            assertEquals(full.resp[c], tied.resp[c], 1e-9 * full.weight);
            for (int a = 0; a < d; a++) {
                assertEquals(full.first[c * d + a], tied.first[c * d + a], 1e-9 * full.weight, "first");
            }
        }
        for (int bb = 0; bb < d; bb++) {
            for (int a = bb; a < d; a++) {
                double pooled = 0;
                for (int c = 0; c < k; c++) {
                    pooled += full.second[c * d * d + a + bb * d];
                }
                assertEquals(pooled, tied.second[a + bb * d], 1e-9 * full.weight, "second " + a + "," + bb);
            }
        }
    }

    @Test
    void sphericalStatisticsAreDiagStatistics() {
        int k = 3;
        int d = 5;
        GaussianParams truth = SyntheticMixture.random(CovarianceType.SPHERICAL, k, d, 4.0, 6);
        RowBlock b = offsetRows(truth, 2000, 9);
        GaussianStats sph = stats(shifted(truth, CovarianceType.SPHERICAL), b);
        GaussianStats diag = stats(shifted(truth, CovarianceType.DIAG), b);
        // The same kernel on the same precisions: equal to rounding of the log-constants (log det as d·log σ²
        // against a sum of d logs), far inside 1e-12.
        assertEquals(diag.logLikelihood, sph.logLikelihood, 1e-12 * Math.abs(diag.logLikelihood));
        for (int i = 0; i < diag.second.length; i++) {
            assertEquals(diag.second[i], sph.second[i], 1e-12 * diag.weight);
        }
    }

    @ParameterizedTest
    @EnumSource(value = CovarianceType.class, names = {"TIED", "SPHERICAL"})
    void aPlantedMixtureIsRecovered(CovarianceType type) {
        int k = 3;
        int d = 4;
        int n = 30_000;
        GaussianParams truth = SyntheticMixture.random(type, k, d, 5.0, 21);
        SyntheticMixture.Sampler sampler = new SyntheticMixture.Sampler(truth);
        SplittableRandom rng = new SplittableRandom(4);
        double[][] x = new double[n][d];
        for (double[] row : x) {
            sampler.draw(rng, row);
        }
        FitResult<GaussianParams> r = new EmFitter(FitListener.NONE).fit(LocalBlockSource.of(x, null, 1000),
                FitConfig.defaults(k).withCovariance(type, 1e-6).withSeed(2).withNInit(2));
        assertEquals(type, r.params().type());
        ParameterError e = ParameterError.of(truth, r.params());
        // Each component has about 10,000 rows of variance ≤ 1: the standard error of a mean entry is ≤ 0.01 and
        // of a (co)variance entry ≤ 0.015 (√(2/n)); weights ±0.005. Separation 5 makes misassignment rare.
        // Bounds at about 5 standard errors.
        assertTrue(e.means() < 0.05, "means " + e);
        assertTrue(e.covariances() < 0.07, "covariances " + e);
        assertTrue(e.weights() < 0.025, "weights " + e);
        assertEquals(type.freeParameters(k, d), r.params().freeParameters());
    }
}
