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
        return k + k * d + Covariance.of(type).gradientSize(k, d);
    }

    public static double[] toVector(GaussianParams p) {
        int k = p.k();
        int d = p.dim();
        double[] v = new double[size(p.type(), k, d)];
        for (int c = 0; c < k; c++) {
            v[c] = Math.log(p.weight(c));
        }
        System.arraycopy(p.means(), 0, v, k, k * d);
        Covariance.of(p.type()).toVector(p, v, k + k * d);
        return v;
    }

    public static GaussianParams fromVector(double[] v, CovarianceType type, int k, int d) {
        if (v.length != size(type, k, d)) {
            throw new IllegalArgumentException("expected " + size(type, k, d) + " coordinates, got " + v.length);
        }
        for (double x : v) {
            if (!Double.isFinite(x)) {
                throw new NumericalException("a parameter became " + x + "; lower the learning rate");
            }
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            max = Math.max(max, v[c]);
        }
        double[] w = new double[k];
        double sum = 0;
        for (int c = 0; c < k; c++) {
            w[c] = Math.exp(v[c] - max);
            sum += w[c];
        }
        for (int c = 0; c < k; c++) {
            w[c] /= sum;
        }
        double[] means = java.util.Arrays.copyOfRange(v, k, k + k * d);
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
        double[] g = new double[size(p.type(), k, d)];
        for (int c = 0; c < k; c++) {
            g[c] = (s.resp[c] - w * p.weight(c)) / w;
        }
        Covariance.of(p.type()).gradient(s, p, g, k, k + k * d);
        return g;
    }
}
