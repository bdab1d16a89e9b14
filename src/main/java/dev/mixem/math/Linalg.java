package dev.mixem.math;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

/**
 * Dense linear algebra on column-major {@code double[]} matrices, through dev.ludovic.netlib, which picks
 * native BLAS/LAPACK (e.g. OpenBLAS) when the system has it, else the JDK Vector API, else plain Java.
 */
public final class Linalg {

    private Linalg() {
    }

    public static BLAS blas() {
        return BLAS.getInstance();
    }

    public static LAPACK lapack() {
        return LAPACK.getInstance();
    }

    /** The implementation in use, e.g. {@code JNIBLAS} (native), {@code VectorBLAS} or {@code Java11BLAS}. */
    public static String blasName() {
        return blas().getClass().getSimpleName();
    }

    /**
     * Lower Cholesky factor L of a symmetric positive-definite d x d matrix (only its lower triangle is
     * read), with A = L Lᵀ. The strict upper triangle of the result is zero.
     *
     * @return the factor, or {@code null} if the matrix is not numerically positive definite
     */
    public static double[] choleskyLower(double[] a, int offset, int d) {
        double[] l = new double[d * d];
        for (int j = 0; j < d; j++) {
            for (int i = j; i < d; i++) {
                l[i + j * d] = a[offset + i + j * d];
            }
        }
        intW info = new intW(0);
        lapack().dpotrf("L", d, l, d, info);
        if (info.val != 0) {
            return null;
        }
        for (int j = 0; j < d; j++) {
            if (!(l[j + j * d] > 0) || !Double.isFinite(l[j + j * d])) {
                return null;
            }
        }
        return l;
    }

    /** log det A from its Cholesky factor: 2 Σ log L_jj. */
    public static double logDetFromCholesky(double[] l, int offset, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) {
            s += Math.log(l[offset + j + j * d]);
        }
        return 2 * s;
    }
}
