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
}
