package dev.mixem.family.gaussian;

import dev.ludovic.netlib.blas.BLAS;
import dev.mixem.family.ChunkKernel;
import dev.mixem.family.NumericalException;
import dev.mixem.math.Linalg;
import dev.mixem.math.RowBlock;

import java.util.Arrays;

/**
 * The E-step of a mixture of factor analyzers, Σ_c = Λ_c Λ_cᵀ + Ψ_c (d x q loadings, diagonal uniquenesses),
 * through the Woodbury identity, so that nothing d x d is ever formed: with M_c = I + Λ_cᵀ Ψ_c⁻¹ Λ_c = L Lᵀ
 * (q x q), W_c = Ψ_c⁻¹ Λ_c and u = x - μ_c,
 * <pre>
 *   uᵀ Σ⁻¹ u   = Σ_j u_j²/ψ_j - ‖L⁻¹ W_cᵀ u‖²
 *   log det Σ  = Σ_j log ψ_j + log det M_c
 *   E[z | x]   = M_c⁻¹ W_cᵀ u       (the posterior of the factors; their covariance is M_c⁻¹)
 * </pre>
 * Per chunk and component: the centred rows U (m x d), Y = U·W_c by one GEMM (m x q), two triangular solves
 * with L (q x q), and for the statistics Uᵀ·(R∘E[z]) by a second GEMM (d x q) and E[z]ᵀ·(R∘E[z]) + N M⁻¹ (q x q):
 * O(m·d·q) work and O(d·q) statistics per component, never O(d²).
 * <p>
 * One instance per task; not thread-safe.
 */
final class FactorKernel implements ChunkKernel<GaussianStats> {
    private final GaussianScorer s;
    private final int k;
    private final int d;
    private final int q;
    private final int stride;
    private final int statsStride;
    private final BLAS blas = Linalg.blas();
    private double[] u = new double[0];
    private double[] y = new double[0];
    /** E[z | x] of the chunk's rows for every component, {@code ez[c*m*q + t*m + i]}. */
    private double[] ez = new double[0];
    private double[] re = new double[0];
    private double[] quad = new double[0];
    /** Per component, the posterior covariance of the factors M⁻¹ (q x q), the same for every complete row. */
    private final double[] posterior;

    FactorKernel(GaussianScorer s) {
        this.s = s;
        this.k = s.k;
        this.d = s.d;
        this.q = s.q;
        this.stride = s.stride;
        this.statsStride = s.type.statsStride(d, q);
        this.posterior = posteriorCovariances(s);
    }

    /** M_c⁻¹ of every component, from the scorer's Cholesky factors, k x q x q. */
    static double[] posteriorCovariances(GaussianScorer s) {
        int d = s.d;
        int q = s.q;
        double[] out = new double[s.k * q * q];
        for (int c = 0; c < s.k; c++) {
            System.arraycopy(Linalg.inverseFromCholesky(s.factors, c * s.stride + d + d * q, q), 0, out, c * q * q, q * q);
        }
        return out;
    }

    /** Adds N_c M_c⁻¹ to the statistics' Σ r E[zzᵀ] (at {@code at}): the factors' posterior covariance part. */
    static void addPosterior(double[] posterior, int c, int q, double nk, double[] second, int at) {
        int po = c * q * q;
        for (int i = 0; i < q * q; i++) {
            second[at + i] += nk * posterior[po + i];
        }
    }

    /**
     * Writes component c's scoring factors at {@code out[o ..)}: ψ⁻¹ (d), W = Ψ⁻¹Λ (d x q), the lower Cholesky
     * factor of M = I + ΛᵀΨ⁻¹Λ (q x q); returns log det Σ_c. {@code compact} holds per component Ψ then Λ.
     */
    static double factor(double[] compact, int c, int d, int q, double[] out, int o) {
        int po = c * d * (q + 1);
        int lo = po + d;
        double logDet = 0;
        for (int j = 0; j < d; j++) {
            double psi = compact[po + j];
            if (!(psi > 0) || !Double.isFinite(psi)) {
                throw new NumericalException("uniqueness " + j + " of component " + c + " is " + psi
                        + "; increase --reg-covar");
            }
            out[o + j] = 1.0 / psi;
            logDet += Math.log(psi);
        }
        int wo = o + d;
        for (int t = 0; t < q; t++) {
            for (int j = 0; j < d; j++) {
                out[wo + j + t * d] = compact[lo + j + t * d] * out[o + j];
            }
        }
        double[] m = new double[q * q];
        for (int b = 0; b < q; b++) {
            for (int a = b; a < q; a++) {
                double v = a == b ? 1.0 : 0.0;
                for (int j = 0; j < d; j++) {
                    v += compact[lo + j + a * d] * out[wo + j + b * d];
                }
                m[a + b * q] = v;
                m[b + a * q] = v;
            }
        }
        double[] l = Linalg.choleskyLower(m, 0, q);
        if (l == null) {
            throw new NumericalException("the factor system of component " + c + " is not positive definite");
        }
        System.arraycopy(l, 0, out, wo + d * q, q * q);
        return logDet + Linalg.logDetFromCholesky(l, 0, q);
    }

