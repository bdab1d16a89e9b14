package dev.mixem.family.gaussian;

import dev.mixem.family.ChunkKernel;
import dev.mixem.math.BlockKernels;
import dev.mixem.math.RowBlock;
import dev.mixem.family.gaussian.MissingPatterns.Pattern;

import java.util.Arrays;

/**
 * The missing-cell kernel of full and tied covariance, after Ghahramani &amp; Jordan (1994). A row with
 * observed coordinates o and missing coordinates m is scored on what was observed,
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
 * The block's rows are grouped by pattern ({@link MissingPatterns}, whose factorizations are cached across
 * the task's blocks), and each group is whitened with one triangular solve on its observed columns and
 * mapped to x̂ - μ with loops that run down the group's rows, like the complete-data kernels. The whole block
 * is one chunk, in the grouped order.
 */
final class MissingFullKernel implements ScaleMixtureKernel, GaussianImputer.Imputing {
    /**
     * From this dimension on, a pattern with fewer missing than observed cells is factored through the
     * precision (O(nm³)) rather than Σ_oo (O(no³)): in many dimensions, patterns seldom repeat and the
     * factorization dominates. Below it, patterns repeat, the factorization is paid once per task, and the
     * Σ_oo route's cheaper per-row work wins (faster at d=10 in a hand-run harness; at d=50, bench-missing
     * ran 2-3.5x faster with the precision route).
     */
    static final int PRECISION_ROUTE_MIN_DIM = 24;

    private final GaussianScorer s;
    private final int k;
    private final int d;
    private final int statsStride;
    private final BlockKernels kernels;
    private final MissingPatterns patterns;
    private int capacity;
    /** Per block: the log-densities in grouped order (whole-block scoring). */
    private double[] logp;
    /** The block matrix of √(w r) (x̂ - μ_c), n x d in grouped order. */
    private double[] mat;
    /** One group's centred observed columns and their whitened copy (m x no). */
    private double[] zb;
    private double[] yb;
    private double[] sr;
    /** A group's Λ_om-projection W = Z_o Λ_om, then its solves (m x nm). */
    private double[] wb;
    private final double[] z;
    private final double[] e;
    private final double[] firstAcc;
    /** A row's missing-cell workspace (impute's precision route). */
    private final double[] rowScratch;
    /** The conditional covariances' weights of the next accumulate (null: the responsibilities). */
    private double[] condWeights;

    MissingFullKernel(GaussianScorer s) {
        this(s, PRECISION_ROUTE_MIN_DIM);
    }

    /** With the dimension from which the precision route is used (tests use 0 to exercise it at small d). */
    MissingFullKernel(GaussianScorer s, int precisionRouteMinDim) {
        this.s = s;
        this.k = s.k;
        this.d = s.d;
        this.statsStride = s.type.statsStride(d);
        this.kernels = BlockKernels.forDimension(d);
        this.patterns = new MissingPatterns(s, precisionRouteMinDim);
        this.z = new double[d];
        this.e = new double[d];
        this.firstAcc = new double[d];
        this.rowScratch = new double[d];
    }

    private void ensure(int n) {
        if (n > capacity) {
            capacity = n;
            logp = new double[n * k];
            mat = new double[n * d];
            zb = new double[n * d];
            wb = new double[n * d];
            yb = new double[n * d];
            sr = new double[n];
        }
    }

    @Override
    public int chunkRows(int n) {
        return n;
    }

    @Override
    public void beginBlock(RowBlock b) {
        ensure(b.rows);
        patterns.group(b);
    }

    @Override
    public double[] rowWeights(RowBlock b) {
        return patterns.ws;
    }

    @Override
    public int sourceRow(int i) {
        return patterns.order[i];
    }

    /** The whole block (r0 = 0, m = n), in grouped order. */
    @Override
    public void logJoint(RowBlock b, int r0, int m, double[] out) {
        groupedLogJoint(b.rows, out);
    }

    @Override
    public void accumulate(RowBlock b, int r0, int m, double[] resp, GaussianStats into) {
        addFull(b, resp, into);
    }

    @Override
    public int observed(int pos) {
        return patterns.rowPattern[patterns.order[pos]].obs.length;
    }

