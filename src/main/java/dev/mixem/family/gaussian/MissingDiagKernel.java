package dev.mixem.family.gaussian;

import dev.mixem.family.ChunkKernel;
import dev.mixem.math.RowBlock;

import java.util.Arrays;

/**
 * The missing-cell kernel of diagonal (and spherical) covariance. The observed coordinates are independent
 * given the component, so a row is scored on its observed cells with branch-free loops over the block and
 * its observed mask, and a missing cell has conditional mean μ and variance σ²: its expected deviation is 0
 * and its expected squared deviation σ². The whole block is one chunk, in input order.
 */
final class MissingDiagKernel implements ScaleMixtureKernel, GaussianImputer.Imputing {
    private final GaussianScorer s;
    private final int k;
    private final int d;
    /** log σ² per component and feature. */
    private final double[] logVar;
    /** The block with missing cells as 0, and 1.0 where observed, 0.0 where missing. */
    private double[] xz;
    private double[] mask;
    /** As a scale-mixture kernel: each row's log w_c - ½ Σ_observed (log 2π + log σ²) ([i + c*n]) and d_o. */
    private final boolean constants;
    private double[] rowConst;
    private int[] rowObserved;
    private int currentRows;
    /** The conditional covariances' weights of the next accumulate (null: the responsibilities). */
    private double[] condWeights;

    MissingDiagKernel(GaussianScorer s) {
        this(s, false);
    }

    /** @param constants whether to keep each row's constant and observed count (a scale mixture's kernel) */
    MissingDiagKernel(GaussianScorer s, boolean constants) {
        this.s = s;
        this.constants = constants;
        this.k = s.k;
        this.d = s.d;
        this.logVar = new double[k * d];
        for (int i = 0; i < k * d; i++) {
            logVar[i] = Math.log(s.covariances[i]);
        }
    }

    @Override
    public int chunkRows(int n) {
        return n;
    }

    /** The whole block (r0 = 0, m = n). */
    @Override
    public void logJoint(RowBlock b, int r0, int m, double[] out) {
        blockLogJoint(b, out);
    }

    /** log p(x_o, z=c) of every row and component into {@code out[i + c*n]}. */
    @Override
    public void blockLogJoint(RowBlock b, double[] out) {
        int n = b.rows;
        maskBlock(b);
        for (int c = 0; c < k; c++) {
            int base = c * n;
            Arrays.fill(out, base, base + n, 0.0);
            for (int j = 0; j < d; j++) {
                int col = j * n;
                double mu = s.means[c * d + j];
                double prec = s.factors[c * d + j];
                double constant = MissingPatterns.LOG_2PI + logVar[c * d + j];
                // Branch-free: a missing cell has mask 0 (and value 0), so it adds nothing.
                for (int i = 0; i < n; i++) {
                    double t = xz[col + i] - mu;
                    out[base + i] += mask[col + i] * (t * t * prec + constant);
                }
            }
            double lw = s.logWeights[c];
            for (int i = 0; i < n; i++) {
                out[base + i] = lw - 0.5 * out[base + i];
            }
        }
        if (constants) {
            rowConstants(n);
        }
    }

    /** Each row's constant log w_c - ½ Σ_observed (log 2π + log σ²_cj) and observed count, from the mask. */
    private void rowConstants(int n) {
        if (rowConst == null || rowConst.length < n * k) {
            rowConst = new double[n * k];
            rowObserved = new int[n];
        }
        currentRows = n;
        java.util.Arrays.fill(rowObserved, 0, n, 0);
        for (int j = 0; j < d; j++) {
            int col = j * n;
            for (int i = 0; i < n; i++) {
                rowObserved[i] += (int) mask[col + i];
            }
        }
        for (int c = 0; c < k; c++) {
            int base = c * n;
            java.util.Arrays.fill(rowConst, base, base + n, 0.0);
            for (int j = 0; j < d; j++) {
                int col = j * n;
                double constant = MissingPatterns.LOG_2PI + logVar[c * d + j];
                for (int i = 0; i < n; i++) {
                    rowConst[base + i] += mask[col + i] * constant;
                }
            }
            double lw = s.logWeights[c];
            for (int i = 0; i < n; i++) {
                rowConst[base + i] = lw - 0.5 * rowConst[base + i];
            }
        }
    }

    @Override
    public int observed(int pos) {
        return rowObserved[pos];
    }

    @Override
    public double logConst(int pos, int c) {
        return rowConst[pos + c * currentRows];
    }

    /** Input order is the kernel's order. */
    @Override
    public int observedInput(int i) {
        return observed(i);
    }

    @Override
    public double logConstInput(int i, int c) {
        return logConst(i, c);
    }

    @Override
    public void conditionalWeights(double[] w) {
        condWeights = w;
    }

    /** Diag: the block's values with missing cells as 0 ({@code xz}) and the observed mask, 1 or 0. */
    private void maskBlock(RowBlock b) {
        int len = b.rows * d;
        if (mask == null || mask.length < len) {
            mask = new double[len];
            xz = new double[len];
        }
        for (int i = 0; i < len; i++) {
            double v = b.values[i];
            boolean observed = v == v;
            mask[i] = observed ? 1.0 : 0.0;
            xz[i] = observed ? v : 0.0;
        }
    }

    @Override
    public void accumulate(RowBlock b, int r0, int m, double[] resp, GaussianStats into) {
        int n = b.rows;
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
            // The missing cells' conditional variance σ², weighted by the responsibilities or, for a scale
            // mixture, by its conditional weights: Σ_i cw_i (1 - mask_ij) σ².
            double[] cw = condWeights == null ? resp : condWeights;
            double nkCond = 0;
            for (int i = 0; i < n; i++) {
                nkCond += cw[base + i];
            }
            for (int j = 0; j < d; j++) {
                int col = j * n;
                double mu = s.means[c * d + j];
                double variance = s.covariances[c * d + j];
                double f = 0;
                double sq = 0;
                double observedCond = 0;
                for (int i = 0; i < n; i++) {
                    double r = resp[base + i] * mask[col + i];
                    double t = xz[col + i] - mu;
                    f += r * t;
                    sq += r * t * t;
                    observedCond += cw[base + i] * mask[col + i];
                }
                into.first[c * d + j] += f;
                into.second[c * d + j] += sq + (nkCond - observedCond) * variance;
            }
        }
    }

    /**
     * The conditional mean of every row given its observed cells, Σ_k r_ik μ_k on the missing cells (observed
     * cells copied), column-major n x d into {@code out}, for responsibilities {@code resp[i + c*n]}.
     */
    @Override
    public void impute(RowBlock b, double[] resp, double[] out) {
        int n = b.rows;
        double[] x = b.values;
        System.arraycopy(x, 0, out, 0, n * d);
        for (int i = 0; i < n; i++) {
            if (!b.rowHasMissing(i)) {
                continue;
            }
            for (int j = 0; j < d; j++) {
                if (x[i + j * n] != x[i + j * n]) {
                    double v = 0;
                    for (int c = 0; c < k; c++) {
                        v += resp[i + c * n] * s.means[c * d + j];
                    }
                    out[i + j * n] = v;
                }
            }
        }
    }
}
