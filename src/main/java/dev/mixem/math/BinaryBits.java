package dev.mixem.math;

/**
 * A dense block whose every cell is 0 or 1, packed as bits twice: row by row ({@link #byRow}, row i's feature j
 * at bit j mod 64 of word {@code i*rowWords + j/64}) and feature by feature ({@link #byCol}, feature j's row i
 * at bit i mod 64 of word {@code j*colWords + i/64}). Bits past the last feature or row are 0. Two bits per
 * cell, against 64 for the doubles it is built from: {@link BinaryGemm} reads these instead of the doubles.
 */
public final class BinaryBits {
    /** The bits of 1.0. */
    private static final long ONE = Double.doubleToRawLongBits(1.0);
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
        BinaryBits b = new BinaryBits(n, d);
        // Feature by feature, branch-free per cell: a cell must be exactly ±0.0 or 1.0 (anything else leaves the
        // block to the dense loops), and bit 52 of 1.0 is set where ±0.0 have none. (A branch per cell
        // mispredicted on half-set data, and setting row bits cell by cell cost twice the rest: they come from
        // the transpose below.)
        for (int j = 0; j < d; j++) {
            int col = j * n;
            int cb = j * b.colWords;
            boolean bad = false;
            for (int w = 0; w < b.colWords; w++) {
                int i0 = w << 6;
                int len = Math.min(64, n - i0);
                long word = 0;
                for (int t = 0; t < len; t++) {
                    long raw = Double.doubleToRawLongBits(values[col + i0 + t]);
                    bad |= ((raw & Long.MAX_VALUE) != 0) & (raw != ONE);
                    word |= (raw >>> 52 & 1) << t;
                }
                b.byCol[cb + w] = word;
            }
            if (bad) {
                return null;
            }
        }
        // Rows from features: 64 x 64 tiles of bits transposed.
        long[] tile = new long[64];
        for (int w = 0; w < b.colWords; w++) {
            for (int fw = 0; fw < b.rowWords; fw++) {
                for (int t = 0; t < 64; t++) {
                    int j = (fw << 6) + t;
                    tile[t] = j < d ? b.byCol[j * b.colWords + w] : 0L;
                }
                transpose(tile);
                int rows = Math.min(64, n - (w << 6));
                for (int i = 0; i < rows; i++) {
                    b.byRow[((w << 6) + i) * b.rowWords + fw] = tile[i];
                }
            }
        }
        return b;
    }

    /**
     * Transposes a 64 x 64 matrix of bits in place (row r is a[r], column c its bit c): afterwards bit c of a[r]
     * is what bit r of a[c] was. Six rounds of swapping the off-diagonal halves of blocks of 32, 16, ..., 1.
     */
    static void transpose(long[] a) {
        long m = 0x00000000FFFFFFFFL;
        for (int j = 32; j != 0; j >>>= 1, m ^= m << j) {
            for (int k = 0; k < 64; k = ((k | j) + 1) & ~j) {
                long t = ((a[k] >>> j) ^ a[k | j]) & m;
                a[k | j] ^= t;
                a[k] ^= t << j;
            }
        }
    }
}
