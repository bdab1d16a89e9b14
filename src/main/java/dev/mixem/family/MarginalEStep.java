package dev.mixem.family;

import dev.mixem.math.BlockKernels;
import dev.mixem.math.Linalg;
import dev.mixem.math.LogSumExp;
import dev.mixem.math.RowBlock;
import dev.mixem.stats.GaussianStats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;

/**
 * The E-step for blocks with missing cells (NaN), after Ghahramani &amp; Jordan (1994). A row with observed
 * coordinates o and missing coordinates m is scored on what was observed,
 * <pre>
 *   log p(x_o, z=k) = log w_k + log N(x_o; μ_k,o, Σ_k,oo),
 * </pre>
 * and its statistics use the conditional distribution of the missing part given the observed part,
 * <pre>
 *   x̂_m = E[x_m | x_o, k] = μ_k,m + Σ_mo Σ_oo⁻¹ (x_o - μ_k,o),   C = Cov[x_m | x_o, k] = Σ_mm - Σ_mo Σ_oo⁻¹ Σ_om,
 * </pre>
 * so that Σ r (x - μ) becomes Σ r (x̂ - μ) and Σ r (x - μ)(x - μ)ᵀ becomes Σ r [(x̂ - μ)(x̂ - μ)ᵀ + C on the
 * m x m block]: the expected complete-data statistics, which makes the unchanged M-step exact EM on the
 * observed-data likelihood.
 * <p>
 * Full covariance: the Cholesky factor of Σ_oo, the regression Σ_mo Σ_oo⁻¹ and C depend only on the row's
 * pattern of missing cells and on the component, so they are computed once per pattern and parameter set
 * and kept across the blocks of a task (up to {@value #CACHE_DOUBLES} doubles, then the cache starts
 * over). The rows of a block are grouped by pattern (a stable counting sort into a permuted copy), and each
 * group is whitened with one triangular solve on its observed columns and mapped to x̂ - μ with loops that
 * run down the group's rows, like the complete-data kernels. The statistics are sums over rows, so the
 * permutation changes only the order of summation. Diagonal covariance needs no
 * factorization: the observed coordinates are independent given the component, and a missing one has
 * conditional mean μ and variance σ².
 * <p>
 * One instance per task, not thread-safe. Blocks without missing cells never come here.
 */
final class MarginalEStep {
    private static final double LOG_2PI = Math.log(2 * Math.PI);
    /**
     * From this dimension on, a pattern with fewer missing than observed cells is factored through the
     * precision (O(nm³)) rather than Σ_oo (O(no³)): in many dimensions, patterns seldom repeat and the
     * factorization dominates. Below it, patterns repeat, the factorization is paid once per task, and the
     * Σ_oo route's cheaper per-row work wins (faster at d=10 in a hand-run harness; at d=50, bench-missing
     * ran 2-3.5x faster with the precision route).
     */
    static final int PRECISION_ROUTE_MIN_DIM = 24;
    /** Most doubles the pattern cache holds (64 MiB) before it is cleared. */
    static final long CACHE_DOUBLES = 8L << 20;

    private final int k;
    private final int d;
    /** Full or tied: covariance matrices (a tied scorer holds one factor, at stride 0). */
    private final boolean full;
    private final int statsStride;
    private final BlockKernels kernels;
    private final int precisionRouteMinDim;
    private final HashMap<Key, Pattern> patterns = new HashMap<>();
    private final Key probe;
    private final List<Pattern> groups = new ArrayList<>();
    private GaussianScorer cachedFor;
    private long cachedDoubles;
    /** Diag: log σ² per component and feature, for the scorer the cache is for. */
    private double[] logVar;
    private int capacity;
    private Pattern[] rowPattern;
    private double[] logp;
    private double[] rowLse;
    private double[] scratch;
    private double[] shift;
    private double[] mat;
    /** Diag: the block with missing cells as 0, and 1.0 where observed, 0.0 where missing. */
    private double[] xz;
    private double[] mask;
    /** Full: the block's rows grouped by pattern (n x d column-major), their weights, their original index. */
    private double[] xs;
    private double[] ws;
    private int[] order;
    /** Full: one group's centred observed columns and their whitened copy (m x no). */
    private double[] zb;
    private double[] yb;
    private double[] sr;
    /** Full: a group's Λ_om-projection W = Z_o Λ_om, then its solves (m x nm). */
    private double[] wb;
    /** Full: per component, the precision Λ = Σ⁻¹ (k*d*d) and log det Σ, for the scorer the cache is for. */
    private double[] precision;
    private double[] logDetCov;
    private final double[] z;
    private final double[] e;
    private final double[] firstAcc;
    /** A row's missing-cell workspace (impute's precision route). */
    private final double[] rowScratch;

