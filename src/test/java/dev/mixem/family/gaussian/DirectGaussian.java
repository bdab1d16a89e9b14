package dev.mixem.family.gaussian;

/**
 * Textbook formulas, independent of BLAS and of mixem's kernels, to check them against: Gauss-Jordan
 * elimination with partial pivoting for Σ⁻¹ and det Σ, then
 * log N(x; μ, Σ) = -½ d log 2π - ½ log det Σ - ½ (x-μ)ᵀ Σ⁻¹ (x-μ).
 */
final class DirectGaussian {

    private DirectGaussian() {
    }

    static double logDensity(double[] x, double[] mu, double[] cov, int d) {
        double[] inv = new double[d * d];
        double det = invert(cov, d, inv);
        double q = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                q += (x[i] - mu[i]) * inv[i + j * d] * (x[j] - mu[j]);
            }
        }
        return -0.5 * d * Math.log(2 * Math.PI) - 0.5 * Math.log(det) - 0.5 * q;
    }

    /** The inverse of a d x d column-major matrix. */
    static double[] inverse(double[] m, int d) {
        double[] inv = new double[d * d];
        invert(m, d, inv);
        return inv;
    }

    /** Writes the inverse of {@code cov} to {@code inv} and returns the determinant. */
    private static double invert(double[] cov, int d, double[] inv) {
        double[] a = cov.clone();
        for (int i = 0; i < d; i++) {
            inv[i + i * d] = 1;
        }
        double det = 1;
        for (int col = 0; col < d; col++) {
            int piv = col;
            for (int r = col + 1; r < d; r++) {
                if (Math.abs(a[r + col * d]) > Math.abs(a[piv + col * d])) {
                    piv = r;
                }
            }
            if (piv != col) {
                swapRows(a, d, piv, col);
                swapRows(inv, d, piv, col);
                det = -det;
            }
            double p = a[col + col * d];
            det *= p;
            for (int j = 0; j < d; j++) {
                a[col + j * d] /= p;
                inv[col + j * d] /= p;
            }
            for (int r = 0; r < d; r++) {
                if (r != col) {
                    double f = a[r + col * d];
                    for (int j = 0; j < d; j++) {
                        a[r + j * d] -= f * a[col + j * d];
                        inv[r + j * d] -= f * inv[col + j * d];
                    }
                }
            }
        }
        return det;
    }

    private static void swapRows(double[] m, int d, int r1, int r2) {
        for (int j = 0; j < d; j++) {
            double t = m[r1 + j * d];
            m[r1 + j * d] = m[r2 + j * d];
            m[r2 + j * d] = t;
        }
    }

    static double[] diagonalMatrix(double[] variances) {
        int d = variances.length;
        double[] m = new double[d * d];
        for (int i = 0; i < d; i++) {
            m[i + i * d] = variances[i];
        }
        return m;
    }
}
