package dev.mixem.math;

/**
 * A dense block whose every cell is 0 or 1, packed as bits twice: row by row ({@link #byRow}, row i's feature j
 * at bit j mod 64 of word {@code i*rowWords + j/64}) and feature by feature ({@link #byCol}, feature j's row i
 * at bit i mod 64 of word {@code j*colWords + i/64}). Bits past the last feature or row are 0. Two bits per
 * cell, against 64 for the doubles it is built from: {@link BinaryGemm} reads these instead of the doubles.
 */
public final class BinaryBits {
    public final int rows;
    public final int dim;
    public final int rowWords;
    public final int colWords;
    public final long[] byRow;
    public final long[] byCol;

    private BinaryBits(int rows, int dim) {
        this.rows = rows;
        this.dim = dim;
        this.rowWords = (dim + 63) >>> 6;
        this.colWords = (rows + 63) >>> 6;
        this.byRow = new long[rows * rowWords];
        this.byCol = new long[dim * colWords];
    }

    /**
     * The bits of the n x d column-major {@code values}, or null if a cell is anything but 0 or 1 (a NaN, a
     * count above 1, a fraction): such blocks take the general kernels.
     */
    public static BinaryBits of(int n, int d, double[] values) {
        for (double v : values) {
            if (v != 0 && v != 1) {
                return null;
            }
        }
        BinaryBits b = new BinaryBits(n, d);
        for (int j = 0; j < d; j++) {
            int col = j * n;
            long rowBit = 1L << (j & 63);
            int rowWord = j >>> 6;
            for (int i = 0; i < n; i++) {
                if (values[col + i] == 1) {
                    b.byRow[i * b.rowWords + rowWord] |= rowBit;
                    b.byCol[j * b.colWords + (i >>> 6)] |= 1L << (i & 63);
                }
            }
        }
        return b;
    }
}
