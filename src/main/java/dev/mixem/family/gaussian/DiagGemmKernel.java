package dev.mixem.family.gaussian;

import dev.mixem.family.ChunkKernel;
import dev.mixem.math.BlockKernels;
import dev.mixem.math.RowBlock;
import dev.mixem.math.SeparableGemm;

import java.util.Arrays;

/**
 * Diagonal (and spherical) covariance as GEMM-shaped products on whole blocks ({@link SeparableGemm}). Rows are
 * centred on one reference r = Σ_c w_c μ_c shared by all components, so that one pass over a block's values
 * serves every component: with u = x - r and δ_c = μ_c - r,
 * <pre>
 *   log p(x, z=c) = logConst_c - ½ Σ_j δ_cj²/σ²_cj + Σ_j u_j δ_cj/σ²_cj - ½ Σ_j u_j²/σ²_cj
 * </pre>
 * and the block's Σ r u and Σ r u² are moved to the statistics' own centres μ_c (first = Σ r u - δ N,
 * second = Σ r u² - 2δ Σ r u + δ² N). Centring on r keeps data far from the origin exact (what matters is
 * the spread about r, not |x|).
 * <p>
 * The expansion trades exactness for speed where a component sits far from r in its own units: the terms
 * grow as δ²/σ² and the difference loses their digits. {@link #applies} therefore keeps every
 * component within {@value #MAX_OFFSET_SQ} (δ²/σ², i.e. 1000 standard deviations) of r, which bounds the
 * relative error of a variance by about 1e6 ulp (2e-10); beyond it, and without the Vector API, the scorer
 * uses the exact per-component loops of {@link DiagKernel} and {@link MissingDiagKernel}.
 * <p>
 * With {@code masked}, the kernel serves blocks with missing cells. It copies the block with every missing
 * cell set to the reference (u = 0 there, so the cell adds nothing to the products) and runs the same
 * products; then, cell by missing cell, it takes the cell's constant -½ (log 2πσ²_cj + δ²_cj/σ²_cj) back out
 * of each component's log-density and its responsibility out of the feature's observed weight. A missing
 * cell's statistics are its conditional moments under component c, deviation 0 and squared deviation σ²_cj.
 * The cost over complete rows is one copy of the block and k operations per missing cell (dense masking
 * cost 3x at 10% missing cells, D = 784).
 */
final class DiagGemmKernel implements ChunkKernel<GaussianStats> {
    /** Largest δ²/σ² for which the expanded form is used. */
    static final double MAX_OFFSET_SQ = 1e6;

    private final GaussianScorer s;
    private final boolean masked;
    private final int k;
    private final int kp;
    private final int d;
    private final double[] ref;
    /** δ_cj = μ_cj - r_j. */
    private final double[] delta;
    private final double[] coef;
    /** Per component: the constant of the log-density. */
    private final double[] constant;
    private final SeparableGemm gemm = new SeparableGemm();
    private double[] scores;
    private double[] resp;
    private final double[] f;
    private final double[] q;
    /** Masked: per feature and component, the constant of one cell, {@code cells[j*k + c]}. */
    private final double[] cells;
    /** Masked: Σ r_ic over the rows whose cell (i, j) is missing, {@code [c*d + j]}. */
    private final double[] unobserved;
    /** Masked: the block with missing cells at the reference, and the missing cells (row, feature) of it. */
    private double[] filled;
    private int[] missingRow = new int[0];
    private int[] missingCol = new int[0];
    private int missingCount;
    private RowBlock filledFor;

    DiagGemmKernel(GaussianScorer s, boolean masked) {
        this.s = s;
        this.masked = masked;
        this.k = s.k;
        this.kp = SeparableGemm.padded(k);
        this.d = s.d;
        this.ref = reference(s);
        this.delta = new double[k * d];
        double[] b = new double[k * d];
        double[] a = new double[k * d];
        this.cells = masked ? new double[d * k] : null;
        this.constant = new double[k];
        for (int c = 0; c < k; c++) {
            double off = 0;
            for (int j = 0; j < d; j++) {
                int i = c * d + j;
                double prec = s.factors[i];
                delta[i] = s.means[i] - ref[j];
                b[i] = delta[i] * prec;
                a[i] = -0.5 * prec;
                double dd = delta[i] * delta[i] * prec;
                if (masked) {
                    cells[j * k + c] = -0.5 * (MissingPatterns.LOG_2PI + Math.log(s.covariances[i]) + dd);
                }
                off += dd;
            }
            constant[c] = s.logConst[c] - 0.5 * off;
        }
        this.coef = SeparableGemm.pack(d, k, b, a);
        this.f = new double[kp * d];
        this.q = new double[kp * d];
        this.unobserved = masked ? new double[k * d] : null;
    }

    /** Whether the expanded form serves this scorer: the Vector API is present and no component is far from r. */
    static boolean applies(GaussianScorer s) {
        if (!BlockKernels.vectorApi()) {
            return false;
        }
        return within(s, reference(s));
    }

