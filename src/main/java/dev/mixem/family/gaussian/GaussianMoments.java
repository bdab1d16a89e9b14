package dev.mixem.family.gaussian;

import dev.mixem.math.BlockKernels;
import dev.mixem.math.RowBlock;

/**
 * The Gaussian statistics of a block for given weighted responsibilities: Σ r, Σ r (x - m) and
 * Σ r (x - m)(x - m)ᵀ (or its diagonal) about reference means m, by transposed matrix-vector products and a
 * {@code syrk} per component on the centred block. The diag kernel's accumulation, and initialization's
 * hard-assignment pass (responsibilities 0 or the row weight). A missing cell's deviation counts as 0. One
 * instance per task, owning its scratch; not thread-safe.
 */
public final class GaussianMoments {
    private final int k;
    private final int d;
    private final boolean matrix;
    private final int statsStride;
    private final BlockKernels kernels;
    private double[] centered;
    private double[] scratch;

    public GaussianMoments(int k, int d, dev.mixem.config.CovarianceType type) {
        this.k = k;
        this.d = d;
        this.matrix = type.matrix();
        this.statsStride = type.statsStride(d);
        this.kernels = BlockKernels.forDimension(d);
    }

    /** Adds Σ r, Σ r (x - m), Σ r (x - m)(x - m)ᵀ for weighted responsibilities r = resp[i + c*n]. */
    public void add(RowBlock b, double[] resp, double[] ref, GaussianStats into) {
        int n = b.rows;
        if (centered == null || centered.length < n * d) {
            centered = new double[n * d];
            scratch = new double[n];
        }
        for (int c = 0; c < k; c++) {
            int base = c * n;
            double nk = 0;
            for (int i = 0; i < n; i++) {
                nk += resp[base + i];
            }
            if (nk == 0) {
                continue;
            }
            into.resp[c] += nk;
            center(b.values, n, ref, c * d, b.missing > 0);
            kernels.gemvTransposed(n, d, centered, 0, resp, base, into.first, c * d);
            if (matrix) {
                for (int i = 0; i < n; i++) {
                    scratch[i] = Math.sqrt(resp[base + i]);
                }
                for (int j = 0; j < d; j++) {
                    int col = j * n;
                    for (int i = 0; i < n; i++) {
                        centered[col + i] *= scratch[i];
                    }
                }
                kernels.syrkLower(d, n, centered, 0, into.second, c * statsStride);
            } else {
                for (int i = 0; i < n * d; i++) {
                    centered[i] *= centered[i];
                }
                kernels.gemvTransposed(n, d, centered, 0, resp, base, into.second, c * d);
            }
        }
    }

    /** x - m per column; with {@code missing}, a missing cell's deviation is 0. */
    private void center(double[] x, int n, double[] means, int meanOffset, boolean missing) {
        for (int j = 0; j < d; j++) {
            int col = j * n;
            double mu = means[meanOffset + j];
            for (int i = 0; i < n; i++) {
                centered[col + i] = x[col + i] - mu;
            }
            if (missing) {
                for (int i = 0; i < n; i++) {
                    double v = centered[col + i];
                    centered[col + i] = v == v ? v : 0.0;
                }
            }
        }
    }
}
