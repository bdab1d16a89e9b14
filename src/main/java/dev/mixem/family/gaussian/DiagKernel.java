package dev.mixem.family.gaussian;

import dev.mixem.family.ChunkKernel;
import dev.mixem.math.RowBlock;

/**
 * The complete-row kernel of diagonal (and spherical) covariance, a whole block per chunk:
 * log p(x, z=c) = logConst_c - ½ Σ_j (x_j - μ_cj)² / σ²_cj by loops down each feature's column, and the
 * statistics by {@link GaussianMoments}. A spherical scorer repeats each component's precision over the
 * features, so the same loops serve it.
 */
final class DiagKernel implements ChunkKernel<GaussianStats> {
    private final GaussianScorer s;
    private final int k;
    private final int d;
    private final GaussianMoments moments;

    DiagKernel(GaussianScorer s) {
        this.s = s;
        this.k = s.k;
        this.d = s.d;
        this.moments = new GaussianMoments(k, d, s.type);
    }

    @Override
    public int chunkRows(int n) {
        return n;
    }

    @Override
    public void logJoint(RowBlock b, int r0, int m, double[] out) {
        blockLogJoint(b, out);
    }

    @Override
    public void blockLogJoint(RowBlock b, double[] out) {
        int n = b.rows;
        double[] x = b.values;
        for (int c = 0; c < k; c++) {
            int base = c * n;
            for (int i = 0; i < n; i++) {
                out[base + i] = 0;
            }
            for (int j = 0; j < d; j++) {
                int col = j * n;
                double mu = s.means[c * d + j];
                double prec = s.factors[c * d + j];
                for (int i = 0; i < n; i++) {
                    double z = x[col + i] - mu;
                    out[base + i] += z * z * prec;
                }
            }
            double lc = s.logConst[c];
            for (int i = 0; i < n; i++) {
                out[base + i] = lc - 0.5 * out[base + i];
            }
        }
    }

    @Override
    public void accumulate(RowBlock b, int r0, int m, double[] resp, GaussianStats into) {
        moments.add(b, resp, s.means, into);
    }
}