    @Override
    public double logConst(int pos, int c) {
        return patterns.rowPattern[patterns.order[pos]].logConst[c];
    }

    @Override
    public int observedInput(int i) {
        return patterns.rowPattern[i].obs.length;
    }

    @Override
    public double logConstInput(int i, int c) {
        return patterns.rowPattern[i].logConst[c];
    }

    @Override
    public void conditionalWeights(double[] w) {
        condWeights = w;
    }

    @Override
    public void blockLogJoint(RowBlock b, double[] out) {
        int n = b.rows;
        beginBlock(b);
        groupedLogJoint(n, logp);
        int[] order = patterns.order;
        for (int c = 0; c < k; c++) {
            for (int pos = 0; pos < n; pos++) {
                out[order[pos] + c * n] = logp[pos + c * n];
            }
        }
    }

    /** log p(x_o, z=c) of the grouped rows into {@code out[pos + c*n]}: each group whitened by its L_oo. */
    private void groupedLogJoint(int n, double[] out) {
        for (Pattern p : patterns.groups) {
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
                    centreObserved(p, c, g0, m, n, zb);
                    schurMahalanobis(p, c, m, out, base);
                } else {
                    centreObserved(p, c, g0, m, n, yb);
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
                double lam = patterns.precision[po + p.obs[u] + jt * d];
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
                double lam = patterns.precision[po + p.obs[u] + ja * d];
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
    private void centreObserved(Pattern p, int c, int g0, int m, int n, double[] z) {
        int no = p.obs.length;
        for (int t = 0; t < no; t++) {
            int j = p.obs[t];
            double mu = s.means[c * d + j];
            int src = g0 + j * n;
            int dst = t * m;
            for (int i = 0; i < m; i++) {
                z[dst + i] = patterns.xs[src + i] - mu;
            }
        }
    }

    /**
     * Statistics of the grouped rows: per group and component, x̂ - μ_c = [x_o - μ_o; B (x_o - μ_o)] scaled by
     * √(w r) into the block matrix, one syrk per component, and Σ w r · C on the missing block per group.
     */
    private void addFull(RowBlock b, double[] resp, GaussianStats into) {
        int n = b.rows;
        for (int c = 0; c < k; c++) {
            int mo = c * d;
            int so = c * statsStride;
            double nk = 0;
            Arrays.fill(firstAcc, 0);
            for (Pattern p : patterns.groups) {
                int g0 = p.start;
                int m = p.count;
                int no = p.obs.length;
                int nm = p.mis.length;
                double groupResp = 0;
                for (int i = 0; i < m; i++) {
                    double wr = resp[c * n + g0 + i];
                    groupResp += wr;
                    sr[i] = Math.sqrt(wr);
                }
                double groupCond = groupResp;
                if (condWeights != null) {
                    groupCond = 0;
                    for (int i = 0; i < m; i++) {
                        groupCond += condWeights[c * n + g0 + i];
                    }
                }
                nk += groupResp;
                centreObserved(p, c, g0, m, n, zb);
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
                if (nm > 0 && groupCond != 0) {
                    int co = c * nm * nm;
                    for (int bb = 0; bb < nm; bb++) {
                        for (int a = bb; a < nm; a++) {
                            into.second[so + p.mis[a] + p.mis[bb] * d] += groupCond * p.cond[co + a + bb * nm];
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
    private void conditionalDeviation(double[] x, int n, int i, int c, Pattern p, double[] out) {
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
                    v += patterns.precision[po + p.obs[t] + p.mis[a] * d] * z[t];
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

    /**
     * The conditional mean of every row given its observed cells, Σ_k r_ik E[x | x_o, k], into {@code out}
     * (column-major n x d, observed cells copied), for responsibilities {@code resp[i + c*n]} of this block.
     */
    public void impute(RowBlock b, double[] resp, double[] out) {
        int n = b.rows;
        ensure(n);
        double[] x = b.values;
        System.arraycopy(x, 0, out, 0, n * d);
        patterns.assign(b);
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
                conditionalDeviation(x, n, i, c, patterns.rowPattern[i], e);
                for (int j = 0; j < d; j++) {
                    if (x[i + j * n] != x[i + j * n]) {
                        out[i + j * n] += r * (s.means[c * d + j] + e[j]);
                    }
                }
            }
        }
    }
}
