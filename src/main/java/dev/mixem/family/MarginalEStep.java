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
 * over). Rows then cost O(d²) per component, like complete rows. Diagonal covariance needs no
 * factorization: the observed coordinates are independent given the component, and a missing one has
 * conditional mean μ and variance σ².
 * <p>
 * One instance per task, not thread-safe. Blocks without missing cells never come here.
 */
final class MarginalEStep {
    private static final double LOG_2PI = Math.log(2 * Math.PI);
    /** Most doubles the pattern cache holds (64 MiB) before it is cleared. */
    static final long CACHE_DOUBLES = 8L << 20;

    private final int k;
    private final int d;
    private final boolean full;
    private final BlockKernels kernels;
    private final HashMap<Key, Pattern> patterns = new HashMap<>();
    private final Key probe;
    private final List<Pattern> touched = new ArrayList<>();
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
    private final double[] z;
    private final double[] e;
    private final double[] firstAcc;

    MarginalEStep(int k, int d, boolean full, BlockKernels kernels) {
        this.k = k;
        this.d = d;
        this.full = full;
        this.kernels = kernels;
        this.probe = new Key(new long[(d + 63) >>> 6]);
        this.z = new double[d];
        this.e = new double[d];
        this.firstAcc = new double[d];
    }

    private void ensure(int n) {
        if (n > capacity) {
            capacity = n;
            rowPattern = new Pattern[n];
            logp = new double[n * k];
            rowLse = new double[n];
            scratch = new double[n];
            shift = new double[n];
            mat = full ? new double[n * d] : null;
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
            assignPatterns(s, b);
            for (int c = 0; c < k; c++) {
                for (int i = 0; i < n; i++) {
                    out[i + c * n] = fullLogJoint(s, b, i, c);
                }
            }
            return;
        }
        double[] x = b.values;
        for (int c = 0; c < k; c++) {
            int base = c * n;
            Arrays.fill(out, base, base + n, 0.0);
            for (int j = 0; j < d; j++) {
                int col = j * n;
                double mu = s.means[c * d + j];
                double prec = s.factors[c * d + j];
                double constant = LOG_2PI + logVar[c * d + j];
                for (int i = 0; i < n; i++) {
                    double v = x[col + i];
                    if (v == v) {
                        double t = v - mu;
                        out[base + i] += t * t * prec + constant;
                    }
                }
            }
            double lw = s.logWeights[c];
            for (int i = 0; i < n; i++) {
                out[base + i] = lw - 0.5 * out[base + i];
            }
        }
    }

    /** log p(x_o, z=c) of row i under its pattern: the observed part whitened by L_oo. */
    private double fullLogJoint(GaussianScorer s, RowBlock b, int i, int c) {
        Pattern p = rowPattern[i];
        int no = p.obs.length;
        int n = b.rows;
        int mo = c * d;
        for (int t = 0; t < no; t++) {
            int j = p.obs[t];
            z[t] = b.values[i + j * n] - s.means[mo + j];
        }
        double[] l = p.lo;
        int lo = c * no * no;
        double q = 0;
        for (int j = 0; j < no; j++) {
            int col = lo + j * no;
            double yj = z[j] / l[col + j];
            q += yj * yj;
            for (int t = j + 1; t < no; t++) {
                z[t] -= l[col + t] * yj;
            }
        }
        return p.logConst[c] - 0.5 * q;
    }

    // Statistics

    void accumulate(GaussianScorer s, RowBlock b, GaussianStats into) {
        int n = b.rows;
        ensure(n);
        logJoint(s, b, logp);
        LogSumExp.normalizeRows(logp, n, k, rowLse, scratch, shift, kernels);
        double ll = 0;
        double w = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(rowLse[i])) {
                throw GaussianEStep.notFinite(b, i, rowLse[i]);
            }
            double wi = b.weight(i);
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

    private void addFull(GaussianScorer s, RowBlock b, GaussianStats into) {
        int n = b.rows;
        double[] x = b.values;
        for (int c = 0; c < k; c++) {
            int mo = c * d;
            double nk = 0;
            Arrays.fill(firstAcc, 0);
            for (int i = 0; i < n; i++) {
                double wr = logp[i + c * n] * b.weight(i);
                if (wr == 0) {
                    for (int a = 0; a < d; a++) {
                        mat[i + a * n] = 0;
                    }
                    continue;
                }
                conditionalDeviation(s, x, n, i, c, rowPattern[i], e);
                double sr = Math.sqrt(wr);
                for (int a = 0; a < d; a++) {
                    firstAcc[a] += wr * e[a];
                    mat[i + a * n] = sr * e[a];
                }
                Pattern p = rowPattern[i];
                if (p.mis.length > 0) {
                    if (!p.touched) {
                        p.touched = true;
                        touched.add(p);
                    }
                    p.acc[c] += wr;
                }
                nk += wr;
            }
            if (nk == 0) {
                continue;
            }
            into.resp[c] += nk;
            for (int a = 0; a < d; a++) {
                into.first[mo + a] += firstAcc[a];
            }
            kernels.syrkLower(d, n, mat, 0, into.second, c * d * d);
        }
        // Σ r C per pattern, on the lower triangle of the missing block (mis is increasing).
        for (Pattern p : touched) {
            int nm = p.mis.length;
            for (int c = 0; c < k; c++) {
                double acc = p.acc[c];
                if (acc == 0) {
                    continue;
                }
                int o = c * d * d;
                int co = c * nm * nm;
                for (int bb = 0; bb < nm; bb++) {
                    for (int a = bb; a < nm; a++) {
                        into.second[o + p.mis[a] + p.mis[bb] * d] += acc * p.cond[co + a + bb * nm];
                    }
                }
                p.acc[c] = 0;
            }
            p.touched = false;
        }
        touched.clear();
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
        double[] x = b.values;
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
                double missingResp = 0;
                for (int i = 0; i < n; i++) {
                    double v = x[col + i];
                    double r = logp[base + i];
                    if (v == v) {
                        double t = v - mu;
                        f += r * t;
                        sq += r * t * t;
                    } else {
                        missingResp += r;
                    }
                }
                into.first[c * d + j] += f;
                into.second[c * d + j] += sq + missingResp * variance;
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
        Pattern p = new Pattern(k, obs, mis);
        double[] soo = new double[no * no];
        double[] at = new double[no * nm];
        for (int c = 0; c < k; c++) {
            int off = c * d * d;
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
        /** Per component, Σ w r of the current block's rows with this pattern. */
        final double[] acc;
        final long size;
        boolean touched;

        Pattern(int k, int[] obs, int[] mis) {
            int no = obs.length;
            int nm = mis.length;
            this.obs = obs;
            this.mis = mis;
            this.logConst = new double[k];
            this.lo = new double[k * no * no];
            this.b = new double[k * nm * no];
            this.cond = new double[k * nm * nm];
            this.acc = new double[k];
            this.size = (long) k * (no * no + nm * no + nm * nm + 2) + obs.length + mis.length;
        }
    }
}