    MarginalEStep(int k, int d, dev.mixem.config.CovarianceType type, BlockKernels kernels) {
        this(k, d, type, kernels, PRECISION_ROUTE_MIN_DIM);
    }

    /** With the dimension from which the precision route is used (tests use 0 to exercise it at small d). */
    MarginalEStep(int k, int d, dev.mixem.config.CovarianceType type, BlockKernels kernels, int precisionRouteMinDim) {
        this.precisionRouteMinDim = precisionRouteMinDim;
        this.k = k;
        this.d = d;
        this.full = type.matrix();
        this.statsStride = type.statsStride(d);
        this.kernels = kernels;
        this.probe = new Key(new long[(d + 63) >>> 6]);
        this.z = new double[d];
        this.e = new double[d];
        this.firstAcc = new double[d];
        this.rowScratch = new double[d];
    }

    private void ensure(int n) {
        if (n > capacity) {
            capacity = n;
            rowPattern = new Pattern[n];
            logp = new double[n * k];
            rowLse = new double[n];
            scratch = new double[n];
            shift = new double[n];
            if (full) {
                mat = new double[n * d];
                xs = new double[n * d];
                ws = new double[n];
                order = new int[n];
                zb = new double[n * d];
                wb = new double[n * d];
                yb = new double[n * d];
                sr = new double[n];
            }
        }
    }

    /** Forgets what was computed for other parameters. */
    private void prepare(GaussianScorer s) {
        if (s == cachedFor) {
            return;
        }
        patterns.clear();
        cachedDoubles = 0;
        cachedFor = s;
        if (full) {
            precision = new double[k * d * d];
            logDetCov = new double[k];
            for (int c = 0; c < k; c++) {
                System.arraycopy(Linalg.inverseFromCholesky(s.factors, c * s.stride, d), 0, precision, c * d * d, d * d);
                logDetCov[c] = 2 * (s.logWeights[c] - 0.5 * d * LOG_2PI - s.logConst[c]);
            }
        }
        if (!full) {
            logVar = new double[k * d];
            for (int i = 0; i < k * d; i++) {
                logVar[i] = Math.log(s.covariances[i]);
            }
        }
    }

    // Log-densities

