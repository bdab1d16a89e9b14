package dev.mixem.math;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LogSumExpTest {

    @Test
    void staysFiniteAtExtremeValues() {
        // exp(1000) overflows and exp(-1000) underflows; the shifted form must give max + log 2 exactly
        // up to one rounding of the addition (1e-12 relative is far above that).
        assertEquals(1000 + Math.log(2), LogSumExp.of(new double[]{1000, 1000}, 0, 2), 1e-12 * 1000);
        assertEquals(-1000 + Math.log(2), LogSumExp.of(new double[]{-1000, -1000}, 0, 2), 1e-12 * 1000);
        assertEquals(-745.0, LogSumExp.of(new double[]{-745.0, -2000}, 0, 2), 1e-12 * 745);
    }

    @Test
    void allMinusInfinityGivesMinusInfinity() {
        double[] v = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        assertEquals(Double.NEGATIVE_INFINITY, LogSumExp.of(v, 0, 2));
        double[] out = new double[1];
        LogSumExp.ofRows(v, 1, 2, out, new double[1]);
        assertEquals(Double.NEGATIVE_INFINITY, out[0]);
    }

    @Test
    void rowsAgreeWithScalarForm() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        int rows = 7;
        int cols = 5;
        double[] m = new double[rows * cols];
        for (int i = 0; i < m.length; i++) {
            m[i] = rng.nextDouble(-800, 800);
        }
        m[3] = Double.NEGATIVE_INFINITY;
        double[] out = new double[rows];
        LogSumExp.ofRows(m, rows, cols, out, new double[rows]);
        for (int i = 0; i < rows; i++) {
            double[] row = new double[cols];
            for (int c = 0; c < cols; c++) {
                row[c] = m[i + c * rows];
            }
            // Same operations in the same order: identical results.
            assertEquals(LogSumExp.of(row, 0, cols), out[i], 0.0);
        }
    }

    @Test
    void normalizeRowsGivesTheSameLogSumExpAndProbabilities() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        int rows = 9;
        int cols = 4;
        double[] m = new double[rows * cols];
        for (int i = 0; i < m.length; i++) {
            m[i] = rng.nextDouble(-900, 900);
        }
        double[] lse = new double[rows];
        LogSumExp.ofRows(m, rows, cols, lse, new double[rows]);
        double[] p = m.clone();
        double[] lse2 = new double[rows];
        LogSumExp.normalizeRows(p, rows, cols, lse2, new double[rows]);
        for (int i = 0; i < rows; i++) {
            assertEquals(lse[i], lse2[i], 0.0);
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                // exp(m - lse) computed directly; the normalized form divides by the sum instead: a few ulps.
                assertEquals(Math.exp(m[i + c * rows] - lse[i]), p[i + c * rows], 1e-15);
                sum += p[i + c * rows];
            }
            assertEquals(1.0, sum, 1e-15);
        }
    }
}
