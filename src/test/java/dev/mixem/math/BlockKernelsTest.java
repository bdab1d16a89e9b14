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
}