    @Override
    public int chunkRows(int n) {
        return n;
    }

    private void ensure(int m) {
        if (u.length < m * d) {
            u = new double[m * d];
        }
        if (y.length < m * q) {
            y = new double[m * q];
            re = new double[m * q];
            quad = new double[m];
        }
        if (ez.length < k * m * q) {
            ez = new double[k * m * q];
        }
    }

    /** U = rows [r0, r0 + m) of the block minus μ_c, m x d column-major. */
    private void centre(RowBlock b, int r0, int m, int c) {
        int n = b.rows;
        double[] x = b.values;
        int mo = c * d;
        for (int j = 0; j < d; j++) {
            double mu = s.means[mo + j];
            int from = j * n + r0;
            int to = j * m;
            for (int i = 0; i < m; i++) {
                u[to + i] = x[from + i] - mu;
            }
        }
    }

    @Override
    public void logJoint(RowBlock b, int r0, int m, double[] logp) {
        ensure(m);
        for (int c = 0; c < k; c++) {
            int fo = c * stride;
            int wo = fo + d;
            int lo = wo + d * q;
            centre(b, r0, m, c);
            Arrays.fill(quad, 0, m, 0.0);
            for (int j = 0; j < d; j++) {
                double p = s.factors[fo + j];
                int col = j * m;
                for (int i = 0; i < m; i++) {
                    double v = u[col + i];
                    quad[i] += v * v * p;
                }
            }
            // Y = U·W (m x q); V = Y L⁻ᵀ (rows L⁻¹ y); E[z] = V L⁻¹ (rows L⁻ᵀ v = M⁻¹ y).
            blas.dgemm("N", "N", m, q, d, 1.0, u, 0, m, s.factors, wo, d, 0.0, y, 0, m);
            blas.dtrsm("R", "L", "T", "N", m, q, 1.0, s.factors, lo, q, y, 0, m);
            double lc = s.logConst[c];
            int out = c * m;
            for (int i = 0; i < m; i++) {
                double v2 = 0;
                for (int t = 0; t < q; t++) {
                    double v = y[i + t * m];
                    v2 += v * v;
                }
                logp[out + i] = lc - 0.5 * (quad[i] - v2);
            }
            blas.dtrsm("R", "L", "N", "N", m, q, 1.0, s.factors, lo, q, y, 0, m);
            System.arraycopy(y, 0, ez, c * m * q, m * q);
        }
    }

    @Override
    public void accumulate(RowBlock b, int r0, int m, double[] resp, GaussianStats into) {
        for (int c = 0; c < k; c++) {
            int ro = c * m;
            double nk = 0;
            for (int i = 0; i < m; i++) {
                nk += resp[ro + i];
            }
            if (nk == 0) {
                continue;
            }
            into.resp[c] += nk;
            centre(b, r0, m, c);
            int so = c * statsStride;
            int fo = c * d;
            for (int j = 0; j < d; j++) {
                int col = j * m;
                double f = 0;
                double sq = 0;
                for (int i = 0; i < m; i++) {
                    double v = u[col + i];
                    double rv = resp[ro + i] * v;
                    f += rv;
                    sq += rv * v;
                }
                into.first[fo + j] += f;
                into.second[so + j] += sq;
            }
            int eo = c * m * q;
            int zo = so + d + d * q;
            for (int t = 0; t < q; t++) {
                double zs = 0;
                for (int i = 0; i < m; i++) {
                    double v = resp[ro + i] * ez[eo + i + t * m];
                    re[i + t * m] = v;
                    zs += v;
                }
                into.second[zo + t] += zs;
            }
            // Σ r u zᵀ (d x q) and Σ r z zᵀ (q x q), added into the statistics.
            blas.dgemm("T", "N", d, q, m, 1.0, u, 0, m, re, 0, m, 1.0, into.second, so + d, d);
            blas.dgemm("T", "N", q, q, m, 1.0, ez, eo, m, re, 0, m, 1.0, into.second, zo + q, q);
            addPosterior(posterior, c, q, nk, into.second, zo + q);
        }
    }

    @Override
    public void blockLogJoint(RowBlock b, double[] out) {
        logJoint(b, 0, b.rows, out);
    }
}
