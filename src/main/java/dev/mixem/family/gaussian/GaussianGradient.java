package dev.mixem.family.gaussian;

import dev.mixem.family.NumericalException;

import dev.mixem.config.CovarianceType;
import dev.mixem.family.gaussian.GaussianStats;

/**
 * The gradient of the mean log-likelihood of a Gaussian mixture in unconstrained coordinates, from the
 * statistics of one E-step (Fisher's identity: the gradient of log p(x) is the expected gradient of the
 * complete-data log-likelihood, a function of Σr, Σr(x-μ) and Σr(x-μ)(x-μ)ᵀ). A gradient step therefore
 * costs one pass over the data, like an EM step, and reuses the same aggregator; with missing cells the
 * statistics hold the conditional expectations, so the gradient is that of the observed-data
 * log-likelihood.
 * <p>
 * Coordinates, in this order: softmax logits α (w = softmax(α)); the means; per component, full: the lower
 * triangle of U, column by column, where the precision Σ⁻¹ = U Uᵀ and U's diagonal is stored as its
 * logarithm; tied: the same for the one shared U; diag: log σ²; spherical: log σ²_k. Every vector gives valid parameters, so gradient methods keep the constraints
 * (weights on the simplex, covariances positive definite) by construction.
 * <p>
 * With W the total weight, N_k = Σr, f_k = Σr(x-μ_k), S_k = Σr(x-μ_k)(x-μ_k)ᵀ and G_k = ½(N_k Σ_k - S_k)/W
 * (the gradient with respect to the precision):
 * ∂/∂α_k = (N_k - W w_k)/W, ∂/∂μ_k = Σ_k⁻¹ f_k / W, ∂/∂U = 2 G U (and × U_jj on the log diagonal),
 * ∂/∂log σ²_j = ½ (S_jj/σ²_j - N_k)/W.
 */
public final class GaussianGradient {

    private GaussianGradient() {
    }

    /** Number of unconstrained coordinates. */
    public static int size(CovarianceType type, int k, int d) {
        return size(type, k, d, 0);
    }

    /** {@link #size(CovarianceType, int, int)}; factor: per component log ψ (d) and Λ (d x q). */
    public static int size(CovarianceType type, int k, int d, int q) {
        return k + k * d + (type == CovarianceType.FACTOR ? type.paramLength(k, d, q) : Covariance.of(type).gradientSize(k, d));
    }

    public static double[] toVector(GaussianParams p) {
        int k = p.k();
        int d = p.dim();
        if (p.type() == CovarianceType.FACTOR) {
            int q = p.factors();
            double[] v = new double[size(p.type(), k, d, q)];
            for (int c = 0; c < k; c++) {
                v[c] = Math.log(p.weight(c));
            }
            System.arraycopy(p.means(), 0, v, k, k * d);
            double[] cov = p.covariances();
            int o = k + k * d;
            for (int i = 0; i < cov.length; i++) {
                v[o + i] = i % (d * (q + 1)) < d ? Math.log(cov[i]) : cov[i];
            }
            return v;
        }
        double[] v = new double[size(p.type(), k, d)];
        for (int c = 0; c < k; c++) {
            v[c] = Math.log(p.weight(c));
        }
        System.arraycopy(p.means(), 0, v, k, k * d);
        Covariance.of(p.type()).toVector(p, v, k + k * d);
        return v;
    }

    public static GaussianParams fromVector(double[] v, CovarianceType type, int k, int d) {
        return fromVector(v, type, 0, k, d);
    }

