package dev.mixem.family.gaussian;

import dev.mixem.family.ChunkKernel;
import dev.mixem.family.NumericalException;
import dev.mixem.math.Linalg;
import dev.mixem.math.RowBlock;

/**
 * Factor analyzers on rows with missing cells, by the Woodbury route on each row's observed coordinates o
 * (h: the missing ones). Under component c, x_o ~ N(μ_o, Λ_oΛ_oᵀ + Ψ_o), and with
 * M_o = I + Λ_oᵀΨ_o⁻¹Λ_o = M - Σ_{j∈h} λ_j λ_jᵀ/ψ_j (the complete-row M less the missing rows' terms, |h|·q²
 * work) and u = x - μ (0 in the missing cells):
 * <pre>
 *   log p(x_o) = -½ (|o| log 2π + Σ_o log ψ_j + log det M_o + Σ_o u_j²/ψ_j - ‖L_o⁻¹ Wᵀu‖²),   W = Ψ⁻¹Λ
 *   E[z | x_o] = M_o⁻¹ Wᵀu,   Cov[z | x_o] = M_o⁻¹
 * </pre>
 * The statistics are the complete-data ones in expectation given x_o, so that the M-step and the gradient are
 * unchanged: for a missing cell x_j = μ_j + λ_jᵀz + ε_j gives E[u_j] = λ_jᵀE[z], E[u_j²] = (λ_jᵀE[z])² +
 * λ_jᵀCov[z]λ_j + ψ_j and E[u_j zᵀ] = λ_jᵀE[zzᵀ]; and Σ r E[zzᵀ] takes each row's own Cov[z | x_o].
 * <p>
 * Row by row (rows with missing cells differ in their o): O(d·q + |h|·q² + q³) per row and component. One
 * instance per task; not thread-safe.
 */
final class FactorMissingKernel implements ChunkKernel<GaussianStats>, GaussianImputer.Imputing {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final GaussianScorer s;
    private final int k;
    private final int d;
    private final int q;
    private final int statsStride;
    /** Per component: M = I + ΛᵀΨ⁻¹Λ (q x q), the complete-row system. */
    private final double[] mFull;
    private final double[] psi;
    private final double[] lam;
    private final double[] u;
    private final boolean[] missing;
    private final double[] y;
    private final double[] mo;
    private final double[] v;
    /** The Cholesky factor of a row's M_o. */
    private final double[] l;
    /** Per row of the chunk and component: E[z | x_o] (q) and Cov[z | x_o] (q x q), kept for accumulate. */
    private double[] ez = new double[0];
    private double[] cz = new double[0];

    FactorMissingKernel(GaussianScorer s) {
        this.s = s;
        this.k = s.k;
        this.d = s.d;
        this.q = s.q;
        this.statsStride = s.type.statsStride(d, q);
        this.mFull = new double[k * q * q];
        this.psi = new double[k * d];
        this.lam = new double[k * d * q];
        for (int c = 0; c < k; c++) {
            int fo = c * s.stride;
            int lo = fo + d + d * q;
            for (int j = 0; j < d; j++) {
                psi[c * d + j] = 1.0 / s.factors[fo + j];
            }
            int co = c * d * (q + 1);
            System.arraycopy(s.covariances, co + d, lam, c * d * q, d * q);
            // M = L Lᵀ from the scorer's factor.
            for (int b = 0; b < q; b++) {
                for (int a = b; a < q; a++) {
                    double v = 0;
                    for (int t = 0; t <= b; t++) {
                        v += s.factors[lo + a + t * q] * s.factors[lo + b + t * q];
                    }
                    mFull[c * q * q + a + b * q] = v;
                    mFull[c * q * q + b + a * q] = v;
                }
            }
        }
        this.u = new double[d];
        this.missing = new boolean[d];
        this.y = new double[q];
        this.mo = new double[q * q];
        this.v = new double[q];
        this.l = new double[q * q];
    }

    @Override
    public int chunkRows(int n) {
        return Math.min(n, 256);
    }

    private void ensure(int m) {
        if (ez.length < m * k * q) {
            ez = new double[m * k * q];
            cz = new double[m * k * q * q];
        }
    }

