package dev.mixem.math;

import dev.ludovic.netlib.blas.BLAS;

/** Picks the {@link BlockKernels} once per JVM (see there for the order of preference). */
final class KernelChoice {
    static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !Boolean.getBoolean("mixem.noVectorApi");
    private static final BLAS BLAS_INSTANCE = Linalg.blas();
    static final boolean NATIVE_BLAS = BLAS_INSTANCE.getClass().getSimpleName().startsWith("JNI");
    private static final BlockKernels VECTOR = VECTOR_API ? VectorKernels.standalone() : null;
    private static final BlockKernels LARGE = VECTOR_API
            ? (NATIVE_BLAS ? VectorKernels.withBlas(BLAS_INSTANCE) : VECTOR)
            : new BlasKernels(BLAS_INSTANCE);

    private KernelChoice() {
    }

    static BlockKernels forDimension(int d) {
        if (VECTOR_API && (!NATIVE_BLAS || d <= BlockKernels.VECTOR_MAX_DIM_WITH_NATIVE)) {
            return VECTOR;
        }
        return LARGE;
    }

    /** Level-3 BLAS through dev.ludovic.netlib (without the Vector API module: plain Java or native) and a scalar exponential. */
    static final class BlasKernels implements BlockKernels {
        private final BLAS blas;

        BlasKernels(BLAS blas) {
            this.blas = blas;
        }

        @Override
        public void solveLowerTransposed(int m, int d, double[] l, int lOff, double[] y, int yOff) {
            blas.dtrsm("R", "L", "T", "N", m, d, 1.0, l, lOff, d, y, yOff, m);
        }

        @Override
        public void syrkLower(int n, int m, double[] z, int zOff, double[] c, int cOff) {
            blas.dsyrk("L", "T", n, m, 1.0, z, zOff, m, 1.0, c, cOff, n);
        }

        @Override
        public void gemvTransposed(int m, int n, double[] a, int aOff, double[] x, int xOff, double[] y, int yOff) {
            blas.dgemv("T", m, n, 1.0, a, aOff, m, x, xOff, 1, 1.0, y, yOff, 1);
        }

        @Override
        public void expShifted(double[] v, int off, double[] shift, int len) {
            for (int i = 0; i < len; i++) {
                v[off + i] = Exp.exp(v[off + i] - shift[i]);
            }
        }

        @Override
        public String name() {
            return blas.getClass().getSimpleName();
        }
    }
}
