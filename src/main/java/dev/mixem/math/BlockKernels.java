package dev.mixem.math;

/**
 * The few dense kernels the E-step spends its time in, on column-major panels. The implementation depends on
 * what the JVM has and on the dimension d:
 * <ul>
 *   <li>mixem's own JDK Vector API kernels when the {@code jdk.incubator.vector} module is present (Spark
 *       adds it to its JVMs) and either no native BLAS is loaded or d ≤ {@value #VECTOR_MAX_DIM_WITH_NATIVE}:
 *       on these small panels they beat OpenBLAS (measured at d = 20: 0.33-0.50 s against 0.48-0.55 s for
 *       one pass over 500k rows, k = 10, one core), while OpenBLAS wins from d = 32 (10%) and d = 40 (45%);</li>
 *   <li>native BLAS (through dev.ludovic.netlib) for larger d, with the Vector API exponential;</li>
 *   <li>otherwise dev.ludovic.netlib's Java BLAS and a scalar exponential.</li>
 * </ul>
 */
public interface BlockKernels {

    /** Solves Y Lᵀ = X in place: Y is m x d (leading dimension m) at yOff, L lower d x d (leading dimension d). */
    void solveLowerTransposed(int m, int d, double[] l, int lOff, double[] y, int yOff);

    /** C += Zᵀ Z on the lower triangle: Z is m x n (leading dimension m) at zOff, C n x n (leading dimension n). */
    void syrkLower(int n, int m, double[] z, int zOff, double[] c, int cOff);

    /** y[yOff + j] += Σ_i A[i, j] x[xOff + i]: A is m x n (leading dimension m) at aOff. */
    void gemvTransposed(int m, int n, double[] a, int aOff, double[] x, int xOff, double[] y, int yOff);

    /** v[off + i] = exp(v[off + i] - shift[i]) for i in [0, len), by {@link Exp}'s algorithm. */
    void expShifted(double[] v, int off, double[] shift, int len);

    /**
     * Turns a column-major rows x cols block of log p(x_i, z=c) ({@code m[c*rows + i]}) into responsibilities in
     * place, and writes log p(x_i) = log Σ_c exp(m_ic) to {@code out[i]}: per row the maximum, exp(m_ic − max)
     * by {@link Exp}'s algorithm, their sum in column order, max + log(sum) and the scaling by 1/sum; a
     * responsibility below {@code floor} becomes 0 (0 keeps all). A row of −∞ only gets responsibilities 0
     * and log p = −∞. {@code scratch} and {@code shift} hold at least {@code rows} values. Every implementation
     * gives the same bits.
     */
    default void normalizeRows(double[] m, int rows, int cols, double[] out, double[] scratch, double[] shift,
                               double floor) {
        LogSumExp.normalizeRowsByPasses(m, rows, cols, out, scratch, shift, this, floor);
    }

    /** Describes the implementation, e.g. {@code JNIBLAS+vector-exp}. */
    String name();

    /** Largest dimension for which mixem's Vector API kernels are preferred to native BLAS. */
    int VECTOR_MAX_DIM_WITH_NATIVE = 24;

    /** The best implementation available in this JVM for rows of dimension d. */
    static BlockKernels forDimension(int d) {
        return KernelChoice.forDimension(d);
    }

    /** Whether this JVM has the Vector API module (and it is not switched off): mixem's own kernels run. */
    static boolean vectorApi() {
        return KernelChoice.VECTOR_API;
    }

    /**
     * Doubles per vector of mixem's Vector API kernels (8 with AVX-512, 4 with AVX2), 0 without the Vector API.
     * Kernels that sum lanes give the same bits only on machines with the same width.
     */
    static int vectorLanes() {
        return KernelChoice.VECTOR_API ? VectorKernels.lanes() : 0;
    }

    /** The implementation used for large dimensions (and for the exponential alone). */
    static BlockKernels best() {
        return KernelChoice.forDimension(Integer.MAX_VALUE);
    }
}