    /**
     * Whether every component lies within 1000 of its own standard deviations of {@code r}, feature by feature
     * (δ²·precision ≤ {@value #MAX_OFFSET_SQ}), with the precisions the first d factors of each component
     * (diag's and spherical's per-feature precisions; factor's ψ⁻¹).
     */
    static boolean within(GaussianScorer s, double[] r) {
        for (int c = 0; c < s.k; c++) {
            for (int j = 0; j < s.d; j++) {
                double dl = s.means[c * s.d + j] - r[j];
                if (!(dl * dl * s.factors[c * s.stride + j] <= MAX_OFFSET_SQ)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** r = Σ_c w_c μ_c. */
    static double[] reference(GaussianScorer s) {
        double[] r = new double[s.d];
        for (int c = 0; c < s.k; c++) {
            double w = Math.exp(s.logWeights[c]);
            for (int j = 0; j < s.d; j++) {
                r[j] += w * s.means[c * s.d + j];
            }
        }
        return r;
    }

    @Override
    public int chunkRows(int n) {
        return n;
    }

    private void ensure(int m) {
        if (scores == null || scores.length < kp * m) {
            scores = new double[kp * m];
            resp = new double[kp * m];
        }
    }

    @Override
    public void logJoint(RowBlock b, int r0, int m, double[] out) {
        score(b, r0, m, out);
    }

    @Override
    public void blockLogJoint(RowBlock b, double[] out) {
        score(b, 0, b.rows, out);
    }

    /** The block's values, with missing cells at the reference when masked (filled once per block). */
    private double[] values(RowBlock b) {
        if (!masked) {
            return b.values;
        }
        if (filledFor != b) {
            int len = b.rows * d;
            if (filled == null || filled.length < len) {
                filled = new double[len];
            }
            if (missingRow.length < b.missing) {
                missingRow = new int[b.missing];
                missingCol = new int[b.missing];
            }
            int t = 0;
            int n = b.rows;
            for (int j = 0; j < d; j++) {
                int col = j * n;
                double rj = ref[j];
                for (int i = 0; i < n; i++) {
                    double v = b.values[col + i];
                    if (v != v) {
                        v = rj;
                        missingRow[t] = i;
                        missingCol[t] = j;
                        t++;
                    }
                    filled[col + i] = v;
                }
            }
            missingCount = t;
            filledFor = b;
        }
        return filled;
    }

    private void score(RowBlock b, int r0, int m, double[] out) {
        ensure(m);
        // With an even k the products go straight into out (padded columns need the scratch).
        double[] products = kp == k ? out : scores;
        gemm.scores(values(b), b.rows, d, r0, m, ref, coef, kp, products);
        for (int c = 0; c < k; c++) {
            double lc = constant[c];
            int base = c * m;
            for (int i = 0; i < m; i++) {
                out[base + i] = lc + products[base + i];
            }
        }
        if (masked) {
            // A missing cell's constant out of every component's log-density (cells in [r0, r0 + m) only).
            for (int t = 0; t < missingCount; t++) {
                int i = missingRow[t] - r0;
                if (i < 0 || i >= m) {
                    continue;
                }
                int cj = missingCol[t] * k;
                for (int c = 0; c < k; c++) {
                    out[c * m + i] -= cells[cj + c];
                }
            }
        }
    }

    @Override
    public void accumulate(RowBlock b, int r0, int m, double[] weighted, GaussianStats into) {
        // An odd k gets a zero column in a scratch copy; an even k is read where it is.
        double[] resp = weighted;
        if (kp > k) {
            ensure(m);
            resp = this.resp;
            System.arraycopy(weighted, 0, resp, 0, k * m);
            Arrays.fill(resp, k * m, kp * m, 0.0);
        }
        Arrays.fill(f, 0.0);
        Arrays.fill(q, 0.0);
        gemm.moments(values(b), b.rows, d, r0, m, ref, resp, kp, f, q);
        if (masked) {
            Arrays.fill(unobserved, 0.0);
            for (int t = 0; t < missingCount; t++) {
                int i = missingRow[t] - r0;
                if (i < 0 || i >= m) {
                    continue;
                }
                int j = missingCol[t];
                for (int c = 0; c < k; c++) {
                    unobserved[c * d + j] += resp[c * m + i];
                }
            }
        }
        for (int c = 0; c < k; c++) {
            double nk = 0;
            int base = c * m;
            for (int i = 0; i < m; i++) {
                nk += resp[base + i];
            }
            if (nk == 0) {
                continue;
            }
            into.resp[c] += nk;
            for (int j = 0; j < d; j++) {
                int i = c * d + j;
                double dl = delta[i];
                double observed = masked ? nk - unobserved[i] : nk;
                into.first[i] += f[i] - dl * observed;
                double sq = q[i] - 2 * dl * f[i] + dl * dl * observed;
                into.second[i] += masked ? sq + unobserved[i] * s.covariances[i] : sq;
            }
        }
    }
}
