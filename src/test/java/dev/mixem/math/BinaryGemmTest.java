package dev.mixem.math;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link BinaryGemm} against the chains of adds it documents, bit for bit, and against the plain products within
 * rounding. Shapes: features past one 64-bit word and not a multiple of 4 or 64, chunks that start and end inside
 * a word and inside a group of four rows, k from one vector of columns to more than {@code MAX_GROUP} vectors,
 * rows and features of every density (all zeros, all ones).
 */
class BinaryGemmTest {
    private static final int[][] SHAPES = {
            // n, d, k, r0, m
            {300, 100, 20, 0, 300}, {300, 130, 5, 37, 200}, {200, 70, 1, 64, 129}, {500, 64, 37, 3, 450},
            {130, 7, 3, 1, 128}, {700, 100, 70, 0, 700}};

    /** Column-major n x d cells: row i has density 0.05 to 0.95 by row; rows 0 and 1 all zeros and all ones. */
    static double[] cells(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n * d];
        for (int i = 0; i < n; i++) {
            double p = i == 0 ? 0 : i == 1 ? 1 : 0.05 + 0.9 * r.nextDouble();
            for (int j = 0; j < d; j++) {
                x[j * n + i] = r.nextDouble() < p ? 1 : 0;
            }
        }
        // Feature 0 all ones, feature 1 all zeros: both of the moments' paths on whole columns.
        for (int i = 0; i < n; i++) {
            x[i] = 1;
            if (d > 1) {
                x[n + i] = 0;
            }
        }
        return x;
    }

    @Test
    void scoresAreTheDocumentedChainsOfAdds() {
        // One instance for every shape, as a task reuses it: tables and buffers must follow the shape.
        BinaryGemm gemm = new BinaryGemm();
        for (int[] s : SHAPES) {
            int n = s[0], d = s[1], k = s[2], r0 = s[3], m = s[4];
            double[] x = cells(n, d, n + d);
            double[] b = BlockKernelsTest.random(d * k, k);
            double[] init = BlockKernelsTest.random(k, 7);
            double[] out = new double[m * k];
            gemm.scores(BinaryBits.of(n, d, x), r0, m, BinaryGemm.pack(d, k, b), k, init, out);
            double[] expected = new double[m * k];
            double[] plain = new double[m * k];
            for (int i = 0; i < m; i++) {
                for (int c = 0; c < k; c++) {
                    // init, plus each group of four features' subset sum (its set terms ascending), in order.
                    double e = init[c];
                    for (int g = 0; g < d; g += 4) {
                        double t = 0;
                        boolean first = true;
                        for (int j = g; j < Math.min(d, g + 4); j++) {
                            if (x[j * n + r0 + i] == 1) {
                                t = first ? b[c * d + j] : t + b[c * d + j];
                                first = false;
                            }
                        }
                        e += t;
                    }
                    expected[c * m + i] = e;
                    double p = init[c];
                    for (int j = 0; j < d; j++) {
                        p = Math.fma(x[j * n + r0 + i], b[c * d + j], p);
                    }
                    plain[c * m + i] = p;
                }
            }
            assertArrayEquals(expected, out, 0.0, () -> "chains, shape " + java.util.Arrays.toString(s));
            // Rounding: at most d adds of terms of size ~1 (random normal coefficients), each off by at most
            // 2^-53 of a partial sum below 3d: d · 3d · 1.1e-16, under 1e-10 for d ≤ 130.
            assertArrayEquals(plain, out, 1e-10, () -> "plain, shape " + java.util.Arrays.toString(s));
        }
    }

    @Test
    void momentsAreTheDocumentedChainsOfAdds() {
        // One instance for every shape and two calls on each, as a task reuses it: nothing may carry over.
        BinaryGemm gemm = new BinaryGemm();
        for (int[] s : SHAPES) {
            int n = s[0], d = s[1], k = s[2], r0 = s[3], m = s[4];
            double[] x = cells(n, d, 3 * n + d);
            double[] resp = BlockKernelsTest.random(m * k, d + 1);
            double[] f0 = BlockKernelsTest.random(d * k, 5);
            double[] f = f0.clone();
            BinaryBits bits = BinaryBits.of(n, d, x);
            gemm.moments(bits, r0, m, resp, k, f);
            double[] twice = f.clone();
            gemm.moments(bits, r0, m, resp, k, twice);
            double[] chain = new double[d * k];
            double[] plain = f0.clone();
            for (int j = 0; j < d; j++) {
                for (int c = 0; c < k; c++) {
                    // 0 plus each group of four rows' subset sum (its set terms ascending), the groups in order
                    // over the call's rows (groups are aligned to the block's rows); then added to F.
                    double e = 0;
                    for (int g = r0 & ~3; g < r0 + m; g += 4) {
                        double t = 0;
                        boolean first = true;
                        for (int i = Math.max(g, r0); i < Math.min(g + 4, r0 + m); i++) {
                            if (x[j * n + i] == 1) {
                                t = first ? resp[c * m + i - r0] : t + resp[c * m + i - r0];
                                first = false;
                            }
                        }
                        e += t;
                    }
                    chain[c * d + j] = e;
                    for (int i = 0; i < m; i++) {
                        plain[c * d + j] = Math.fma(x[j * n + r0 + i], resp[c * m + i], plain[c * d + j]);
                    }
                }
            }
            double[] expected = new double[d * k];
            double[] expectedTwice = new double[d * k];
            for (int t = 0; t < d * k; t++) {
                expected[t] = f0[t] + chain[t];
                expectedTwice[t] = expected[t] + chain[t];
            }
            assertArrayEquals(expected, f, 0.0, () -> "chains, shape " + java.util.Arrays.toString(s));
            assertArrayEquals(expectedTwice, twice, 0.0, () -> "second call, shape " + java.util.Arrays.toString(s));
            // Rounding: at most m adds of normal terms with partial sums below 3m: m · 3m · 1.1e-16 < 2e-10 for
            // m ≤ 700.
            assertArrayEquals(plain, f, 2e-10, () -> "plain, shape " + java.util.Arrays.toString(s));
        }
    }

    @Test
    void onlyBlocksOfZerosAndOnesHaveBits() {
        // Shapes inside one 64 x 64 tile, across several, exactly one, and a single cell.
        for (int[] shape : new int[][]{{100, 70}, {200, 130}, {64, 64}, {1, 1}}) {
            int n = shape[0], d = shape[1];
            double[] x = cells(n, d, n + d);
            BinaryBits bits = BinaryBits.of(n, d, x);
            assertNotNull(bits);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    long rowBit = bits.byRow[i * bits.rowWords + (j >>> 6)] >>> (j & 63) & 1;
                    long colBit = bits.byCol[j * bits.colWords + (i >>> 6)] >>> (i & 63) & 1;
                    assertEquals((long) x[j * n + i], rowBit, "row bit " + i + ", " + j);
                    assertEquals(rowBit, colBit, "column bit " + i + ", " + j);
                }
            }
            // Bits past the last feature and row are 0.
            for (int i = 0; i < n; i++) {
                assertEquals(0, bits.byRow[i * bits.rowWords + bits.rowWords - 1] >>> 1 >>> ((d - 1) & 63));
            }
            for (int j = 0; j < d; j++) {
                assertEquals(0, bits.byCol[j * bits.colWords + bits.colWords - 1] >>> 1 >>> ((n - 1) & 63));
            }
        }
        double[] x = cells(100, 70, 1);
        for (double bad : new double[]{Double.NaN, 2, 3, 0.5, -1, 1e-300, Double.MIN_VALUE, Double.POSITIVE_INFINITY}) {
            double[] y = x.clone();
            y[4321] = bad;
            assertNull(BinaryBits.of(100, 70, y), "cell " + bad);
        }
        // -0.0 (a parsed "-0") is a 0.
        double[] zero = x.clone();
        zero[4321] = 0.0;
        double[] negativeZero = x.clone();
        negativeZero[4321] = -0.0;
        BinaryBits expected = BinaryBits.of(100, 70, zero);
        BinaryBits actual = BinaryBits.of(100, 70, negativeZero);
        assertNotNull(actual);
        assertArrayEquals(expected.byCol, actual.byCol);
        assertArrayEquals(expected.byRow, actual.byRow);
        RowBlock block = new RowBlock(100, 70, 0, x, null);
        assertNotNull(block.binaryBits());
        assertNull(RowBlock.sparseOfRows(new double[][]{{0, 1}, {1, 1}}, null, 0).binaryBits());
    }
}
