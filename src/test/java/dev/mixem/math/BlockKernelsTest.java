package dev.mixem.math;

import org.junit.jupiter.api.Test;

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

    @Test
    void linearGemmAgreesWithPlainLoopsOnRaggedShapes() {
        LinearGemm gemm = new LinearGemm();
        // rows n of the block, chunk [r0, r0 + m), d features, k columns: tails of rows, features and columns.
        for (int[] shape : new int[][]{{640, 0, 640, 100, 20}, {655, 13, 600, 7, 5}, {40, 3, 37, 1, 1}, {300, 0, 33, 130, 6},
                {9, 0, 9, 4, 3}}) {
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
}
