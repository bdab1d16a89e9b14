package dev.mixem.family.gaussian;

import dev.ludovic.netlib.blas.BLAS;
import dev.mixem.family.ChunkKernel;
import dev.mixem.math.BlockKernels;
import dev.mixem.math.Linalg;
import dev.mixem.math.RowBlock;

import java.util.Arrays;

/**
 * The complete-row kernel of full covariance. Per chunk of rows (sized so that the chunk's whitened copies
 * stay within about 1 MiB) and component c, the chunk centred on μ_c is solved against the Cholesky factor
 * (Y_c L_cᵀ = X - 1μ_cᵀ, one level-3 triangular solve), giving whitened rows y = L_c⁻¹(x - μ_c) and
 * log p(x, z=c) = logConst_c - ½ ‖y‖². The whitened chunk is kept: for the statistics its rows are scaled by
 * √(w r) and given a last column √(w r), so one {@code syrk} yields Σ r y yᵀ, Σ r y and Σ r together. Once per
 * block they go back to the original coordinates (S = L T Lᵀ, s = L t), centred on μ_c: nothing is centred
 * twice and no raw moment is formed.
 */
final class FullKernel implements ChunkKernel<GaussianStats> {
    private final GaussianScorer s;
    private final int k;
    private final int d;
    private final int chunkRows;
    private final BLAS blas = Linalg.blas();
    private final BlockKernels kernels;
    /** Whitened chunk of every component, chunk x (d+1) column-major per component. */
    private double[] whitened;
    /** Whole-block log-densities: one component's whitened block at a time. */
    private double[] blockWhitened;
    /** Per component, the (d+1) x (d+1) lower triangle of Σ w r [y 1][y 1]ᵀ over the current block. */
    private final double[] whiteStats;
    private final double[] square;

    FullKernel(GaussianScorer s) {
        this.s = s;
        this.k = s.k;
        this.d = s.d;
        this.chunkRows = Math.max(16, Math.min(1024, (1 << 17) / (k * (d + 1))));
        this.kernels = BlockKernels.forDimension(d);
        this.whiteStats = new double[k * (d + 1) * (d + 1)];
        this.square = new double[d * d];
    }

    @Override
    public int chunkRows(int n) {
        return chunkRows;
    }

    @Override
    public void beginBlock(RowBlock b) {
        int need = Math.min(b.rows, chunkRows) * k * (d + 1);
        if (whitened == null || whitened.length < need) {
            whitened = new double[need];
        }
        Arrays.fill(whiteStats, 0);
    }

    @Override
    public void logJoint(RowBlock b, int r0, int m, double[] logp) {
        int d1 = d + 1;
        for (int c = 0; c < k; c++) {
            whitenedLogJoint(b.values, b.rows, r0, m, c, whitened, c * m * d1, logp, c * m);
        }
    }

    @Override
    public void blockLogJoint(RowBlock b, double[] out) {
        int n = b.rows;
        if (blockWhitened == null || blockWhitened.length < n * d) {
            blockWhitened = new double[n * d];
        }
        for (int c = 0; c < k; c++) {
            whitenedLogJoint(b.values, n, 0, n, c, blockWhitened, 0, out, c * n);
        }
    }

    /**
     * For rows [r0, r0 + m) of a block with n rows and component c: the whitened rows
     * y = L_c⁻¹(x - μ_c) into {@code y} at {@code yOff} (leading dimension m), and
     * log p(x, z=c) = logConst_c - ½ ‖y‖² into {@code out[base .. base + m)}.
     */
    private void whitenedLogJoint(double[] x, int n, int r0, int m, int c, double[] y, int yOff, double[] out,
                                  int base) {
        for (int j = 0; j < d; j++) {
            int src = j * n + r0;
            int dst = yOff + j * m;
            double mu = s.means[c * d + j];
            for (int i = 0; i < m; i++) {
                y[dst + i] = x[src + i] - mu;
            }
        }
        kernels.solveLowerTransposed(m, d, s.factors, c * s.stride, y, yOff);
        for (int i = 0; i < m; i++) {
            out[base + i] = 0;
        }
        for (int j = 0; j < d; j++) {
            int col = yOff + j * m;
            for (int i = 0; i < m; i++) {
                double v = y[col + i];
                out[base + i] += v * v;
            }
        }
        double lc = s.logConst[c];
        for (int i = 0; i < m; i++) {
            out[base + i] = lc - 0.5 * out[base + i];
        }
    }

    @Override
    public void accumulate(RowBlock b, int r0, int m, double[] resp, GaussianStats into) {
        int d1 = d + 1;
        // Rows scaled by √(w r), a last column √(w r), one syrk per component.
        for (int c = 0; c < k; c++) {
            int yOff = c * m * d1;
            int base = c * m;
            int last = yOff + d * m;
            boolean any = false;
            for (int i = 0; i < m; i++) {
                double sr = Math.sqrt(resp[base + i]);
                whitened[last + i] = sr;
                any |= sr != 0;
            }
            if (!any) {
                continue;
            }
            for (int j = 0; j < d; j++) {
                int col = yOff + j * m;
                for (int i = 0; i < m; i++) {
                    whitened[col + i] *= whitened[last + i];
                }
            }
            kernels.syrkLower(d1, m, whitened, yOff, whiteStats, c * d1 * d1);
        }
    }

    /**
     * Adds the block's whitened statistics in the original coordinates, centred on μ_c:
     * Σ r = T[d][d], Σ r (x - μ) = L t, Σ r (x - μ)(x - μ)ᵀ = L T Lᵀ (lower triangle).
     */
    @Override
    public void endBlock(GaussianStats into) {
        int d1 = d + 1;
        for (int c = 0; c < k; c++) {
            int t = c * d1 * d1;
            double nk = whiteStats[t + d + d * d1];
            if (nk == 0) {
                continue;
            }
            into.resp[c] += nk;
            int l = c * d * d;
            // first = L t, with t the row d of T (stored in the lower triangle: T[d][j] at t + d + j*d1).
            for (int a = 0; a < d; a++) {
                double v = 0;
                for (int j = 0; j <= a; j++) {
                    v += s.factors[l + a + j * d] * whiteStats[t + d + j * d1];
                }
                into.first[c * d + a] += v;
            }
            for (int j = 0; j < d; j++) {
                for (int i = j; i < d; i++) {
                    double v = whiteStats[t + i + j * d1];
                    square[i + j * d] = v;
                    square[j + i * d] = v;
                }
            }
            blas.dtrmm("L", "L", "N", "N", d, d, 1.0, s.factors, l, d, square, 0, d);
            blas.dtrmm("R", "L", "T", "N", d, d, 1.0, s.factors, l, d, square, 0, d);
            int o = c * d * d;
            for (int j = 0; j < d; j++) {
                for (int i = j; i < d; i++) {
                    into.second[o + i + j * d] += square[i + j * d];
                }
            }
        }
    }
}
