package dev.mixem.family.gaussian;

import dev.mixem.family.ChunkKernel;
import dev.mixem.math.RowBlock;

/**
 * The diag and spherical Gaussian kernel of sparse blocks, O(non-zeros · k) per block: with precisions
 * p = 1/σ², a row scores
 * <pre>
 *   log p(x, c) = z_c − ½ Σ_nz p_cj x (x − 2μ_cj),   z_c = log w_c − ½ Σ_j (log 2πσ²_cj + μ²_cj p_cj),
 * </pre>
 * z_c being the all-zero row's score. The statistics are centred on the means as the dense kernels' are:
 * per block, Σ r x and Σ r x (x − 2μ) gather per non-zero (feature-major), then
 * Σ r (x − μ) = Σ r x − μ Σ r and Σ r (x − μ)² = Σ r x (x − 2μ) + μ² Σ r for every feature (the zeros of a
 * component's rows included), O(k · d) once per block.
 */
final class SparseDiagKernel implements ChunkKernel<GaussianStats> {
    /** Rows per chunk. */
    static final int CHUNK_ROWS = 256;

    private final GaussianScorer s;
    private final int k;
    private final int d;
    private final double[] zero;
    private final double[] precT;
    private final double[] meanT;
    private final double[] firstT;
    private final double[] secondT;
    private final double[] blockResp;
    private final double[] acc;

    SparseDiagKernel(GaussianScorer s) {
        this.s = s;
        this.k = s.k;
        this.d = s.d;
        this.zero = new double[k];
        this.precT = new double[k * d];
        this.meanT = new double[k * d];
        this.firstT = new double[k * d];
        this.secondT = new double[k * d];
        this.blockResp = new double[k];
        this.acc = new double[k];
        for (int c = 0; c < k; c++) {
            double q = 0;
            for (int j = 0; j < d; j++) {
                double p = s.factors[c * d + j];
                double mu = s.means[c * d + j];
                precT[j * k + c] = p;
                meanT[j * k + c] = mu;
                q += mu * mu * p;
            }
            zero[c] = s.logConst[c] - 0.5 * q;
        }
    }

    @Override
    public int chunkRows(int n) {
        return CHUNK_ROWS;
    }

    @Override
    public void logJoint(RowBlock b, int r0, int m, double[] logp) {
        for (int i = 0; i < m; i++) {
            int row = r0 + i;
            java.util.Arrays.fill(acc, 0.0);
            for (int t = b.rowStart[row]; t < b.rowStart[row + 1]; t++) {
                double x = b.nonZeros[t];
                int o = b.cols[t] * k;
                for (int c = 0; c < k; c++) {
                    acc[c] += precT[o + c] * x * (x - 2 * meanT[o + c]);
                }
            }
            for (int c = 0; c < k; c++) {
                logp[c * m + i] = zero[c] - 0.5 * acc[c];
            }
        }
    }

    @Override
    public void accumulate(RowBlock b, int r0, int m, double[] resp, GaussianStats into) {
        for (int c = 0; c < k; c++) {
            double n = 0;
            for (int i = 0; i < m; i++) {
                n += resp[c * m + i];
            }
            blockResp[c] += n;
        }
        for (int i = 0; i < m; i++) {
            int row = r0 + i;
            for (int c = 0; c < k; c++) {
                acc[c] = resp[c * m + i];
            }
            for (int t = b.rowStart[row]; t < b.rowStart[row + 1]; t++) {
                double x = b.nonZeros[t];
                int o = b.cols[t] * k;
                for (int c = 0; c < k; c++) {
                    double rx = acc[c] * x;
                    firstT[o + c] += rx;
                    secondT[o + c] += rx * (x - 2 * meanT[o + c]);
                }
            }
        }
    }

    @Override
    public void endBlock(GaussianStats into) {
        for (int c = 0; c < k; c++) {
            double n = blockResp[c];
            into.resp[c] += n;
            for (int j = 0; j < d; j++) {
                int o = j * k + c;
                double mu = meanT[o];
                into.first[c * d + j] += firstT[o] - mu * n;
                into.second[c * d + j] += secondT[o] + mu * mu * n;
            }
            blockResp[c] = 0;
        }
        java.util.Arrays.fill(firstT, 0.0);
        java.util.Arrays.fill(secondT, 0.0);
    }

    @Override
    public void blockLogJoint(RowBlock b, double[] out) {
        logJoint(b, 0, b.rows, out);
    }
}
