package dev.mixem.family.gaussian;

import dev.mixem.family.NumericalException;
import dev.mixem.math.Linalg;
import dev.mixem.math.RowBlock;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;

/**
 * The missingness patterns of a task's blocks under one full (or tied) covariance scorer, and their
 * factorizations. The Cholesky factor of Σ_oo, the regression Σ_mo Σ_oo⁻¹ and the conditional covariance
 * C = Σ_mm - Σ_mo Σ_oo⁻¹ Σ_om depend only on a row's pattern of missing cells and on the component, so they
 * are computed once per pattern and kept across the blocks of a task (up to {@value #CACHE_DOUBLES} doubles,
 * then the cache starts over). {@link #group} sorts a block's rows by pattern (a stable counting sort into a
 * permuted copy) so that the kernels run down each group's rows. Not thread-safe.
 */
final class MissingPatterns {
    static final double LOG_2PI = Math.log(2 * Math.PI);
    /** Most doubles the pattern cache holds (64 MiB) before it is cleared. */
    static final long CACHE_DOUBLES = 8L << 20;

    private final GaussianScorer s;
    private final int k;
    private final int d;
    private final int precisionRouteMinDim;
    private final HashMap<Key, Pattern> patterns = new HashMap<>();
    private final Key probe;
    /** This block's patterns in order of first appearance. */
    final List<Pattern> groups = new ArrayList<>();
    private long cachedDoubles;
    /** Per component, the precision Λ = Σ⁻¹ (k*d*d) and log det Σ. */
    final double[] precision;
    private final double[] logDetCov;
    private int capacity;
    /** Each row's pattern, in input order. */
    Pattern[] rowPattern;
    /** The block's rows grouped by pattern (n x d column-major), their weights, their original index. */
    double[] xs;
    double[] ws;
    int[] order;

    MissingPatterns(GaussianScorer s, int precisionRouteMinDim) {
        this.s = s;
        this.k = s.k;
        this.d = s.d;
        this.precisionRouteMinDim = precisionRouteMinDim;
        this.probe = new Key(new long[(d + 63) >>> 6]);
        this.precision = new double[k * d * d];
        this.logDetCov = new double[k];
        for (int c = 0; c < k; c++) {
            System.arraycopy(Linalg.inverseFromCholesky(s.factors, c * s.stride, d), 0, precision, c * d * d, d * d);
            logDetCov[c] = 2 * (s.logWeights[c] - 0.5 * d * LOG_2PI - s.logConst[c]);
        }
    }

    void ensure(int n) {
        if (n > capacity) {
            capacity = n;
            rowPattern = new Pattern[n];
            xs = new double[n * d];
            ws = new double[n];
            order = new int[n];
        }
    }

    /**
     * Groups the block's rows by pattern: a stable counting sort, groups in order of first appearance, into
     * {@code xs}, {@code ws} and {@code order}, with each pattern's {@code start} and {@code count}.
     */
    void group(RowBlock b) {
        int n = b.rows;
        ensure(n);
        for (Pattern p : groups) {
            p.count = 0;
        }
        assign(b);
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

    /** Each row's pattern into {@code rowPattern}, factoring the patterns not seen before. */
    void assign(RowBlock b) {
        int n = b.rows;
        ensure(n);
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
                p = factor(probe.bits);
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
    private Pattern factor(long[] bits) {
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
            p.logConst[c] = s.logWeights[c] - 0.5 * no * LOG_2PI - 0.5 * logDetOo;
            // C = Λ_mm⁻¹.
            System.arraycopy(Linalg.inverseFromCholesky(l, 0, nm), 0, p.cond, lo, nm * nm);
        }
        return p;
    }

    static final class Key {
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
    static final class Pattern {
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