    @Override
    public void logJoint(RowBlock b, int r0, int m, double[] logp) {
        ensure(m);
        for (int i = 0; i < m; i++) {
            for (int c = 0; c < k; c++) {
                logp[c * m + i] = row(b, r0 + i, c, ez, (i * k + c) * q, cz, (i * k + c) * q * q);
            }
        }
    }

    /**
     * log p(x_o, z=c) of block row i, with E[z | x_o] into {@code ezOut[eo ..)} and Cov[z | x_o] into
     * {@code czOut[co ..)}; leaves u (0 where missing) and the missing mask for the row.
     */
    private double row(RowBlock b, int i, int c, double[] ezOut, int eo, double[] czOut, int co) {
        int n = b.rows;
        int fo = c * s.stride;
        int wo = fo + d;
        int mu = c * d;
        double quad = 0;
        double logPsi = 0;
        int observed = 0;
        java.util.Arrays.fill(y, 0.0);
        System.arraycopy(mFull, c * q * q, mo, 0, q * q);
        for (int j = 0; j < d; j++) {
            double x = b.values[j * n + i];
            if (x != x) {
                missing[j] = true;
                u[j] = 0;
                // M_o = M - λ_j λ_jᵀ/ψ_j.
                double pj = s.factors[fo + j];
                int lj = c * d * q + j;
                for (int t = 0; t < q; t++) {
                    double lt = lam[lj + t * d] * pj;
                    for (int r = 0; r < q; r++) {
                        mo[r + t * q] -= lam[lj + r * d] * lt;
                    }
                }
                continue;
            }
            missing[j] = false;
            double v = x - s.means[mu + j];
            u[j] = v;
            double pj = s.factors[fo + j];
            quad += v * v * pj;
            logPsi += Math.log(psi[c * d + j]);
            observed++;
            for (int t = 0; t < q; t++) {
                y[t] += s.factors[wo + j + t * d] * v;
            }
        }
        if (!cholesky(mo, l)) {
            throw new NumericalException("the factor system of component " + c + " on a row's observed cells is"
                    + " not positive definite");
        }
        // v = L⁻¹ y; E[z] = L⁻ᵀ v.
        double v2 = 0;
        for (int a = 0; a < q; a++) {
            double t = y[a];
            for (int r = 0; r < a; r++) {
                t -= l[a + r * q] * v[r];
            }
            v[a] = t / l[a + a * q];
            v2 += v[a] * v[a];
        }
        for (int a = q - 1; a >= 0; a--) {
            double t = v[a];
            for (int r = a + 1; r < q; r++) {
                t -= l[r + a * q] * ezOut[eo + r];
            }
            ezOut[eo + a] = t / l[a + a * q];
        }
        inverse(l, czOut, co);
        double logDet = logPsi + Linalg.logDetFromCholesky(l, 0, q);
        return s.logWeights[c] - 0.5 * (observed * LOG_2PI + logDet + quad - v2);
    }

    /** The lower Cholesky factor of the q x q matrix a into l (its strict upper triangle 0); false when a is not positive definite. */
    private boolean cholesky(double[] a, double[] l) {
        for (int j = 0; j < q; j++) {
            double s2 = a[j + j * q];
            for (int t = 0; t < j; t++) {
                s2 -= l[j + t * q] * l[j + t * q];
            }
            if (!(s2 > 0)) {
                return false;
            }
            double ljj = Math.sqrt(s2);
            l[j + j * q] = ljj;
            for (int i = 0; i < j; i++) {
                l[i + j * q] = 0;
            }
            for (int i = j + 1; i < q; i++) {
                double x = a[i + j * q];
                for (int t = 0; t < j; t++) {
                    x -= l[i + t * q] * l[j + t * q];
                }
                l[i + j * q] = x / ljj;
            }
        }
        return true;
    }

    /** (L Lᵀ)⁻¹ into out[o ..), column by column: L y = e_a, then Lᵀ x = y. */
    private void inverse(double[] l, double[] out, int o) {
        for (int a = 0; a < q; a++) {
            for (int i = 0; i < q; i++) {
                double x = i == a ? 1.0 : 0.0;
                for (int t = 0; t < i; t++) {
                    x -= l[i + t * q] * v[t];
                }
                v[i] = x / l[i + i * q];
            }
            int col = o + a * q;
            for (int i = q - 1; i >= 0; i--) {
                double x = v[i];
                for (int t = i + 1; t < q; t++) {
                    x -= l[t + i * q] * out[col + t];
                }
                out[col + i] = x / l[i + i * q];
            }
        }
    }

