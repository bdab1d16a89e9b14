package dev.mixem.family;

import dev.ludovic.netlib.blas.BLAS;
import dev.mixem.math.Linalg;
import dev.mixem.math.LogSumExp;
import dev.mixem.math.RowBlock;
import dev.mixem.stats.GaussianStats;

/**
 * The E-step of a Gaussian mixture on blocks of rows, with reusable scratch space: one instance per task,
 * so the hot path allocates nothing per row or per block once warmed up. Not thread-safe.
 * <p>
 * For component k and a block X (n x d, column-major), the centred block X - 1μ_kᵀ is solved against the
 * Cholesky factor (Y L_kᵀ = X - 1μ_kᵀ, one level-3 dtrsm), giving row-wise Mahalanobis distances ‖y_i‖²;
 * log p(x_i, z=k) = log w_k - ½ d log 2π - ½ log det Σ_k - ½ ‖y_i‖², normalized by a per-row log-sum-exp.
 * Statistics are accumulated centred on μ_k with one dsyrk on the responsibility-scaled centred block.
 */
public final class GaussianEStep {
    private final int k;
    private final int d;
    private final boolean full;
    private final BLAS blas = Linalg.blas();
    private int capacity;
    private double[] centered;
    private double[] logp;
    private double[] rowLse;
    private double[] scratch;

    public GaussianEStep(int k, int d, boolean full) {
        this.k = k;
        this.d = d;
        this.full = full;
    }

    private void ensure(int n) {
        if (n > capacity) {
            capacity = n;
            centered = new double[n * d];
            logp = new double[n * k];
            rowLse = new double[n];
            scratch = new double[n];
        }
    }

    // E-step

