package dev.mixem.math;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

/**
 * Dense linear algebra on column-major {@code double[]} matrices, through dev.ludovic.netlib, which picks
 * native BLAS/LAPACK (e.g. OpenBLAS) when the system has it, else the JDK Vector API, else plain Java.
 */
public final class Linalg {
    private static final BLAS BLAS_CHOSEN;
    private static final LAPACK LAPACK_CHOSEN;
    /** Why the native library was set aside, or null. */
    private static final String NATIVE_REJECTED;

    static {
        BLAS blas = BLAS.getInstance();
        LAPACK lapack = LAPACK.getInstance();
        String rejected = null;
        boolean nativeLoaded = blas.getClass().getSimpleName().startsWith("JNI")
                || lapack.getClass().getSimpleName().startsWith("JNI");
        if (nativeLoaded && !Boolean.getBoolean("mixem.trustNativeBlas")) {
            String routine = BlasCheck.firstIrreproducible(blas, lapack);
            if (routine != null) {
                rejected = blas.getClass().getSimpleName() + "'s " + routine + " gave different bits for the same"
                        + " numbers at another memory offset or on a second call (OpenBLAS's generic kernels do"
                        + " this; setting OPENBLAS_CORETYPE to the CPU's family usually cures it), so mixem"
                        + " uses the JVM's BLAS and LAPACK instead, to keep fits bit-identical";
                blas = dev.ludovic.netlib.blas.JavaBLAS.getInstance();
                lapack = dev.ludovic.netlib.lapack.JavaLAPACK.getInstance();
            }
        }
        BLAS_CHOSEN = blas;
        LAPACK_CHOSEN = lapack;
        NATIVE_REJECTED = rejected;
    }

    private Linalg() {
    }

    /**
     * The BLAS mixem uses: native when dev.ludovic.netlib loads one and it passes {@link BlasCheck} (its
     * results do not depend on memory offsets or repeated calls), else the JVM's.
     */
    public static BLAS blas() {
        return BLAS_CHOSEN;
    }

    /** The LAPACK mixem uses, chosen with {@link #blas()}. */
    public static LAPACK lapack() {
        return LAPACK_CHOSEN;
    }

    /** Why a loaded native BLAS was set aside for the JVM's (see {@link BlasCheck}), or null if it was not. */
    public static String nativeBlasRejected() {
        return NATIVE_REJECTED;
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

    /**
     * The inverse of a lower-triangular d x d column-major matrix at {@code offset} (lower triangular too),
     * by LAPACK's dtrtri.
     */
    public static double[] lowerInverse(double[] l, int offset, int d) {
        double[] inv = lowerCopy(l, offset, d);
        intW info = new intW(0);
        lapack().dtrtri("L", "N", d, inv, d, info);
        if (info.val != 0) {
            throw new ArithmeticException("a triangular factor is singular (dtrtri info " + info.val + ")");
        }
        return inv;
    }

    /**
     * (L Lᵀ)⁻¹ as a full symmetric d x d column-major matrix, for a lower-triangular L at {@code offset}: the
     * inverse of a matrix from its Cholesky factor, by LAPACK's dpotri (which fills the lower triangle; the
     * upper is mirrored from it).
     */
    public static double[] inverseFromCholesky(double[] l, int offset, int d) {
        double[] out = lowerCopy(l, offset, d);
        intW info = new intW(0);
        lapack().dpotri("L", d, out, d, info);
        if (info.val != 0) {
            throw new ArithmeticException("a Cholesky factor is singular (dpotri info " + info.val + ")");
        }
        for (int b = 0; b < d; b++) {
            for (int a = b + 1; a < d; a++) {
                out[b + a * d] = out[a + b * d];
            }
        }
        return out;
    }

    /** The lower triangle of a d x d column-major matrix at {@code offset}, zeros above. */
    private static double[] lowerCopy(double[] l, int offset, int d) {
        double[] out = new double[d * d];
        for (int j = 0; j < d; j++) {
            System.arraycopy(l, offset + j + j * d, out, j + j * d, d - j);
        }
        return out;
    }
}