    /** log p(x_o, z=c) of every row and component into {@code out[i + c*n]}. */
    void logJoint(GaussianScorer s, RowBlock b, double[] out) {
        prepare(s);
        int n = b.rows;
        ensure(n);
        if (full) {
            group(s, b);
            groupedLogJoint(s, n, logp);
            for (int c = 0; c < k; c++) {
                for (int pos = 0; pos < n; pos++) {
                    out[order[pos] + c * n] = logp[pos + c * n];
                }
            }
            return;
        }
        maskBlock(b);
        for (int c = 0; c < k; c++) {
            int base = c * n;
            Arrays.fill(out, base, base + n, 0.0);
            for (int j = 0; j < d; j++) {
                int col = j * n;
                double mu = s.means[c * d + j];
                double prec = s.factors[c * d + j];
                double constant = LOG_2PI + logVar[c * d + j];
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

    /** log p(x_o, z=c) of the grouped rows into {@code out[pos + c*n]}: each group whitened by its L_oo. */
    private void groupedLogJoint(GaussianScorer s, int n, double[] out) {
        for (Pattern p : groups) {
            int g0 = p.start;
            int m = p.count;
            int no = p.obs.length;
            for (int c = 0; c < k; c++) {
                int base = c * n + g0;
                if (no == 0) {
                    Arrays.fill(out, base, base + m, p.logConst[c]);
                    continue;
                }
                Arrays.fill(out, base, base + m, 0.0);
                if (p.viaPrecision) {
                    centreObserved(s, p, c, g0, m, n, zb);
                    schurMahalanobis(p, c, m, out, base);
                } else {
                    centreObserved(s, p, c, g0, m, n, yb);
                    kernels.solveLowerTransposed(m, no, p.lo, c * no * no, yb, 0);
                    for (int t = 0; t < no; t++) {
                        int col = t * m;
                        for (int i = 0; i < m; i++) {
                            double v = yb[col + i];
                            out[base + i] += v * v;
                        }
                    }
                }
                double lc = p.logConst[c];
                for (int i = 0; i < m; i++) {
                    out[base + i] = lc - 0.5 * out[base + i];
                }
            }
        }
    }

    /**
     * Precision route: adds z_oᵀ Σ_oo⁻¹ z_o = z_oᵀ Λ_oo z_o - wᵀ Λ_mm⁻¹ w, w = Λ_mo z_o (a Schur complement),
     * for the group's centred observed columns in {@code zb}, to {@code out[base ..]}; leaves
     * V = W L_mm⁻ᵀ in {@code wb}. Clamped at 0 against the rounding of the difference.
     */
    private void schurMahalanobis(Pattern p, int c, int m, double[] out, int base) {
        int no = p.obs.length;
        int nm = p.mis.length;
        int po = c * d * d;
        for (int t = 0; t < no; t++) {
            int jt = p.obs[t];
            int zt = t * m;
            for (int u = 0; u < no; u++) {
                double lam = precision[po + p.obs[u] + jt * d];
                int zu = u * m;
                for (int i = 0; i < m; i++) {
                    out[base + i] += lam * zb[zu + i] * zb[zt + i];
                }
            }
        }
        projectMissing(p, c, m);
        kernels.solveLowerTransposed(m, nm, p.lmm, c * nm * nm, wb, 0);
        for (int a = 0; a < nm; a++) {
            int col = a * m;
            for (int i = 0; i < m; i++) {
                double v = wb[col + i];
                out[base + i] -= v * v;
            }
        }
        for (int i = 0; i < m; i++) {
            out[base + i] = Math.max(0.0, out[base + i]);
        }
    }

    /** W = Z_o Λ_om (m x nm) into {@code wb}, for the centred observed columns in {@code zb}. */
    private void projectMissing(Pattern p, int c, int m) {
        int no = p.obs.length;
        int nm = p.mis.length;
        int po = c * d * d;
        Arrays.fill(wb, 0, m * nm, 0.0);
        for (int a = 0; a < nm; a++) {
            int ja = p.mis[a];
            int col = a * m;
            for (int u = 0; u < no; u++) {
                double lam = precision[po + p.obs[u] + ja * d];
                int zu = u * m;
                for (int i = 0; i < m; i++) {
                    wb[col + i] += lam * zb[zu + i];
                }
            }
        }
    }

    /**
     * Precision route: x̂_m - μ_m = -Λ_mm⁻¹ w for the group, from V = W L_mm⁻ᵀ in {@code wb}: solves U L_mm = V
     * in place (U = V L_mm⁻¹, whose row i is (L_mm⁻ᵀ v_i)ᵀ = (Λ_mm⁻¹ w_i)ᵀ), then negates.
     */
    private void conditionalMissing(Pattern p, int c, int m) {
        int nm = p.mis.length;
        int lo = c * nm * nm;
        for (int j = nm - 1; j >= 0; j--) {
            int cj = j * m;
            for (int t = j + 1; t < nm; t++) {
                double l = p.lmm[lo + t + j * nm];
                int ct = t * m;
                for (int i = 0; i < m; i++) {
                    wb[cj + i] -= wb[ct + i] * l;
                }
            }
            double inv = 1.0 / p.lmm[lo + j + j * nm];
            for (int i = 0; i < m; i++) {
                wb[cj + i] *= inv;
            }
        }
        for (int i = 0; i < m * nm; i++) {
            wb[i] = -wb[i];
        }
    }

    /** The group's observed columns centred on μ_c, m x no column-major, into {@code z}. */
    private void centreObserved(GaussianScorer s, Pattern p, int c, int g0, int m, int n, double[] z) {
        int no = p.obs.length;
        for (int t = 0; t < no; t++) {
            int j = p.obs[t];
            double mu = s.means[c * d + j];
            int src = g0 + j * n;
            int dst = t * m;
            for (int i = 0; i < m; i++) {
                z[dst + i] = xs[src + i] - mu;
            }
        }
    }

    // Statistics

    void accumulate(GaussianScorer s, RowBlock b, GaussianStats into) {
        int n = b.rows;
        ensure(n);
        if (full) {
            // Rows stay grouped by pattern (permuted) from here on: the statistics are sums over rows.
            prepare(s);
            group(s, b);
            groupedLogJoint(s, n, logp);
        } else {
            logJoint(s, b, logp);
        }
        LogSumExp.normalizeRows(logp, n, k, rowLse, scratch, shift, kernels);
        double ll = 0;
        double w = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(rowLse[i])) {
                throw GaussianEStep.notFinite(b, full ? order[i] : i, rowLse[i]);
            }
            double wi = full ? ws[i] : b.weight(i);
            ll += wi * rowLse[i];
            w += wi;
        }
        into.logLikelihood += ll;
        into.weight += w;
        into.rows += n;
        if (full) {
            addFull(s, b, into);
        } else {
            addDiag(s, b, into);
        }
    }

    /**
     * Statistics of the grouped rows: per group and component, x̂ - μ_c = [x_o - μ_o; B (x_o - μ_o)] scaled by
     * √(w r) into the block matrix, one syrk per component, and Σ w r · C on the missing block per group.
     */
    private void addFull(GaussianScorer s, RowBlock b, GaussianStats into) {
        int n = b.rows;
        for (int c = 0; c < k; c++) {
            int mo = c * d;
            int so = c * statsStride;
            double nk = 0;
            Arrays.fill(firstAcc, 0);
            for (Pattern p : groups) {
                int g0 = p.start;
                int m = p.count;
                int no = p.obs.length;
                int nm = p.mis.length;
                double groupResp = 0;
                for (int i = 0; i < m; i++) {
                    double wr = logp[c * n + g0 + i] * ws[g0 + i];
                    groupResp += wr;
                    sr[i] = Math.sqrt(wr);
                }
                nk += groupResp;
                centreObserved(s, p, c, g0, m, n, zb);
                for (int t = 0; t < no; t++) {
                    int j = p.obs[t];
                    int zc = t * m;
                    int dst = g0 + j * n;
                    double f = 0;
                    for (int i = 0; i < m; i++) {
                        double v = zb[zc + i] * sr[i];
                        mat[dst + i] = v;
                        f += v * sr[i];
                    }
                    firstAcc[j] += f;
                }
                int bo = c * nm * no;
                if (p.viaPrecision) {
                    projectMissing(p, c, m);
                    kernels.solveLowerTransposed(m, nm, p.lmm, c * nm * nm, wb, 0);
                    conditionalMissing(p, c, m);
                }
                for (int a = 0; a < nm; a++) {
                    int j = p.mis[a];
                    int dst = g0 + j * n;
                    if (p.viaPrecision) {
                        System.arraycopy(wb, a * m, yb, 0, m);
                    } else {
                        Arrays.fill(yb, 0, m, 0.0);
                        for (int t = 0; t < no; t++) {
                            double coef = p.b[bo + a * no + t];
                            int zc = t * m;
                            for (int i = 0; i < m; i++) {
                                yb[i] += coef * zb[zc + i];
                            }
                        }
                    }
                    double f = 0;
                    for (int i = 0; i < m; i++) {
                        double v = yb[i] * sr[i];
                        mat[dst + i] = v;
                        f += v * sr[i];
                    }
                    firstAcc[j] += f;
                }
                if (nm > 0 && groupResp != 0) {
                    int co = c * nm * nm;
                    for (int bb = 0; bb < nm; bb++) {
                        for (int a = bb; a < nm; a++) {
                            into.second[so + p.mis[a] + p.mis[bb] * d] += groupResp * p.cond[co + a + bb * nm];
                        }
                    }
                }
            }
            if (nk == 0) {
                continue;
            }
            into.resp[c] += nk;
            for (int a = 0; a < d; a++) {
                into.first[mo + a] += firstAcc[a];
            }
            kernels.syrkLower(d, n, mat, 0, into.second, so);
        }
    }

    /**
     * x̂ - μ_c for row i: x_o - μ_o on the observed coordinates and Σ_mo Σ_oo⁻¹ (x_o - μ_o) on the missing
     * ones, into {@code out[0 .. d)}.
     */
    private void conditionalDeviation(GaussianScorer s, double[] x, int n, int i, int c, Pattern p, double[] out) {
        int mo = c * d;
        int no = p.obs.length;
        for (int t = 0; t < no; t++) {
            int j = p.obs[t];
            double v = x[i + j * n] - s.means[mo + j];
            z[t] = v;
            out[j] = v;
        }
        int nm = p.mis.length;
        if (p.viaPrecision) {
            // -Λ_mm⁻¹ Λ_mo z: w, then L y = w and Lᵀ u = y with L = chol(Λ_mm).
            double[] w = rowScratch;
            int po = c * d * d;
            int lo = c * nm * nm;
            for (int a = 0; a < nm; a++) {
                double v = 0;
                for (int t = 0; t < no; t++) {
                    v += precision[po + p.obs[t] + p.mis[a] * d] * z[t];
                }
                w[a] = v;
            }
            for (int a = 0; a < nm; a++) {
                double v = w[a];
                for (int t = 0; t < a; t++) {
                    v -= p.lmm[lo + a + t * nm] * w[t];
                }
                w[a] = v / p.lmm[lo + a + a * nm];
            }
            for (int a = nm - 1; a >= 0; a--) {
                double v = w[a];
                for (int t = a + 1; t < nm; t++) {
                    v -= p.lmm[lo + t + a * nm] * w[t];
                }
                w[a] = v / p.lmm[lo + a + a * nm];
            }
            for (int a = 0; a < nm; a++) {
                out[p.mis[a]] = -w[a];
            }
            return;
        }
        int bo = c * nm * no;
        for (int a = 0; a < nm; a++) {
            double v = 0;
            int row = bo + a * no;
            for (int t = 0; t < no; t++) {
                v += p.b[row + t] * z[t];
            }
            out[p.mis[a]] = v;
        }
    }

    private void addDiag(GaussianScorer s, RowBlock b, GaussianStats into) {
        int n = b.rows;
        for (int c = 0; c < k; c++) {
            int base = c * n;
            if (b.weights != null) {
                for (int i = 0; i < n; i++) {
                    logp[base + i] *= b.weights[i];
                }
            }
            double nk = 0;
            for (int i = 0; i < n; i++) {
                nk += logp[base + i];
            }
            if (nk == 0) {
                continue;
            }
            into.resp[c] += nk;
            for (int j = 0; j < d; j++) {
                int col = j * n;
                double mu = s.means[c * d + j];
                double variance = s.covariances[c * d + j];
                double f = 0;
                double sq = 0;
                double observedResp = 0;
                for (int i = 0; i < n; i++) {
                    double r = logp[base + i] * mask[col + i];
                    double t = xz[col + i] - mu;
                    f += r * t;
                    sq += r * t * t;
                    observedResp += r;
                }
                into.first[c * d + j] += f;
                into.second[c * d + j] += sq + (nk - observedResp) * variance;
            }
        }
    }

    // Imputation

    /**
     * The conditional mean of every row given its observed cells, Σ_k r_ik E[x | x_o, k], into {@code out}
     * (column-major n x d, observed cells copied), for responsibilities {@code resp[i + c*n]} of this block.
     */
    void impute(GaussianScorer s, RowBlock b, double[] resp, double[] out) {
        prepare(s);
        int n = b.rows;
        ensure(n);
        double[] x = b.values;
        System.arraycopy(x, 0, out, 0, n * d);
        if (full) {
            assignPatterns(s, b);
        }
        for (int i = 0; i < n; i++) {
            if (!b.rowHasMissing(i)) {
                continue;
            }
            for (int j = 0; j < d; j++) {
                if (x[i + j * n] != x[i + j * n]) {
                    out[i + j * n] = 0;
                }
            }
            for (int c = 0; c < k; c++) {
                double r = resp[i + c * n];
                if (r == 0) {
                    continue;
                }
                if (full) {
                    conditionalDeviation(s, x, n, i, c, rowPattern[i], e);
                }
                for (int j = 0; j < d; j++) {
                    if (x[i + j * n] != x[i + j * n]) {
                        out[i + j * n] += r * (s.means[c * d + j] + (full ? e[j] : 0));
                    }
                }
            }
        }
    }

    // Patterns

    /**
     * Groups the block's rows by pattern: a stable counting sort, groups in order of first appearance, into
     * {@code xs}, {@code ws} and {@code order}, with each pattern's {@code start} and {@code count}.
     */
    private void group(GaussianScorer s, RowBlock b) {
        int n = b.rows;
        ungroup();
        assignPatterns(s, b);
        groups.clear();
        for (int i = 0; i < n; i++) {
            Pattern p = rowPattern[i];
            if (p.count == 0) {
                groups.add(p);
            }
            p.count++;
        }
        int start = 0;
        for (Pattern p : groups) {
            p.start = start;
            p.cursor = start;
            start += p.count;
        }
        for (int i = 0; i < n; i++) {
            order[rowPattern[i].cursor++] = i;
        }
        for (int j = 0; j < d; j++) {
            int col = j * n;
            for (int pos = 0; pos < n; pos++) {
                xs[col + pos] = b.values[col + order[pos]];
            }
        }
        for (int pos = 0; pos < n; pos++) {
            ws[pos] = b.weight(order[pos]);
        }
    }

    /** Forgets the previous block's grouping (counts), so that this block's starts from zero. */
    private void ungroup() {
        for (Pattern p : groups) {
            p.count = 0;
        }
    }

    private void assignPatterns(GaussianScorer s, RowBlock b) {
        int n = b.rows;
        for (int i = 0; i < n; i++) {
            Arrays.fill(probe.bits, 0);
            for (int j = 0; j < d; j++) {
                double v = b.values[i + j * n];
                if (v != v) {
                    probe.bits[j >>> 6] |= 1L << (j & 63);
                }
            }
            probe.rehash();
            Pattern p = patterns.get(probe);
            if (p == null) {
                p = factor(s, probe.bits);
                if (cachedDoubles + p.size > CACHE_DOUBLES) {
                    patterns.clear();
                    cachedDoubles = 0;
                    // Rows of this block already assigned keep their (still valid) patterns.
                }
                Key key = new Key(probe.bits.clone());
                key.rehash();
                patterns.put(key, p);
                cachedDoubles += p.size;
            }
            rowPattern[i] = p;
        }
    }

    /** Factorizations of one missingness pattern for every component of the scorer. */
    private Pattern factor(GaussianScorer s, long[] bits) {
        int nm = 0;
        for (long word : bits) {
            nm += Long.bitCount(word);
        }
        int no = d - nm;
        int[] obs = new int[no];
        int[] mis = new int[nm];
        for (int j = 0, a = 0, t = 0; j < d; j++) {
            if ((bits[j >>> 6] & (1L << (j & 63))) != 0) {
                mis[a++] = j;
            } else {
                obs[t++] = j;
            }
        }
        if (nm > 0 && nm < no && d >= precisionRouteMinDim) {
            return factorViaPrecision(obs, mis);
        }
        Pattern p = new Pattern(k, obs, mis, false);
        double[] soo = new double[no * no];
        double[] at = new double[no * nm];
        for (int c = 0; c < k; c++) {
            int off = c * s.stride;
            double[] cov = s.covariances;
            for (int bb = 0; bb < no; bb++) {
                for (int a = 0; a < no; a++) {
                    soo[a + bb * no] = cov[off + obs[a] + obs[bb] * d];
                }
            }
            double logDet = 0;
            int lo = c * no * no;
            if (no > 0) {
                double[] l = Linalg.choleskyLower(soo, 0, no);
                if (l == null) {
                    throw new NumericalException("the covariance of component " + c + " restricted to the "
                            + no + " observed features of a row is not positive definite; increase --reg-covar");
                }
                System.arraycopy(l, 0, p.lo, lo, no * no);
                logDet = Linalg.logDetFromCholesky(l, 0, no);
            }
            p.logConst[c] = s.logWeights[c] - 0.5 * no * LOG_2PI - 0.5 * logDet;
            // Aᵀ = L_oo⁻¹ Σ_om (no x nm), by forward substitution per column.
            for (int a = 0; a < nm; a++) {
                int col = a * no;
                for (int t = 0; t < no; t++) {
                    at[col + t] = cov[off + obs[t] + mis[a] * d];
                }
                for (int j = 0; j < no; j++) {
                    double v = at[col + j] / p.lo[lo + j + j * no];
                    at[col + j] = v;
                    for (int t = j + 1; t < no; t++) {
                        at[col + t] -= p.lo[lo + t + j * no] * v;
                    }
                }
            }
            // C = Σ_mm - A Aᵀ.
            int co = c * nm * nm;
            for (int bb = 0; bb < nm; bb++) {
                for (int a = bb; a < nm; a++) {
                    double v = cov[off + mis[a] + mis[bb] * d];
                    for (int t = 0; t < no; t++) {
                        v -= at[a * no + t] * at[bb * no + t];
                    }
                    p.cond[co + a + bb * nm] = v;
                    p.cond[co + bb + a * nm] = v;
                }
            }
            // Bᵀ = L_ooᵀ⁻¹ Aᵀ by back substitution; row a of B = Σ_mo Σ_oo⁻¹ is column a of Bᵀ.
            int bo = c * nm * no;
            for (int a = 0; a < nm; a++) {
                int col = a * no;
                for (int t = no - 1; t >= 0; t--) {
                    double v = at[col + t];
                    for (int j = t + 1; j < no; j++) {
                        v -= p.lo[lo + j + t * no] * p.b[bo + col + j];
                    }
                    p.b[bo + col + t] = v / p.lo[lo + t + t * no];
                }
            }
        }
        return p;
    }

    /**
     * A pattern with fewer missing than observed cells: the Cholesky factor of Λ_mm (the precision's missing
     * block, nm x nm) instead of Σ_oo's. With det Σ_oo = det Σ · det Λ_mm and Cov[x_m | x_o] = Λ_mm⁻¹, a
     * pattern costs O(nm³) to factor instead of O(no³), which matters when patterns do not repeat.
     */
    private Pattern factorViaPrecision(int[] obs, int[] mis) {
        int no = obs.length;
        int nm = mis.length;
        Pattern p = new Pattern(k, obs, mis, true);
        double[] lam = new double[nm * nm];
        for (int c = 0; c < k; c++) {
            int po = c * d * d;
            for (int bb = 0; bb < nm; bb++) {
                for (int a = 0; a < nm; a++) {
                    lam[a + bb * nm] = precision[po + mis[a] + mis[bb] * d];
                }
            }
            double[] l = Linalg.choleskyLower(lam, 0, nm);
            if (l == null) {
                throw new NumericalException("the precision of component " + c + " restricted to the " + nm
                        + " missing features of a row is not positive definite; increase --reg-covar");
            }
            int lo = c * nm * nm;
            System.arraycopy(l, 0, p.lmm, lo, nm * nm);
            double logDetOo = logDetCov[c] + Linalg.logDetFromCholesky(l, 0, nm);
            p.logConst[c] = cachedFor.logWeights[c] - 0.5 * no * LOG_2PI - 0.5 * logDetOo;
            // C = Λ_mm⁻¹.
            System.arraycopy(Linalg.inverseFromCholesky(l, 0, nm), 0, p.cond, lo, nm * nm);
        }
        return p;
    }

    private static final class Key {
        final long[] bits;
        int hash;

        Key(long[] bits) {
            this.bits = bits;
        }

        void rehash() {
            hash = Arrays.hashCode(bits);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key other && Arrays.equals(bits, other.bits);
        }
    }

    /** One missingness pattern's factorizations, per component. */
    private static final class Pattern {
        final int[] obs;
        final int[] mis;
        final double[] logConst;
        /** Per component, the no x no lower Cholesky factor of Σ_oo, column-major. */
        final double[] lo;
        /** Per component, Σ_mo Σ_oo⁻¹ (nm x no), row a of it contiguous. */
        final double[] b;
        /** Per component, the nm x nm conditional covariance Σ_mm - Σ_mo Σ_oo⁻¹ Σ_om. */
        final double[] cond;
        final long size;
        /** Whether the pattern is factored through the precision's missing block ({@link #lmm}). */
        final boolean viaPrecision;
        /** Precision route: per component, the nm x nm lower Cholesky factor of Λ_mm. */
        final double[] lmm;
        /** This block's rows with the pattern: how many, where the group starts, the next free position. */
        int count;
        int start;
        int cursor;

        Pattern(int k, int[] obs, int[] mis, boolean viaPrecision) {
            int no = obs.length;
            int nm = mis.length;
            this.obs = obs;
            this.mis = mis;
            this.viaPrecision = viaPrecision;
            this.logConst = new double[k];
            this.lo = viaPrecision ? new double[0] : new double[k * no * no];
            this.b = viaPrecision ? new double[0] : new double[k * nm * no];
            this.lmm = viaPrecision ? new double[k * nm * nm] : new double[0];
            this.cond = new double[k * nm * nm];
            this.size = (long) k * (viaPrecision ? 2 * nm * nm + 2 : no * no + nm * no + nm * nm + 2) + obs.length
                    + mis.length;
        }
    }
}
