package dev.mixem.family;

import dev.ludovic.netlib.blas.BLAS;
import dev.mixem.math.BlockKernels;
import dev.mixem.math.Linalg;
import dev.mixem.math.LogSumExp;
import dev.mixem.math.RowBlock;
import dev.mixem.stats.GaussianStats;

/**
 * The E-step of a Gaussian mixture on blocks of rows, with reusable scratch space: one instance per task,
 * so the hot path allocates nothing per row or per block once warmed up. Not thread-safe.
 * <p>
 * Full covariance, per chunk of rows (sized so that a chunk's working set stays in cache) and component k:
 * the chunk centred on μ_k is solved against the Cholesky factor (Y_k L_kᵀ = X - 1μ_kᵀ, one level-3
 * dtrsm), giving whitened rows y_i = L_k⁻¹(x_i - μ_k) and Mahalanobis distances ‖y_i‖²;
 * log p(x_i, z=k) = log w_k - ½ d log 2π - ½ log det Σ_k - ½ ‖y_i‖², normalized by a per-row
 * log-sum-exp. The whitened chunk is kept: its rows are scaled by √r_ik and given a last column √r_ik, so
 * one dsyrk yields Σ r y yᵀ, Σ r y and Σ r together. Once per block they go back to the original
 * coordinates (S = L T Lᵀ, s = L t), centred on μ_k: nothing is centred twice and no raw moment is formed.
 * Diagonal covariance: the same quantities with vectorizable loops and transposed matrix-vector products;
 * spherical covariance runs the same kernel (its scorer repeats the precision over the features).
 * <p>
 * Tied covariance whitens each chunk once for all components: y = L⁻¹(x - c) about the mixture's centre c,
 * then ‖y - ν_k‖² against the whitened means ν_k = L⁻¹(μ_k - c). Its statistics are Σ r_k y per component
 * and one pooled Σ w y yᵀ (one dsyrk, not k), since Σ_k r_ik = 1; once per block they become the pooled
 * Σ_k Σ r (x - μ_k)(x - μ_k)ᵀ = L [Σ w y yᵀ - Σ_k (ν_k t_kᵀ + t_k ν_kᵀ - N_k ν_k ν_kᵀ)] Lᵀ and
 * Σ r (x - μ_k) = L (t_k - N_k ν_k). The subtraction loses digits only in proportion to the squared
 * separation of the components in units of their spread.
 * <p>
 * Blocks with missing cells go to {@link MarginalEStep}, which scores rows on their observed coordinates
 * and uses conditional expectations for the rest; blocks without any take the path above unchanged.
 */
public final class GaussianEStep {
    private final int k;
    private final int d;
    private final dev.mixem.config.CovarianceType type;
    /** Full covariance: one factor per component. */
    private final boolean full;
    private final boolean tied;
    /** Full or tied: second moments are matrices, at this stride per component (0 when pooled). */
    private final boolean matrix;
    private final int statsStride;
    private final BLAS blas = Linalg.blas();
    private final BlockKernels kernels;
    /** Rows per chunk: a chunk's whitened copies (chunk x k x (d+1) doubles) stay within about 1 MiB. */
    private final int chunkRows;
    private int capacity;
    private double[] centered;
    private double[] logp;
    private double[] rowLse;
    private double[] scratch;
    private double[] shift;
    /** Full: whitened chunk of every component, chunk x (d+1) column-major per component. */
    private double[] whitened;
    /** Full: per component, the (d+1) x (d+1) lower triangle of Σ r [y 1][y 1]ᵀ over the current block. */
    private final double[] whiteStats;
    private final double[] square;
    /** Tied: per block, Σ w y yᵀ (lower, d x d), t = Σ r y (k x d, component c at c*d), N = Σ r (k). */
    private final double[] tiedYY;
    private final double[] tiedT;
    private final double[] tiedN;
    /** Tied: t_c - N_c ν_c of one component, on the way back to the original coordinates. */
    private final double[] tiedShift;
    /** Tied: one chunk's log p(x, z=c), for {@link #logJoint}. */
    private double[] chunkLogJoint;
    private MarginalEStep marginal;

    public GaussianEStep(int k, int d, dev.mixem.config.CovarianceType type) {
        this.k = k;
        this.d = d;
        this.type = type;
        this.full = type == dev.mixem.config.CovarianceType.FULL;
        this.tied = type == dev.mixem.config.CovarianceType.TIED;
        this.matrix = type.matrix();
        this.statsStride = type.statsStride(d);
        this.kernels = BlockKernels.forDimension(d);
        this.chunkRows = tied ? Math.max(16, Math.min(1024, (1 << 17) / (d + k + 1)))
                : Math.max(16, Math.min(1024, (1 << 17) / (k * (d + 1))));
        this.whiteStats = full ? new double[k * (d + 1) * (d + 1)] : null;
        this.square = matrix ? new double[d * d] : null;
        this.tiedYY = tied ? new double[d * d] : null;
        this.tiedT = tied ? new double[k * d] : null;
        this.tiedN = tied ? new double[k] : null;
        this.tiedShift = tied ? new double[d] : null;
    }

