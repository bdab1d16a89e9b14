package dev.mixem.math;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** mixem's Vector API kernels against dev.ludovic.netlib's BLAS, on shapes with ragged edges. */
class BlockKernelsTest {
    final BlockKernels vector = VectorKernels.standalone();
    final BlockKernels blas = new KernelChoice.BlasKernels(Linalg.blas());

    static double[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
        }
        return v;
    }

    @Test
    void vectorApiIsPresentInTests() {
        // surefire adds the module, as Spark does for its JVMs: the kernels under test are the ones used.
        assertTrue(KernelChoice.VECTOR_API);
    }

    @Test
    void triangularSolveAgreesWithBlas() {
        for (int[] shape : new int[][]{{37, 5}, {64, 20}, {101, 50}, {3, 7}}) {
            int m = shape[0];
            int d = shape[1];
            double[] l = Linalg.choleskyLower(LinalgTest.randomSpd(d, m), 0, d);
            double[] x = random(m * d + 3, d);
            double[] a = x.clone();
            double[] b = x.clone();
            vector.solveLowerTransposed(m, d, l, 0, a, 3);
            blas.solveLowerTransposed(m, d, l, 0, b, 3);
            for (int i = 0; i < x.length; i++) {
                // Same algorithm up to the order of the updates of each entry: rounding of ~d terms.
                assertEquals(b[i], a[i], 1e-12 * Math.max(1, Math.abs(b[i])), "shape " + m + "x" + d + " entry " + i);
            }
        }
    }

    /**
     * Every row of the Vector API solve has the bits of the plain one-row loop (terms t = 0, 1, .. by fma, then
     * the product with 1/L_jj): rows in whole strips and rows after them, columns in blocks of four and after
     * them. This is what makes a row's log-density independent of its place in a chunk.
     */
    @Test
    void triangularSolveGivesEveryRowTheBitsOfTheOneRowLoop() {
        for (int[] shape : new int[][]{{37, 5}, {64, 20}, {101, 23}, {16, 4}, {9, 3}, {70, 8}}) {
            int m = shape[0];
            int d = shape[1];
            double[] l = Linalg.choleskyLower(LinalgTest.randomSpd(d, m + d), 0, d);
            double[] x = random(m * d + 5, 31L * d + m);
            double[] a = x.clone();
            vector.solveLowerTransposed(m, d, l, 0, a, 5);
            for (int i = 0; i < m; i++) {
                double[] row = new double[d];
                for (int j = 0; j < d; j++) {
                    double v = x[5 + j * m + i];
                    for (int t = 0; t < j; t++) {
                        v = Math.fma(row[t], -l[j + t * d], v);
                    }
                    row[j] = v * (1.0 / l[j + j * d]);
                    assertEquals(row[j], a[5 + j * m + i], 0.0, "shape " + m + "x" + d + " row " + i + " column " + j);
                }
            }
        }
    }

    @Test
    void syrkAgreesWithBlasOnTheLowerTriangle() {
        for (int[] shape : new int[][]{{37, 5}, {64, 21}, {101, 51}, {3, 1}, {8, 2}}) {
            int m = shape[0];
            int n = shape[1];
            double[] z = random(m * n + 2, n);
            double[] c0 = random(n * n + 1, 7);
            double[] a = c0.clone();
            double[] b = c0.clone();
            vector.syrkLower(n, m, z, 2, a, 1);
            blas.syrkLower(n, m, z, 2, b, 1);
            for (int col = 0; col < n; col++) {
                for (int row = 0; row < n; row++) {
                    int idx = 1 + row + col * n;
                    if (row >= col) {
                        // Sums of m products in another order: within m·eps of the magnitude (entries ~sqrt(m)).
                        assertEquals(b[idx], a[idx], 1e-13 * m, "entry " + row + "," + col);
                    } else {
                        assertEquals(c0[idx], a[idx], 0.0, "upper triangle untouched");
                    }
                }
            }
        }
    }

    @Test
    void gemvTransposedAgreesWithBlas() {
        for (int[] shape : new int[][]{{37, 5}, {64, 21}, {3, 2}, {1000, 3}}) {
            int m = shape[0];
            int n = shape[1];
            double[] a = random(m * n + 2, n);
            double[] x = random(m + 1, m);
            double[] y0 = random(n + 3, 5);
            double[] yv = y0.clone();
            double[] yb = y0.clone();
            vector.gemvTransposed(m, n, a, 2, x, 1, yv, 3);
            blas.gemvTransposed(m, n, a, 2, x, 1, yb, 3);
            for (int j = 0; j < y0.length; j++) {
                // Dot products of m terms of size ~1 in another order: within m·eps·sqrt(m).
                assertEquals(yb[j], yv[j], 1e-15 * m * Math.sqrt(m), "entry " + j);
            }
        }
    }

    /**
     * mixem's exp against StrictMath.exp (fdlibm, correctly rounded to within 1 ulp) on 200,000 points over
     * the whole range it serves. Measured: at most 1 ulp apart; the test allows 2. Below -708 it is 0 by
     * design (see {@link Exp}).
     */
    @Test
    void expIsAccurateAndTheSameBitsVectorizedOrNot() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 200_000;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i % 2 == 0 ? -708 * r.nextDouble() : 1417 * r.nextDouble() - 708;
        }
        x[0] = 0;
        x[1] = -708;
        x[2] = 709;
        double[] shift = new double[n];
        double[] v = x.clone();
        vector.expShifted(v, 0, shift, n);
        double[] scalar = x.clone();
        blas.expShifted(scalar, 0, shift, n);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            assertEquals(Double.doubleToLongBits(Exp.exp(x[i])), Double.doubleToLongBits(v[i]), "lane " + i + ": " + x[i]);
            assertEquals(Double.doubleToLongBits(v[i]), Double.doubleToLongBits(scalar[i]));
            double e = StrictMath.exp(x[i]);
            worst = Math.max(worst, Math.abs(v[i] - e) / Math.ulp(e));
        }
        assertTrue(worst <= 2, "worst error " + worst + " ulp");
        assertEquals(1.0, Exp.exp(0), 0.0);
        assertEquals(0.0, Exp.exp(-708.5), 0.0);
        assertEquals(0.0, Exp.exp(Double.NEGATIVE_INFINITY), 0.0);
        assertTrue(Double.isNaN(Exp.exp(Double.NaN)));
        assertEquals(Double.POSITIVE_INFINITY, Exp.exp(710), 0.0);
        double[] special = {Double.NEGATIVE_INFINITY, Double.NaN, -1000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        vector.expShifted(special, 0, new double[special.length], special.length);
        assertEquals(0.0, special[0], 0.0);
        assertTrue(Double.isNaN(special[1]));
        assertEquals(0.0, special[2], 0.0);
        assertEquals(1.0, special[3], 0.0);
    }

    @Test
    void theFusedNormalizationGivesThePassByPassBits() {
        SplittableRandom r = new SplittableRandom(11);
        for (int[] shape : new int[][]{{1, 1}, {7, 3}, {64, 20}, {101, 5}, {640, 20}, {13, 1}}) {
            int rows = shape[0];
            int cols = shape[1];
            double[] m = new double[rows * cols];
            for (int i = 0; i < m.length; i++) {
                // Log-densities over 1,000 nats apart, so that some responsibilities fall under the floor and
                // some exponentials underflow to 0.
                m[i] = -1000 * r.nextDouble() + r.nextGaussian();
            }
            // A row of −∞ only, and a row whose other entries are −∞.
            for (int c = 0; c < cols; c++) {
                m[c * rows] = Double.NEGATIVE_INFINITY;
                if (rows > 2 && c > 0) {
                    m[c * rows + 2] = Double.NEGATIVE_INFINITY;
                }
            }
            for (double floor : new double[]{0.0, 1e-200}) {
                double[] a = m.clone();
                double[] b = m.clone();
                double[] outA = new double[rows];
                double[] outB = new double[rows];
                vector.normalizeRows(a, rows, cols, outA, new double[rows], new double[rows], floor);
                LogSumExp.normalizeRowsByPasses(b, rows, cols, outB, new double[rows], new double[rows], vector, floor);
                for (int i = 0; i < a.length; i++) {
                    assertEquals(Double.doubleToRawLongBits(b[i]), Double.doubleToRawLongBits(a[i]),
                            rows + "x" + cols + " entry " + i);
                }
                for (int i = 0; i < rows; i++) {
                    assertEquals(Double.doubleToRawLongBits(outB[i]), Double.doubleToRawLongBits(outA[i]), "row " + i);
                }
                assertEquals(Double.NEGATIVE_INFINITY, outA[0]);
                assertEquals(0.0, a[0]);
                if (rows > 2) {
                    assertEquals(1.0, a[2], 1e-15, "the one finite entry of row 2 takes all the mass");
                }
            }
        }
    }

    /** Both register blockings of the scores (4 vectors of rows for AVX-512, 2 for AVX2) on every shape. */
    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void linearGemmAgreesWithPlainLoopsOnRaggedShapes(int rowVectors) {
        LinearGemm gemm = new LinearGemm(rowVectors);
        // rows n of the block, chunk [r0, r0 + m), d features, k columns: tails of rows, features and columns.
        for (int[] shape : new int[][]{{640, 0, 640, 100, 20}, {655, 13, 600, 7, 5}, {40, 3, 37, 1, 1}, {300, 0, 33, 130, 6},
                {9, 0, 9, 4, 3}, {100, 4, 90, 40, 9}}) {
            int n = shape[0];
            int r0 = shape[1];
            int m = shape[2];
            int d = shape[3];
            int k = shape[4];
            double[] x = random(n * d, n + d);
            double[] b = random(d * k, k);
            double[] resp = random(m * k, m);
            double[] out = new double[m * k];
            double[] init = random(k, 3);
            gemm.scores(x, n, d, r0, m, LinearGemm.pack(d, k, b), k, init, out);
            double[] f = random(d * k, 5);
            double[] f0 = f.clone();
            gemm.moments(x, n, d, r0, m, resp, k, f);
            for (int c = 0; c < k; c++) {
                for (int i = 0; i < m; i++) {
                    double s = init[c];
                    for (int j = 0; j < d; j++) {
                        s = Math.fma(x[j * n + r0 + i], b[c * d + j], s);
                    }
                    // The scores chain the same fused multiply-adds in feature order, lane or tail alike.
                    assertEquals(s, out[c * m + i], 0.0, shape[0] + "/" + m + "x" + d + "x" + k + " score " + i + "," + c);
                }
                for (int j = 0; j < d; j++) {
                    double s = 0;
                    double abs = 0;
                    for (int i = 0; i < m; i++) {
                        s += x[j * n + r0 + i] * resp[c * m + i];
                        abs += Math.abs(x[j * n + r0 + i] * resp[c * m + i]);
                    }
                    // Lanes summed in another order than the loop: rounding of m terms, each under 1e-16 relative.
                    assertEquals(f0[c * d + j] + s, f[c * d + j], 1e-14 * (abs + Math.abs(f0[c * d + j])), "moment " + j + "," + c);
                }
            }
        }
    }

    /**
     * The separable scores, with either register blocking, are for every row and column the chain
     * fma(u², A, fma(u, B, s)) over the features in order (u = x - ref), the same bits whatever the shape's
     * tails of rows (masked vectors), panels of features or padded columns.
     */
    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void separableScoresAreThePlainChainWithEitherBlocking(int rowVectors) {
        SeparableGemm gemm = new SeparableGemm(rowVectors);
        // rows n, chunk [r0, r0 + m), d features, k columns (odd k is padded to an even count).
        for (int[] shape : new int[][]{{256, 0, 256, 784, 10}, {655, 13, 600, 7, 5}, {40, 3, 37, 33, 1}, {300, 0, 33, 70, 6},
                {9, 0, 9, 4, 3}, {100, 4, 90, 40, 12}}) {
            int n = shape[0];
            int r0 = shape[1];
            int m = shape[2];
            int d = shape[3];
            int k = shape[4];
            int kp = SeparableGemm.padded(k);
            double[] x = random(n * d, 7L * n + d);
            double[] ref = random(d, d);
            double[] b = random(d * k, k + 1);
            double[] a = random(d * k, k + 2);
            double[] out = new double[m * kp];
            gemm.scores(x, n, d, r0, m, ref, SeparableGemm.pack(d, k, b, a), kp, out);
            for (int c = 0; c < k; c++) {
                for (int i = 0; i < m; i++) {
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        double u = x[j * n + r0 + i] - ref[j];
                        s = Math.fma(u * u, a[c * d + j], Math.fma(u, b[c * d + j], s));
                    }
                    assertEquals(s, out[c * m + i], 0.0, n + "/" + m + "x" + d + "x" + k + " score " + i + "," + c);
                }
            }
        }
    }

    /**
     * The separable moments: the AVX2 blocking (two features by two columns) gives the bits of the AVX-512 one
     * (one feature by four or two columns), on odd feature counts and ragged rows, and both are the plain sums.
     */
    @Test
    void separableMomentsHaveTheSameBitsWithEitherBlocking() {
        for (int[] shape : new int[][]{{256, 0, 256, 784, 10}, {655, 13, 600, 7, 5}, {40, 3, 37, 33, 1}, {300, 0, 33, 70, 6},
                {9, 0, 9, 4, 3}, {100, 4, 90, 41, 12}}) {
            int n = shape[0];
            int r0 = shape[1];
            int m = shape[2];
            int d = shape[3];
            int k = shape[4];
            int kp = SeparableGemm.padded(k);
            double[] x = random(n * d, 11L * n + d);
            double[] ref = random(d, d + 1);
            double[] resp = random(m * kp, m + 2);
            double[][] f = new double[2][];
            double[][] q = new double[2][];
            for (int v = 0; v < 2; v++) {
                f[v] = random(kp * d, 9);
                q[v] = random(kp * d, 10);
                new SeparableGemm(v == 0 ? 2 : 4).moments(x, n, d, r0, m, ref, resp, kp, f[v], q[v]);
            }
            double[] f0 = random(kp * d, 9);
            double[] q0 = random(kp * d, 10);
            for (int c = 0; c < kp; c++) {
                for (int j = 0; j < d; j++) {
                    int at = c * d + j;
                    String where = n + "/" + m + "x" + d + "x" + k + " moment " + j + "," + c;
                    assertEquals(f[1][at], f[0][at], 0.0, where);
                    assertEquals(q[1][at], q[0][at], 0.0, where);
                    double sf = 0;
                    double sq = 0;
                    double abs = 0;
                    for (int i = 0; i < m; i++) {
                        double u = x[j * n + r0 + i] - ref[j];
                        sf += u * resp[c * m + i];
                        sq += u * u * resp[c * m + i];
                        abs += Math.abs(u * resp[c * m + i]) + u * u * Math.abs(resp[c * m + i]);
                    }
                    // Lanes summed in another order than the loop: rounding of m terms, each under 1e-16 relative.
                    assertEquals(f0[at] + sf, f[0][at], 1e-14 * (abs + Math.abs(f0[at])), where);
                    assertEquals(q0[at] + sq, q[0][at], 1e-14 * (abs + Math.abs(q0[at])), where);
                }
            }
        }
    }
}
