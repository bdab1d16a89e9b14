package dev.mixem.math;

/** log Σ exp(v_i) without overflow or underflow: max + log Σ exp(v_i - max). */
public final class LogSumExp {

    private LogSumExp() {
    }

    /** softmax of the first k entries of v (the mixture weights of their logits). */
    public static double[] softmax(double[] v, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            max = Math.max(max, v[c]);
        }
        double[] w = new double[k];
        double sum = 0;
        for (int c = 0; c < k; c++) {
            w[c] = Math.exp(v[c] - max);
            sum += w[c];
        }
        for (int c = 0; c < k; c++) {
            w[c] /= sum;
        }
        return w;
    }

    /**
     * Per-row log-sum-exp of a column-major rows x cols matrix (value of row i, column c at
     * {@code m[i + c * rows]}), written to {@code out[0 .. rows)}, and {@code m} turned into the
     * row-normalized probabilities exp(m[i, c] - out[i]), each exponential computed once. A row whose every
     * entry is -∞ gets -∞ and zeros.
     */
    public static void normalizeRows(double[] m, int rows, int cols, double[] out, double[] scratch) {
        normalizeRows(m, rows, cols, out, scratch, new double[rows], BlockKernels.best());
    }

    /** {@link #normalizeRows(double[], int, int, double[], double[])} with caller-owned scratch and kernels. */
    public static void normalizeRows(double[] m, int rows, int cols, double[] out, double[] scratch, double[] shift,
                                     BlockKernels kernels) {
        kernels.normalizeRows(m, rows, cols, out, scratch, shift, 0.0);
    }

    /**
     * {@link BlockKernels#normalizeRows}'s definition, pass by pass (column maxima, shifted exponentials by
     * {@code kernels.expShifted}, sums, logarithms, scaling and the floor); fused kernels give the same bits.
     */
    static void normalizeRowsByPasses(double[] m, int rows, int cols, double[] out, double[] scratch, double[] shift,
                                      BlockKernels kernels, double floor) {
        for (int i = 0; i < rows; i++) {
            out[i] = Double.NEGATIVE_INFINITY;
            scratch[i] = 0;
        }
        for (int c = 0; c < cols; c++) {
            int base = c * rows;
            for (int i = 0; i < rows; i++) {
                out[i] = Math.max(out[i], m[base + i]);
            }
        }
        for (int i = 0; i < rows; i++) {
            // A row of -∞ only: exp(-∞ - 0) = 0 for every entry, instead of NaN from (-∞) - (-∞).
            shift[i] = out[i] == Double.NEGATIVE_INFINITY ? 0.0 : out[i];
        }
        for (int c = 0; c < cols; c++) {
            kernels.expShifted(m, c * rows, shift, rows);
            int base = c * rows;
            for (int i = 0; i < rows; i++) {
                scratch[i] += m[base + i];
            }
        }
        for (int i = 0; i < rows; i++) {
            double sum = scratch[i];
            scratch[i] = sum > 0 ? 1.0 / sum : 0.0;
            if (out[i] != Double.NEGATIVE_INFINITY) {
                out[i] += Math.log(sum);
            }
        }
        for (int c = 0; c < cols; c++) {
            int base = c * rows;
            for (int i = 0; i < rows; i++) {
                double r = m[base + i] * scratch[i];
                m[base + i] = r < floor ? 0.0 : r;
            }
        }
    }
}
