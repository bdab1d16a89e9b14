package dev.mixem.math;

import java.io.Serializable;

/**
 * A block of rows in column-major order: the value of row i, feature j is {@code values[i + j * rows]}, so a
 * block is directly a BLAS matrix with leading dimension {@code rows}. Row weights are optional (null means
 * every row weighs 1). {@code firstRow} is the global index of the block's first row in input order, which
 * makes seeded sampling independent of how rows were split into partitions and blocks. {@code skipped}, when
 * not null, counts by reason index the input rows that were left out just ahead of this block's rows (a
 * block may hold no rows and only such counts), so that they are counted once, with the cached data.
 * A missing cell is NaN; {@code missing} counts them, so that blocks without any take the complete-data path.
 * <p>
 * A sparse block (from sparse vectors: LibSVM, Spark ML sparse vectors) holds its rows in compressed sparse
 * row form instead, and {@code values} is null: row i's non-zero cells are at {@code cols[t]} with value
 * {@code nonZeros[t]} for t in [{@code rowStart[i]}, {@code rowStart[i+1]}), columns ascending; every other
 * cell is 0. It has no missing cells. Only the kernels of families whose features are independent given the
 * component read it ({@link #isSparse()}); {@link #row} densifies one row for anything else.
 */
public final class RowBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    public final int rows;
    public final int dim;
    public final long firstRow;
    public final double[] values;
    public final double[] weights;
    public final long[] skipped;
    /** Number of missing (NaN) cells. */
    public final int missing;
    /** Sparse blocks: row i's entries are [rowStart[i], rowStart[i+1]) of cols and nonZeros (null when dense). */
    public final int[] rowStart;
    public final int[] cols;
    public final double[] nonZeros;
    /**
     * A per-row quantity of this block's values alone, by its key (see {@link #rowConstants}); not serialized,
     * so a block read back from disk or sent elsewhere computes it again.
     */
    private transient volatile RowConstants rowConstants;

    private record RowConstants(String key, double[] values) {
    }

    /** {@link #binaryBits()}, once asked for: the bits, or {@link #NOT_BINARY}; not serialized. */
    private transient volatile Object binary;
    private static final Object NOT_BINARY = new Object();

    public RowBlock(int rows, int dim, long firstRow, double[] values, double[] weights) {
        this(rows, dim, firstRow, values, weights, null);
    }

    public RowBlock(int rows, int dim, long firstRow, double[] values, double[] weights, long[] skipped) {
        if (values.length != rows * dim) {
            throw new IllegalArgumentException("block of " + rows + " x " + dim + " needs " + rows * dim
                    + " values, got " + values.length);
        }
        if (weights != null && weights.length != rows) {
            throw new IllegalArgumentException("block of " + rows + " rows got " + weights.length + " weights");
        }
        this.rows = rows;
        this.dim = dim;
        this.firstRow = firstRow;
        this.values = values;
        this.weights = weights;
        this.skipped = skipped;
        this.rowStart = null;
        this.cols = null;
        this.nonZeros = null;
        int m = 0;
        for (double v : values) {
            if (v != v) {
                m++;
            }
        }
        this.missing = m;
    }

    private RowBlock(int rows, int dim, long firstRow, int[] rowStart, int[] cols, double[] nonZeros,
                     double[] weights, long[] skipped) {
        if (rowStart.length != rows + 1 || rowStart[0] != 0 || rowStart[rows] > cols.length
                || cols.length != nonZeros.length) {
            throw new IllegalArgumentException("sparse block of " + rows + " rows has inconsistent arrays");
        }
        if (weights != null && weights.length != rows) {
            throw new IllegalArgumentException("block of " + rows + " rows got " + weights.length + " weights");
        }
        this.rows = rows;
        this.dim = dim;
        this.firstRow = firstRow;
        this.values = null;
        this.weights = weights;
        this.skipped = skipped;
        this.rowStart = rowStart;
        this.cols = cols;
        this.nonZeros = nonZeros;
        this.missing = 0;
    }

    /**
     * A sparse block: row i's non-zero cells at {@code cols[rowStart[i] .. rowStart[i+1])} (ascending, each in
     * [0, dim)) with values {@code nonZeros[...]}, which must be finite.
     */
    public static RowBlock sparse(int rows, int dim, long firstRow, int[] rowStart, int[] cols, double[] nonZeros,
                                  double[] weights, long[] skipped) {
        return new RowBlock(rows, dim, firstRow, rowStart, cols, nonZeros, weights, skipped);
    }

    /** Builds a sparse block from row-major rows, keeping their non-zero cells (for tests). */
    public static RowBlock sparseOfRows(double[][] rowMajor, double[] weights, long firstRow) {
        int n = rowMajor.length;
        int d = n == 0 ? 0 : rowMajor[0].length;
        int[] start = new int[n + 1];
        int nnz = 0;
        for (double[] r : rowMajor) {
            for (double v : r) {
                nnz += v != 0 ? 1 : 0;
            }
        }
        int[] cols = new int[nnz];
        double[] nz = new double[nnz];
        int t = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                if (rowMajor[i][j] != 0) {
                    cols[t] = j;
                    nz[t++] = rowMajor[i][j];
                }
            }
            start[i + 1] = t;
        }
        return sparse(n, d, firstRow, start, cols, nz, weights == null ? null : weights.clone(), null);
    }

    /**
     * A per-row quantity that depends on this block's values only, such as a family's Σ_j h(x_ij): computed by
     * {@code compute} into an array of {@link #rows} values the first time a key is asked for, then kept with
     * the block while it stays cached, so that every later pass reads it instead of computing it again. One
     * key at a time (asking for another replaces it). Two threads asking at once both compute the same values.
     */
    public double[] rowConstants(String key, java.util.function.Consumer<double[]> compute) {
        RowConstants c = rowConstants;
        if (c == null || !c.key().equals(key)) {
            double[] v = new double[rows];
            compute.accept(v);
            c = new RowConstants(key, v);
            rowConstants = c;
        }
        return c.values();
    }

    /**
     * This dense block's cells packed as bits ({@link BinaryBits}) when every one is 0 or 1, else null (also for
     * sparse blocks). Built the first time it is asked for and kept with the block while it stays cached (2 bits
     * a cell beside the doubles' 64). Two threads asking at once both build the same bits.
     */
    public BinaryBits binaryBits() {
        Object b = binary;
        if (b == null) {
            BinaryBits bits = isSparse() ? null : BinaryBits.of(rows, dim, values);
            b = bits == null ? NOT_BINARY : bits;
            binary = b;
        }
        return b == NOT_BINARY ? null : (BinaryBits) b;
    }

    /** Whether the block holds its rows in sparse form ({@link #rowStart}, {@link #cols}, {@link #nonZeros}). */
    public boolean isSparse() {
        return values == null;
    }

    /** Whether row i has a missing cell. */
    public boolean rowHasMissing(int i) {
        if (isSparse()) {
            return false;
        }
        for (int j = 0; j < dim; j++) {
            double v = values[i + j * rows];
            if (v != v) {
                return true;
            }
        }
        return false;
    }

    /** Builds a block from row-major rows (mainly for tests and small local data). */
    public static RowBlock ofRows(double[][] rowMajor, double[] weights, long firstRow) {
        int n = rowMajor.length;
        int d = n == 0 ? 0 : rowMajor[0].length;
        double[] v = new double[n * d];
        for (int i = 0; i < n; i++) {
            if (rowMajor[i].length != d) {
                throw new IllegalArgumentException("row " + i + " has " + rowMajor[i].length + " values, expected " + d);
            }
            for (int j = 0; j < d; j++) {
                v[i + j * n] = rowMajor[i][j];
            }
        }
        return new RowBlock(n, d, firstRow, v, weights == null ? null : weights.clone());
    }

    public double weight(int row) {
        return weights == null ? 1.0 : weights[row];
    }

    /** Copies row i into {@code out[0 .. dim)}. */
    public void row(int i, double[] out) {
        if (isSparse()) {
            java.util.Arrays.fill(out, 0, dim, 0.0);
            for (int t = rowStart[i]; t < rowStart[i + 1]; t++) {
                out[cols[t]] = nonZeros[t];
            }
            return;
        }
        for (int j = 0; j < dim; j++) {
            out[j] = values[i + j * rows];
        }
    }

    /**
     * The rows i with {@code Seeds.uniform(seed, offset + firstRow + i) < fraction}, as a new block (this
     * block itself when fraction ≥ 1): a mini-batch that depends only on (seed, global row index), not on
     * the partitioning. {@code offset} is the global index of the partition's first row.
     */
    public RowBlock sample(double fraction, long seed, long offset) {
        if (fraction >= 1) {
            return this;
        }
        int[] keep = new int[rows];
        int m = 0;
        for (int i = 0; i < rows; i++) {
            if (Seeds.uniform(seed, offset + firstRow + i) < fraction) {
                keep[m++] = i;
            }
        }
        double[] w = weights == null ? null : new double[m];
        if (isSparse()) {
            int[] start = new int[m + 1];
            int nnz = 0;
            for (int t = 0; t < m; t++) {
                nnz += rowStart[keep[t] + 1] - rowStart[keep[t]];
                start[t + 1] = nnz;
            }
            int[] c = new int[nnz];
            double[] nz = new double[nnz];
            for (int t = 0; t < m; t++) {
                int from = rowStart[keep[t]];
                int len = rowStart[keep[t] + 1] - from;
                System.arraycopy(cols, from, c, start[t], len);
                System.arraycopy(nonZeros, from, nz, start[t], len);
                if (w != null) {
                    w[t] = weights[keep[t]];
                }
            }
            return sparse(m, dim, firstRow, start, c, nz, w, null);
        }
        double[] v = new double[m * dim];
        for (int j = 0; j < dim; j++) {
            for (int t = 0; t < m; t++) {
                v[t + j * m] = values[keep[t] + j * rows];
            }
        }
        if (w != null) {
            for (int t = 0; t < m; t++) {
                w[t] = weights[keep[t]];
            }
        }
        return new RowBlock(m, dim, firstRow, v, w);
    }
}