    /** {@link #fromVector(double[], CovarianceType, int, int)} with q factors (factor structure). */
    public static GaussianParams fromVector(double[] v, CovarianceType type, int q, int k, int d) {
        if (v.length != size(type, k, d, q)) {
            throw new IllegalArgumentException("expected " + size(type, k, d, q) + " coordinates, got " + v.length);
        }
        for (double x : v) {
            if (!Double.isFinite(x)) {
                throw new NumericalException("a parameter became " + x + "; lower the learning rate");
            }
        }
        double[] w = dev.mixem.math.LogSumExp.softmax(v, k);
        double[] means = java.util.Arrays.copyOfRange(v, k, k + k * d);
        if (type == CovarianceType.FACTOR) {
            double[] cov = java.util.Arrays.copyOfRange(v, k + k * d, v.length);
            for (int i = 0; i < cov.length; i++) {
                if (i % (d * (q + 1)) < d) {
                    cov[i] = Math.exp(cov[i]);
                }
            }
            return new GaussianParams(type, q, k, d, w, means, cov);
        }
        double[] cov = Covariance.of(type).fromVector(v, k + k * d, k, d);
        return new GaussianParams(type, k, d, w, means, cov);
    }

    /**
     * ∂(mean log-likelihood)/∂(coordinates) at {@code p}, from the statistics of an E-step under {@code p}
     * (centred on p's means).
     */
    public static double[] gradient(GaussianStats s, GaussianParams p) {
        int k = p.k();
        int d = p.dim();
        double w = s.weight;
        double[] g = new double[size(p.type(), k, d, p.factors())];
        for (int c = 0; c < k; c++) {
            g[c] = (s.resp[c] - w * p.weight(c)) / w;
        }
        if (p.type() == CovarianceType.FACTOR) {
            factorGradient(s, p, g, k, k + k * d);
            return g;
        }
        Covariance.of(p.type()).gradient(s, p, g, k, k + k * d);
        return g;
    }

    /**
     * Factor analyzers, from statistics centred on p's means (u = x - μ) with Z = Σ r E[zzᵀ | x] (posterior
     * covariance included), P = Σ r u E[z]ᵀ, ζ = Σ r E[z] and Σ⁻¹u = Ψ⁻¹(u - Λ E[z]) (Woodbury):
     * ∂/∂μ = Ψ⁻¹(f - Λζ)/W, ∂/∂Λ = Ψ⁻¹(P - ΛZ)/W, and
     * ∂/∂log ψ_j = ½ [(Σ r u_j² - 2 λ_jᵀP_j + λ_jᵀZλ_j)/ψ_j - N]/W (λ_j and P_j the j-th rows).
     */
    private static void factorGradient(GaussianStats s, GaussianParams p, double[] g, int meansAt, int covAt) {
        int k = p.k();
        int d = p.dim();
        int q = p.factors();
        double w = s.weight;
        for (int c = 0; c < k; c++) {
            double n = s.resp[c];
            double[] psi = p.uniquenesses(c);
            double[] lam = p.loadings(c);
            int so = c * s.stride;
            int po = so + d;
            int zo = po + d * q;
            int zz = zo + q;
            int go = covAt + c * d * (q + 1);
            for (int j = 0; j < d; j++) {
                double lz = 0;
                double lp = 0;
                double lzl = 0;
                for (int t = 0; t < q; t++) {
                    double l = lam[j + t * d];
                    lz += l * s.second[zo + t];
                    lp += l * s.second[po + j + t * d];
                    double zl = 0;
                    for (int r = 0; r < q; r++) {
                        zl += s.second[zz + t + r * q] * lam[j + r * d];
                    }
                    lzl += l * zl;
                    // (ΛZ)_jt = Σ_r λ_jr Z_rt.
                    double lzt = 0;
                    for (int r = 0; r < q; r++) {
                        lzt += lam[j + r * d] * s.second[zz + r + t * q];
                    }
                    g[go + d + j + t * d] = (s.second[po + j + t * d] - lzt) / psi[j] / w;
                }
                g[meansAt + c * d + j] = (s.first[c * d + j] - lz) / psi[j] / w;
                g[go + j] = 0.5 * ((s.second[so + j] - 2 * lp + lzl) / psi[j] - n) / w;
            }
        }
    }
}
