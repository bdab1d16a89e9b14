package dev.mixem.family.gaussian;

import dev.mixem.config.CovarianceType;
import dev.mixem.family.MixtureFamily;
import dev.mixem.family.NumericalException;
import dev.mixem.math.Linalg;

import java.util.List;

/**
 * The M-step of a mixture of factor analyzers (Ghahramani and Hinton 1996), from statistics gathered under
 * the previous parameters θ and centred on their means m (u = x - m; see {@link GaussianStats}). Means and
 * loadings are updated together: with z̃ = [z; 1] and Λ̃ = [Λ, μ - m],
 * <pre>
 *   A = Σ r E[z̃ z̃ᵀ | x] = [[Σ r E[z zᵀ | x], Σ r E[z | x]], [(Σ r E[z | x])ᵀ, N]]
 *   B = Σ r u z̃ᵀ        = [Σ r u zᵀ, Σ r u]
 *   Λ̃' = B A⁻¹,   ψ'_j = (Σ r u_j² - (Λ̃' Bᵀ)_jj) / N + reg,   w' = N / Σ N
 * </pre>
 * which maximizes the expected complete-data log-likelihood over (w, μ, Λ, Ψ) at once, so that EM's
 * guarantee holds ({@link #auxiliary}). Ψ is kept at reg-covar or above. Components are dropped by
 * {@link GaussianMStep}'s collapse rule.
 */
final class FactorMStep {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private FactorMStep() {
    }

    /** The statistics of one component, as A and B above (q+1 columns). */
    private record Moments(double n, double[] a, double[] b, double[] sq) {
    }

    private static Moments moments(GaussianStats s, GaussianParams before, int c) {
        int d = s.d;
        int q = s.q;
        int q1 = q + 1;
        int so = c * s.stride;
        double n = s.resp[c];
        double[] a = new double[q1 * q1];
        int zo = so + d + d * q;
        for (int t = 0; t < q; t++) {
            for (int r = 0; r < q; r++) {
                double zz = 0.5 * (s.second[zo + q + r + t * q] + s.second[zo + q + t + r * q]);
                a[r + t * q1] = zz;
            }
            a[q + t * q1] = s.second[zo + t];
            a[t + q * q1] = s.second[zo + t];
        }
        a[q + q * q1] = n;
        double[] b = new double[d * q1];
        System.arraycopy(s.second, so + d, b, 0, d * q);
        System.arraycopy(s.first, c * d, b, d * q, d);
        double[] sq = new double[d];
        System.arraycopy(s.second, so, sq, 0, d);
        return new Moments(n, a, b, sq);
    }

    static MixtureFamily.Update<GaussianParams> update(GaussianStats s, GaussianParams before, double regCovar) {
        int d = s.d;
        int q = s.q;
        int q1 = q + 1;
        dev.mixem.family.Collapse.Survivors sv = dev.mixem.family.Collapse.survivors(s.resp);
        List<Integer> kept = sv.kept();
        List<Integer> dropped = sv.dropped();
        double keptTotal = sv.keptTotal();
        int kk = kept.size();
        double[] weights = new double[kk];
        double[] means = new double[kk * d];
        double[] cov = new double[kk * d * q1];
        double[] m0 = before.means();
        for (int t = 0; t < kk; t++) {
            int c = kept.get(t);
            Moments mo = moments(s, before, c);
            double[] lt = loadings(mo, d, q, c);
            weights[t] = mo.n / keptTotal;
            int po = t * d * q1;
            for (int j = 0; j < d; j++) {
                means[t * d + j] = m0[c * d + j] + lt[j + q * d];
                double fitted = 0;
                for (int r = 0; r < q1; r++) {
                    fitted += lt[j + r * d] * mo.b[j + r * d];
                }
                cov[po + j] = Math.max(0.0, (mo.sq[j] - fitted) / mo.n) + regCovar;
            }
            System.arraycopy(lt, 0, cov, po + d, d * q);
        }
        return new MixtureFamily.Update<>(new GaussianParams(CovarianceType.FACTOR, q, kk, d, weights, means, cov),
                dropped);
    }

    /** Λ̃' = B A⁻¹ (d x (q+1)): the new loadings, and in the last column the new mean's shift μ' - m. */
    private static double[] loadings(Moments mo, int d, int q, int c) {
        int q1 = q + 1;
        double[] l = Linalg.choleskyLower(mo.a, 0, q1);
        if (l == null) {
            throw new NumericalException("the factor moments of component " + c + " are not positive definite");
        }
        double[] ainv = Linalg.inverseFromCholesky(l, 0, q1);
        double[] out = new double[d * q1];
        for (int t = 0; t < q1; t++) {
            for (int r = 0; r < q1; r++) {
                double a = ainv[r + t * q1];
                for (int j = 0; j < d; j++) {
                    out[j + t * d] += mo.b[j + r * d] * a;
                }
            }
        }
        return out;
    }

    /**
     * The expected complete-data log-likelihood Q(θ' | θ) per unit of row weight, up to terms of θ alone:
     * Σ_c N_c log w'_c - ½ N_c (d log 2π + Σ_j log ψ'_cj) - ½ Σ_j (Σ r u_j² - 2 (Λ̃' Bᵀ)_jj + (Λ̃' A Λ̃'ᵀ)_jj)/ψ'_cj,
     * with A and B from the statistics under θ = {@code before} and Λ̃' = [Λ'_c, μ'_c - m_c]. EM's step
     * raises the log-likelihood by at least Q(θ' | θ) - Q(θ | θ).
     */
    static double auxiliary(GaussianStats s, GaussianParams before, GaussianParams p) {
        int k = s.k;
        int d = s.d;
        int q = s.q;
        int q1 = q + 1;
        if (p.k() != k || p.dim() != d || p.factors() != q) {
            throw new IllegalArgumentException("statistics of k=" + k + ", d=" + d + ", q=" + q
                    + " for parameters of k=" + p.k() + ", d=" + p.dim() + ", q=" + p.factors());
        }
        double[] m0 = before.means();
        double[] mu = p.means();
        double total = 0;
        for (int c = 0; c < k; c++) {
            if (s.resp[c] == 0) {
                continue;
            }
            Moments mo = moments(s, before, c);
            double[] psi = p.uniquenesses(c);
            double[] lam = p.loadings(c);
            double[] lt = new double[d * q1];
            System.arraycopy(lam, 0, lt, 0, d * q);
            for (int j = 0; j < d; j++) {
                lt[j + q * d] = mu[c * d + j] - m0[c * d + j];
            }
            // (Λ̃ A) row by row, then its products with Λ̃ and B on the diagonal.
            double[] la = new double[d * q1];
            for (int t = 0; t < q1; t++) {
                for (int r = 0; r < q1; r++) {
                    double a = mo.a[r + t * q1];
                    for (int j = 0; j < d; j++) {
                        la[j + t * d] += lt[j + r * d] * a;
                    }
                }
            }
            double quad = 0;
            double logPsi = 0;
            for (int j = 0; j < d; j++) {
                double cross = 0;
                double sqr = 0;
                for (int t = 0; t < q1; t++) {
                    cross += lt[j + t * d] * mo.b[j + t * d];
                    sqr += la[j + t * d] * lt[j + t * d];
                }
                quad += (mo.sq[j] - 2 * cross + sqr) / psi[j];
                logPsi += Math.log(psi[j]);
            }
            total += mo.n * (Math.log(p.weight(c)) - 0.5 * (d * LOG_2PI + logPsi)) - 0.5 * quad;
        }
        return total / s.weight;
    }
}
