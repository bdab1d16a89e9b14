package dev.mixem.math;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LogSumExpTest {

    /** The textbook shifted form, one row at a time, as the reference. */
    static double direct(double[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : row) {
            max = Math.max(max, v);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double s = 0;
        for (double v : row) {
            s += Math.exp(v - max);
        }
        return max + Math.log(s);
    }

    static double[] lse(double[][] rowsByCol) {
        int rows = rowsByCol[0].length;
        int cols = rowsByCol.length;
        double[] m = new double[rows * cols];
        for (int c = 0; c < cols; c++) {
            System.arraycopy(rowsByCol[c], 0, m, c * rows, rows);
        }
        double[] out = new double[rows];
        LogSumExp.normalizeRows(m, rows, cols, out, new double[rows]);
        return out;
    }

    @Test
    void staysFiniteAtExtremeValues() {
        // exp(1000) overflows and exp(-1000) underflows; the shifted form must give max + log 2, up to one
        // rounding of the addition (1e-12 relative is far above that).
        double[] out = lse(new double[][]{{1000, -1000, -745}, {1000, -1000, -2000}});
        assertEquals(1000 + Math.log(2), out[0], 1e-12 * 1000);
        assertEquals(-1000 + Math.log(2), out[1], 1e-12 * 1000);
        assertEquals(-745.0, out[2], 1e-12 * 745);
    }

    @Test
    void allMinusInfinityGivesMinusInfinityAndZeroProbabilities() {
        double[] m = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        double[] out = new double[1];
        LogSumExp.normalizeRows(m, 1, 2, out, new double[1]);
        assertEquals(Double.NEGATIVE_INFINITY, out[0]);
        assertEquals(0.0, m[0]);
        assertEquals(0.0, m[1]);
    }

    @Test
    void agreesWithTheDirectFormulaAndNormalizes() {
        SplittableRandom rng = new SplittableRandom(5);
        int rows = 9;
        int cols = 4;
        double[] m = new double[rows * cols];
        for (int i = 0; i < m.length; i++) {
            m[i] = rng.nextDouble(-900, 900);
        }
        m[3] = Double.NEGATIVE_INFINITY;
        double[] p = m.clone();
        double[] out = new double[rows];
        LogSumExp.normalizeRows(p, rows, cols, out, new double[rows]);
        for (int i = 0; i < rows; i++) {
            double[] row = new double[cols];
            for (int c = 0; c < cols; c++) {
                row[c] = m[i + c * rows];
            }
            double expected = direct(row);
            // The vectorized exponential may differ from Math.exp by an ulp: 1e-13 relative on values up to 900.
            assertEquals(expected, out[i], 1e-13 * Math.abs(expected));
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                assertEquals(Math.exp(row[c] - expected), p[i + c * rows], 1e-14);
                sum += p[i + c * rows];
            }
            assertEquals(1.0, sum, 1e-14);
        }
    }
}