    @Override
    public void accumulate(RowBlock b, int r0, int m, double[] resp, GaussianStats into) {
        int n = b.rows;
        for (int c = 0; c < k; c++) {
            int so = c * statsStride;
            int po = so + d;
            int zo = po + d * q;
            int zz = zo + q;
            int mu = c * d;
            for (int i = 0; i < m; i++) {
                double r = resp[c * m + i];
                if (r == 0) {
                    continue;
                }
                into.resp[c] += r;
                int eo = (i * k + c) * q;
                int co = eo * q;
                for (int t = 0; t < q; t++) {
                    into.second[zo + t] += r * ez[eo + t];
                    for (int a = 0; a < q; a++) {
                        into.second[zz + a + t * q] += r * (cz[co + a + t * q] + ez[eo + a] * ez[eo + t]);
                    }
                }
                for (int j = 0; j < d; j++) {
                    double x = b.values[j * n + r0 + i];
                    if (x == x) {
                        double v = x - s.means[mu + j];
                        into.first[mu + j] += r * v;
                        into.second[so + j] += r * v * v;
                        for (int t = 0; t < q; t++) {
                            into.second[po + j + t * d] += r * v * ez[eo + t];
                        }
                        continue;
                    }
                    // A missing cell: its moments given x_o under component c.
                    int lj = c * d * q + j;
                    double mean = 0;
                    double var = psi[mu + j];
                    for (int t = 0; t < q; t++) {
                        double lt = lam[lj + t * d];
                        mean += lt * ez[eo + t];
                        double cl = 0;
                        for (int a = 0; a < q; a++) {
                            cl += cz[co + t + a * q] * lam[lj + a * d];
                        }
                        var += lt * cl;
                    }
                    into.first[mu + j] += r * mean;
                    into.second[so + j] += r * (mean * mean + var);
                    for (int t = 0; t < q; t++) {
                        // λ_jᵀ E[zzᵀ] column t = Σ_a λ_ja (Cov_at + E_a E_t).
                        double e = 0;
                        for (int a = 0; a < q; a++) {
                            e += lam[lj + a * d] * (cz[co + a + t * q] + ez[eo + a] * ez[eo + t]);
                        }
                        into.second[po + j + t * d] += r * e;
                    }
                }
            }
        }
    }

    @Override
    public void blockLogJoint(RowBlock b, double[] out) {
        int n = b.rows;
        double[] e = new double[q];
        double[] cv = new double[q * q];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < k; c++) {
                out[i + c * n] = row(b, i, c, e, 0, cv, 0);
            }
        }
    }

    /** Missing cells filled with Σ_c r_ic (μ_cj + λ_cjᵀ E[z | x_o, c]). */
    @Override
    public void impute(RowBlock b, double[] resp, double[] out) {
        int n = b.rows;
        double[] e = new double[q];
        double[] cv = new double[q * q];
        System.arraycopy(b.values, 0, out, 0, n * d);
        for (int i = 0; i < n; i++) {
            boolean any = false;
            for (int j = 0; j < d && !any; j++) {
                double x = b.values[j * n + i];
                any = x != x;
            }
            if (!any) {
                continue;
            }
            for (int j = 0; j < d; j++) {
                if (b.values[j * n + i] != b.values[j * n + i]) {
                    out[j * n + i] = 0;
                }
            }
            for (int c = 0; c < k; c++) {
                double r = resp[i + c * n];
                row(b, i, c, e, 0, cv, 0);
                if (r == 0) {
                    continue;
                }
                for (int j = 0; j < d; j++) {
                    if (!missing[j]) {
                        continue;
                    }
                    double v = s.means[c * d + j];
                    for (int t = 0; t < q; t++) {
                        v += lam[c * d * q + j + t * d] * e[t];
                    }
                    out[j * n + i] += r * v;
                }
            }
        }
    }
}
