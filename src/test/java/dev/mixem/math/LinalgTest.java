package dev.mixem.math;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class LinalgTest {

    static double[] randomSpd(int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] a = new double[d * d];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.nextGaussian();
        }
        double[] s = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double v = 0;
                for (int t = 0; t < d; t++) {
                    v += a[i + t * d] * a[j + t * d];
                }
                s[i + j * d] = v + (i == j ? d : 0);
            }
        }
        return s;
    }

    @Test
    void choleskyRoundTrips() {
        int d = 6;
        double[] a = randomSpd(d, 11);
        double[] l = Linalg.choleskyLower(a, 0, d);
        assertNotNull(l);
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double v = 0;
                for (int t = 0; t < d; t++) {
                    v += l[i + t * d] * l[j + t * d];
                }
                // Cholesky is backward stable: |L Lᵀ - A| ≤ c d eps |A|; entries are O(d), 1e-12 leaves room.
                assertEquals(a[i + j * d], v, 1e-12 * d * d);
                if (j > i) {
                    assertEquals(0.0, l[i + j * d]);
                }
            }
        }
    }

    @Test
    void triangularSolveInvertsTheFactor() {
        int d = 5;
        int n = 9;
        double[] a = randomSpd(d, 5);
        double[] l = Linalg.choleskyLower(a, 0, d);
        SplittableRandom rng = new SplittableRandom(1);
        double[] y = new double[n * d];
        for (int i = 0; i < y.length; i++) {
            y[i] = rng.nextGaussian();
        }
        // X = Y Lᵀ, then solve X' Lᵀ = X: must give back Y.
        double[] x = new double[n * d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double v = 0;
                for (int t = 0; t <= j; t++) {
                    v += y[i + t * n] * l[j + t * d];
                }
                x[i + j * n] = v;
            }
        }
        Linalg.blas().dtrsm("R", "L", "T", "N", n, d, 1.0, l, 0, d, x, 0, n);
        for (int i = 0; i < y.length; i++) {
            // Well-conditioned factor (A has d added to its diagonal): errors near eps.
            assertEquals(y[i], x[i], 1e-12);
        }
    }

    @Test
    void logDeterminantOfDiagonal() {
        double[] a = {4, 0, 0, 0, 9, 0, 0, 0, 0.25};
        double[] l = Linalg.choleskyLower(a, 0, 3);
        assertEquals(Math.log(4 * 9 * 0.25), Linalg.logDetFromCholesky(l, 0, 3), 1e-14);
    }

    @Test
    void rejectsMatricesThatAreNotPositiveDefinite() {
        assertNull(Linalg.choleskyLower(new double[]{1, 2, 2, 1}, 0, 2));
        assertNull(Linalg.choleskyLower(new double[]{0, 0, 0, 0}, 0, 2));
    }
}
