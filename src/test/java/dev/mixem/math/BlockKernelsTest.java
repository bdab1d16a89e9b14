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
    void expAgreesWithMathExp() {
        double[] v = random(67, 1);
        for (int i = 0; i < v.length; i++) {
            v[i] *= 300;
        }
        double[] shift = random(67, 2);
        double[] a = v.clone();
        vector.expShifted(a, 0, shift, 67);
        for (int i = 0; i < v.length; i++) {
            double e = Math.exp(v[i] - shift[i]);
            // Both are within 1 ulp of the true value: 2 ulps apart at most.
            assertEquals(e, a[i], 2 * Math.ulp(e), "entry " + i);
        }
    }
}