    /**
     * Writes log p(x_i, z=c) for every row i and component c of the block to {@code out[i + c*n]}
     * (column-major n x k).
     */
    public void logJoint(GaussianScorer s, RowBlock b, double[] out) {
        checkShape(s.k, s.d, b);
        int n = b.rows;
        ensure(n);
        double[] x = b.values;
        for (int c = 0; c < k; c++) {
            int base = c * n;
            double lc = s.logConst[c];
            for (int i = 0; i < n; i++) {
                out[base + i] = 0;
            }
            if (full) {
                center(x, n, s.means, c * d, centered);
                blas.dtrsm("R", "L", "T", "N", n, d, 1.0, s.factors, c * d * d, d, centered, 0, n);
                for (int j = 0; j < d; j++) {
                    int col = j * n;
                    for (int i = 0; i < n; i++) {
                        double y = centered[col + i];
                        out[base + i] += y * y;
                    }
                }
            } else {
                for (int j = 0; j < d; j++) {
                    int col = j * n;
                    double mu = s.means[c * d + j];
                    double prec = s.factors[c * d + j];
                    for (int i = 0; i < n; i++) {
                        double z = x[col + i] - mu;
                        out[base + i] += z * z * prec;
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                out[base + i] = lc - 0.5 * out[base + i];
            }
        }
    }

    /**
     * Posterior probabilities of the components for each row of the block, {@code resp[i + c*n]}, and the
     * per-row log-likelihood log p(x_i) in {@code rowLogLik[i]} (unweighted).
     */
    public void posterior(GaussianScorer s, RowBlock b, double[] resp, double[] rowLogLik) {
        int n = b.rows;
        ensure(n);
        logJoint(s, b, logp);
        LogSumExp.ofRows(logp, n, k, rowLogLik, scratch);
        checkFinite(b, rowLogLik);
        for (int c = 0; c < k; c++) {
            int base = c * n;
            for (int i = 0; i < n; i++) {
                resp[base + i] = Math.exp(logp[base + i] - rowLogLik[i]);
            }
        }
    }

    /** One E-step over a block: responsibilities under {@code s}, then statistics centred on s's means. */
    public void accumulate(GaussianScorer s, RowBlock b, GaussianStats into) {
        int n = b.rows;
        ensure(n);
        logJoint(s, b, logp);
        LogSumExp.ofRows(logp, n, k, rowLse, scratch);
        checkFinite(b, rowLse);
        double ll = 0;
        double w = 0;
        for (int i = 0; i < n; i++) {
            double wi = b.weight(i);
            ll += wi * rowLse[i];
            w += wi;
        }
        for (int c = 0; c < k; c++) {
            int base = c * n;
            for (int i = 0; i < n; i++) {
                logp[base + i] = Math.exp(logp[base + i] - rowLse[i]) * b.weight(i);
            }
        }
        into.logLikelihood += ll;
        into.weight += w;
        into.rows += n;
        addStatistics(b, logp, s.means, into);
    }

    /**
     * Hard assignment of every row to its nearest center (Euclidean, ties to the lower index), then
     * statistics centred on the centers: the responsibility-weighted pass that turns k-means centers into
     * initial weights, means and covariances. The log-likelihood fields are left untouched.
     */
    public void accumulateNearest(double[] centers, RowBlock b, GaussianStats into) {
        checkShape(k, centers.length / k, b);
        int n = b.rows;
        ensure(n);
        double[] x = b.values;
        for (int c = 0; c < k; c++) {
            int base = c * n;
            for (int i = 0; i < n; i++) {
                logp[base + i] = 0;
            }
            for (int j = 0; j < d; j++) {
                int col = j * n;
                double mu = centers[c * d + j];
                for (int i = 0; i < n; i++) {
                    double z = x[col + i] - mu;
                    logp[base + i] += z * z;
                }
            }
        }
        double w = 0;
        for (int i = 0; i < n; i++) {
            int best = 0;
            double bestDist = logp[i];
            for (int c = 1; c < k; c++) {
                if (logp[c * n + i] < bestDist) {
                    bestDist = logp[c * n + i];
                    best = c;
                }
            }
            scratch[i] = best;
            w += b.weight(i);
        }
        for (int c = 0; c < k; c++) {
            int base = c * n;
            for (int i = 0; i < n; i++) {
                logp[base + i] = scratch[i] == c ? b.weight(i) : 0.0;
            }
        }
        into.weight += w;
        into.rows += n;
        addStatistics(b, logp, centers, into);
    }

    // M-step statistics

    /** Adds Σ r, Σ r (x - m), Σ r (x - m)(x - m)ᵀ for weighted responsibilities r = resp[i + c*n]. */
    private void addStatistics(RowBlock b, double[] resp, double[] ref, GaussianStats into) {
        int n = b.rows;
        double[] x = b.values;
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
            for (int j = 0; j < d; j++) {
                int col = j * n;
                double mu = ref[c * d + j];
                double s1 = 0;
                double s2 = 0;
                for (int i = 0; i < n; i++) {
                    double z = x[col + i] - mu;
                    double rz = resp[base + i] * z;
                    s1 += rz;
                    s2 += rz * z;
                    centered[col + i] = z;
                }
                into.first[c * d + j] += s1;
                if (!full) {
                    into.second[c * d + j] += s2;
                }
            }
            if (full) {
                for (int i = 0; i < n; i++) {
                    scratch[i] = Math.sqrt(resp[base + i]);
                }
                for (int j = 0; j < d; j++) {
                    int col = j * n;
                    for (int i = 0; i < n; i++) {
                        centered[col + i] *= scratch[i];
                    }
                }
                blas.dsyrk("L", "T", d, n, 1.0, centered, 0, n, 1.0, into.second, c * d * d, d);
            }
        }
    }

    private void center(double[] x, int n, double[] means, int meanOffset, double[] out) {
        for (int j = 0; j < d; j++) {
            int col = j * n;
            double mu = means[meanOffset + j];
            for (int i = 0; i < n; i++) {
                out[col + i] = x[col + i] - mu;
            }
        }
    }

    private void checkShape(int sk, int sd, RowBlock b) {
        if (sk != k || sd != d || b.dim != d) {
            throw new IllegalArgumentException("E-step for k=" + k + ", d=" + d + " got parameters k=" + sk
                    + ", d=" + sd + " and rows of dimension " + b.dim);
        }
    }

    private static void checkFinite(RowBlock b, double[] rowLogLik) {
        for (int i = 0; i < b.rows; i++) {
            if (!Double.isFinite(rowLogLik[i])) {
                throw new NumericalException("row " + (b.firstRow + i) + " has log-likelihood " + rowLogLik[i]
                        + " under every component; its values are too extreme for double precision"
                        + " (rescale the features)");
            }
        }
    }
}
