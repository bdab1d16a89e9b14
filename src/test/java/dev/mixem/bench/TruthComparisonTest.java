package dev.mixem.bench;

import dev.mixem.config.CovarianceType;
import dev.mixem.family.gaussian.GaussianParams;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo's check against the truth: matching, errors in standard errors, and the bound. */
class TruthComparisonTest {

    private static GaussianParams permuted(GaussianParams p, int[] order, double meanShift) {
        int k = p.k();
        int d = p.dim();
        double[] w = new double[k];
        double[] mu = new double[k * d];
        double[] cov = new double[k * d * d];
        for (int c = 0; c < k; c++) {
            int src = order[c];
            w[c] = p.weight(src);
            double[] m = p.mean(src);
            for (int j = 0; j < d; j++) {
                mu[c * d + j] = m[j] + (c == 0 && j == 0 ? meanShift : 0);
            }
            System.arraycopy(p.covarianceMatrix(src), 0, cov, c * d * d, d * d);
        }
        return new GaussianParams(CovarianceType.FULL, k, d, w, mu, cov);
    }

    @Test
    void theTruthItselfIsExactAndComponentsAreMatchedWhateverTheirOrder() {
        for (int k : new int[]{3, 10}) {
            GaussianParams truth = Generator.truth(CovarianceType.FULL, k, 3, 5, 2);
            int[] order = new int[k];
            for (int c = 0; c < k; c++) {
                order[c] = (c * 7 + 3) % k;
            }
            TruthComparison c = TruthComparison.of(truth, permuted(truth, order, 0), 100_000);
            assertEquals(0, c.maxStandardErrors(), 1e-12);
            assertEquals(0, c.maxCovarianceError(), 1e-12);
            assertTrue(c.withinSamplingError());
            int[] inverse = new int[k];
            for (int i = 0; i < k; i++) {
                inverse[order[i]] = i;
            }
            assertArrayEquals(inverse, c.match());
            assertEquals(k * (1 + 3 + 6), c.quantities());
        }
    }

    @Test
    void anErrorOfManyStandardErrorsIsReportedAsSuch() {
        GaussianParams truth = Generator.truth(CovarianceType.FULL, 2, 2, 5, 4);
        long n = 10_000;
        // Ten standard errors of the first mean coordinate of component 0 (permuted order keeps it first).
        double se = Math.sqrt(truth.covarianceMatrix(0)[0] / (n * truth.weight(0)));
        TruthComparison c = TruthComparison.of(truth, permuted(truth, new int[]{0, 1}, 10 * se), n);
        assertEquals(10, c.maxStandardErrors(), 1e-9);
        assertEquals("mean 0 of component 0", c.worst());
        assertFalse(c.withinSamplingError(), c.describe());
        assertTrue(c.describe().contains("NOT within"), c.describe());
    }

    @Test
    void theBoundIsTheOnePercentPointOfTheLargestOfMNormals() {
        // m·P(|Z| > b) = 0.01: m = 1 gives 2.576 (raised to the floor of 3); m = 100 gives 3.891.
        assertEquals(3.0, TruthComparison.bound(1), 1e-9);
        assertEquals(3.8906, TruthComparison.bound(100), 1e-3);
        // P(|Z| > 3) = erfc(3/√2) = 0.0026998.
        assertEquals(0.0026998, TruthComparison.erfc(3 / Math.sqrt(2)), 1e-6);
    }
}