    private MarginalEStep marginal() {
        if (marginal == null) {
            marginal = new MarginalEStep(k, d, type, kernels);
        }
        return marginal;
    }

    private void ensure(int n) {
        if (n > capacity) {
            capacity = n;
            centered = new double[n * (d + 1)];
            logp = new double[n * k];
            rowLse = new double[n];
            scratch = new double[n];
            shift = new double[n];
            if (full) {
                whitened = new double[Math.min(n, chunkRows) * k * (d + 1)];
            } else if (tied) {
                whitened = new double[Math.min(n, chunkRows) * d];
                chunkLogJoint = new double[Math.min(n, chunkRows) * k];
            }
        }
    }

    // E-step

    /**
     * Writes log p(x_i, z=c) for every row i and component c of the block to {@code out[i + c*n]}
     * (column-major n x k).
     */
    public void logJoint(GaussianScorer s, RowBlock b, double[] out) {
        checkShape(s.k, s.d, b);
        if (b.missing > 0) {
            marginal().logJoint(s, b, out);
            return;
        }
        int n = b.rows;
        ensure(n);
        double[] x = b.values;
        if (tied) {
            for (int r0 = 0; r0 < n; r0 += chunkRows) {
                int m = Math.min(chunkRows, n - r0);
                tiedLogJoint(s, x, n, r0, m, chunkLogJoint);
                for (int c = 0; c < k; c++) {
                    System.arraycopy(chunkLogJoint, c * m, out, c * n + r0, m);
                }
            }
            return;
        }
        for (int c = 0; c < k; c++) {
            int base = c * n;
            if (full) {
                whitenedLogJoint(s, x, n, 0, n, c, centered, 0, out, base);
                continue;
            }
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

    /**
     * For rows [r0, r0 + m) of a block with n rows and component c: the whitened rows
     * y = L_c⁻¹(x - μ_c) into {@code y} at {@code yOff} (leading dimension m), and
     * log p(x, z=c) = logConst_c - ½ ‖y‖² into {@code out[base .. base + m)}.
     */
    private void whitenedLogJoint(GaussianScorer s, double[] x, int n, int r0, int m, int c, double[] y, int yOff,
                                  double[] out, int base) {
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

    /**
     * Tied: for rows [r0, r0 + m) of a block with n rows, the chunk whitened once about the centre into
     * {@code whitened} (m x d) and log p(x, z=c) = logConst_c - ½ ‖y - ν_c‖² into {@code out[c*m .. c*m + m)}.
     * {@code out} must hold m*k values and must not be {@code whitened}.
     */
    private void tiedLogJoint(GaussianScorer s, double[] x, int n, int r0, int m, double[] out) {
        double[] y = whitened;
        for (int j = 0; j < d; j++) {
            int src = j * n + r0;
            int dst = j * m;
            double c0 = s.center[j];
            for (int i = 0; i < m; i++) {
                y[dst + i] = x[src + i] - c0;
            }
        }
        kernels.solveLowerTransposed(m, d, s.factors, 0, y, 0);
        for (int c = 0; c < k; c++) {
            int base = c * m;
            for (int i = 0; i < m; i++) {
                out[base + i] = 0;
            }
            for (int j = 0; j < d; j++) {
                int col = j * m;
                double nu = s.whiteMeans[c * d + j];
                for (int i = 0; i < m; i++) {
                    double z = y[col + i] - nu;
                    out[base + i] += z * z;
                }
            }
            double lc = s.logConst[c];
            for (int i = 0; i < m; i++) {
                out[base + i] = lc - 0.5 * out[base + i];
            }
        }
    }

    private void accumulateTied(GaussianScorer s, RowBlock b, GaussianStats into) {
        int n = b.rows;
        java.util.Arrays.fill(tiedYY, 0);
        java.util.Arrays.fill(tiedT, 0);
        java.util.Arrays.fill(tiedN, 0);
        double[] x = b.values;
        for (int r0 = 0; r0 < n; r0 += chunkRows) {
            int m = Math.min(chunkRows, n - r0);
            tiedLogJoint(s, x, n, r0, m, logp);
            normalizeChunk(b, r0, m, into);
            // Weighted responsibilities, then t_c += Yᵀ r_c and N_c += Σ r_c.
            for (int c = 0; c < k; c++) {
                int base = c * m;
                double nk = 0;
                if (b.weights != null) {
                    for (int i = 0; i < m; i++) {
                        logp[base + i] *= b.weights[r0 + i];
                    }
                }
                for (int i = 0; i < m; i++) {
                    nk += logp[base + i];
                }
                if (nk == 0) {
                    continue;
                }
                tiedN[c] += nk;
                kernels.gemvTransposed(m, d, whitened, 0, logp, base, tiedT, c * d);
            }
            // Σ w y yᵀ: Σ_c r_ic = 1, so one syrk serves every component.
            if (b.weights != null) {
                for (int i = 0; i < m; i++) {
                    scratch[i] = Math.sqrt(b.weights[r0 + i]);
                }
                for (int j = 0; j < d; j++) {
                    int col = j * m;
                    for (int i = 0; i < m; i++) {
                        whitened[col + i] *= scratch[i];
                    }
                }
            }
            kernels.syrkLower(d, m, whitened, 0, tiedYY, 0);
        }
        into.rows += n;
        addTiedUnwhitened(s, into);
    }

    /**
     * Tied: the block's whitened statistics in the original coordinates, centred on each component's mean:
     * Σ r (x - μ_c) = L (t_c - N_c ν_c), and the pooled L [Σ w y yᵀ - Σ_c (ν t ᵀ + t νᵀ - N ν νᵀ)] Lᵀ.
     */
    private void addTiedUnwhitened(GaussianScorer s, GaussianStats into) {
        double[] nu = s.whiteMeans;
        double[] l = s.factors;
        double[] u = tiedShift;
        for (int c = 0; c < k; c++) {
            double nk = tiedN[c];
            if (nk == 0) {
                continue;
            }
            into.resp[c] += nk;
            for (int j = 0; j < d; j++) {
                u[j] = tiedT[c * d + j] - nk * nu[c * d + j];
            }
            for (int a = 0; a < d; a++) {
                double v = 0;
                for (int j = 0; j <= a; j++) {
                    v += l[a + j * d] * u[j];
                }
                into.first[c * d + a] += v;
            }
        }
        for (int j = 0; j < d; j++) {
            for (int i = j; i < d; i++) {
                double v = tiedYY[i + j * d];
                for (int c = 0; c < k; c++) {
                    double nc = tiedN[c];
                    if (nc == 0) {
                        continue;
                    }
                    double ni = nu[c * d + i];
                    double nj = nu[c * d + j];
                    v -= ni * tiedT[c * d + j] + tiedT[c * d + i] * nj - nc * ni * nj;
                }
                square[i + j * d] = v;
                square[j + i * d] = v;
            }
        }
        blas.dtrmm("L", "L", "N", "N", d, d, 1.0, l, 0, d, square, 0, d);
        blas.dtrmm("R", "L", "T", "N", d, d, 1.0, l, 0, d, square, 0, d);
        for (int j = 0; j < d; j++) {
            for (int i = j; i < d; i++) {
                into.second[i + j * d] += square[i + j * d];
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
        logJoint(s, b, resp);
        LogSumExp.normalizeRows(resp, n, k, rowLogLik, scratch, shift, kernels);
        checkFinite(b, rowLogLik);
    }

    /**
     * Each row of the block with its missing cells replaced by their conditional mean given the observed
     * cells, Σ_c r_ic E[x_m | x_o, c], for the row's posterior {@code resp[i + c*n]} (from
     * {@link #posterior}); column-major n x d into {@code out}. Complete rows are copied.
     */
    public void impute(GaussianScorer s, RowBlock b, double[] resp, double[] out) {
        checkShape(s.k, s.d, b);
        if (b.missing == 0) {
            System.arraycopy(b.values, 0, out, 0, b.rows * d);
            return;
        }
        marginal().impute(s, b, resp, out);
    }

    /** One E-step over a block: responsibilities under {@code s}, then statistics centred on s's means. */
    public void accumulate(GaussianScorer s, RowBlock b, GaussianStats into) {
        checkShape(s.k, s.d, b);
        if (b.rows == 0) {
            return;
        }
        if (b.missing > 0) {
            marginal().accumulate(s, b, into);
            return;
        }
        int n = b.rows;
        ensure(n);
        if (full) {
            accumulateFull(s, b, into);
            return;
        }
        if (tied) {
            accumulateTied(s, b, into);
            return;
        }
        logJoint(s, b, logp);
        LogSumExp.normalizeRows(logp, n, k, rowLse, scratch, shift, kernels);
        checkFinite(b, rowLse);
        double ll = 0;
        double w = 0;
        for (int i = 0; i < n; i++) {
            double wi = b.weight(i);
            ll += wi * rowLse[i];
            w += wi;
        }
        if (b.weights != null) {
            for (int c = 0; c < k; c++) {
                int base = c * n;
                for (int i = 0; i < n; i++) {
                    logp[base + i] *= b.weights[i];
                }
            }
        }
        into.logLikelihood += ll;
        into.weight += w;
        into.rows += n;
        addStatistics(b, logp, s.means, into);
    }

    /**
     * Rows [r0, r0 + m) of a block, whose log p(x, z=c) are in {@code logp} (m x k): responsibilities in
     * place by a per-row log-sum-exp, each row's log-likelihood checked finite, and the chunk's weighted
     * log-likelihood and weight added to {@code into}.
     */
    private void normalizeChunk(RowBlock b, int r0, int m, GaussianStats into) {
        LogSumExp.normalizeRows(logp, m, k, rowLse, scratch, shift, kernels);
        double ll = 0;
        double w = 0;
        for (int i = 0; i < m; i++) {
            if (!Double.isFinite(rowLse[i])) {
                throw notFinite(b, r0 + i, rowLse[i]);
            }
            double wi = b.weight(r0 + i);
            ll += wi * rowLse[i];
            w += wi;
        }
        into.logLikelihood += ll;
        into.weight += w;
    }

    private void accumulateFull(GaussianScorer s, RowBlock b, GaussianStats into) {
        int n = b.rows;
        int d1 = d + 1;
        java.util.Arrays.fill(whiteStats, 0);
        double[] x = b.values;
        for (int r0 = 0; r0 < n; r0 += chunkRows) {
            int m = Math.min(chunkRows, n - r0);
            // E-step: whitened rows and log p(x, z=c) of the chunk.
            for (int c = 0; c < k; c++) {
                whitenedLogJoint(s, x, n, r0, m, c, whitened, c * m * d1, logp, c * m);
            }
            normalizeChunk(b, r0, m, into);
            // Statistics: rows scaled by √r, a last column √r, one dsyrk per component.
            for (int c = 0; c < k; c++) {
                int yOff = c * m * d1;
                int base = c * m;
                int last = yOff + d * m;
                boolean any = false;
                for (int i = 0; i < m; i++) {
                    double sr = Math.sqrt(logp[base + i] * b.weight(r0 + i));
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
        into.rows += n;
        addUnwhitened(s, into);
    }

    /**
     * Adds the block's whitened statistics to {@code into} in the original coordinates, centred on μ_k:
     * Σ r = T[d][d], Σ r (x - μ) = L t, Σ r (x - μ)(x - μ)ᵀ = L T Lᵀ (lower triangle).
     */
    private void addUnwhitened(GaussianScorer s, GaussianStats into) {
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
            int o = c * statsStride;
            for (int j = 0; j < d; j++) {
                for (int i = j; i < d; i++) {
                    into.second[o + i + j * d] += square[i + j * d];
                }
            }
        }
    }

    /**
     * Hard assignment of every row to its nearest center (Euclidean, ties to the lower index), then
     * statistics centred on the centers: the responsibility-weighted pass that turns k-means centers into
     * initial weights, means and covariances. The log-likelihood fields are left untouched. A row with
     * missing cells is compared on its observed cells (the squared distance scaled by d / observed), and its
     * missing cells count as equal to its center's.
     */
    public void accumulateNearest(double[] centers, RowBlock b, GaussianStats into) {
        checkShape(k, centers.length / k, b);
        if (b.rows == 0) {
            return;
        }
        int n = b.rows;
        ensure(n);
        double[] x = b.values;
        boolean missing = b.missing > 0;
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
                    logp[base + i] += missing && z != z ? 0.0 : z * z;
                }
            }
        }
        if (missing) {
            for (int i = 0; i < n; i++) {
                int observed = 0;
                for (int j = 0; j < d; j++) {
                    double v = x[i + j * n];
                    observed += v == v ? 1 : 0;
                }
                double scale = observed == 0 ? 0.0 : (double) d / observed;
                for (int c = 0; c < k; c++) {
                    logp[c * n + i] *= scale;
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
            center(b.values, n, ref, c * d, centered, b.missing > 0);
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
    private void center(double[] x, int n, double[] means, int meanOffset, double[] out, boolean missing) {
        for (int j = 0; j < d; j++) {
            int col = j * n;
            double mu = means[meanOffset + j];
            for (int i = 0; i < n; i++) {
                out[col + i] = x[col + i] - mu;
            }
            if (missing) {
                for (int i = 0; i < n; i++) {
                    double v = out[col + i];
                    out[col + i] = v == v ? v : 0.0;
                }
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
                throw notFinite(b, i, rowLogLik[i]);
            }
        }
    }

    static NumericalException notFinite(RowBlock b, int i, double value) {
        double[] row = new double[b.dim];
        b.row(i, row);
        String shown = java.util.Arrays.toString(java.util.Arrays.copyOf(row, Math.min(row.length, 8)))
                + (row.length > 8 ? "..." : "");
        return new NumericalException("a row " + shown + " has log-likelihood " + value
                + " under every component; its values are too extreme for double precision (rescale the features)");
    }
}
