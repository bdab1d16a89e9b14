package dev.mixem.family;

import dev.mixem.config.CovarianceType;
import dev.mixem.math.Linalg;
import dev.mixem.stats.GaussianStats;

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
 * logarithm; diag: log σ². Every vector gives valid parameters, so gradient methods keep the constraints
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
        return k + k * d + k * (type == CovarianceType.FULL ? d * (d + 1) / 2 : d);
    }

    public static double[] toVector(GaussianParams p) {
        int k = p.k();
        int d = p.dim();
        boolean full = p.type() == CovarianceType.FULL;
        double[] v = new double[size(p.type(), k, d)];
        for (int c = 0; c < k; c++) {
            v[c] = Math.log(p.weight(c));
        }
        System.arraycopy(p.means(), 0, v, k, k * d);
        int o = k + k * d;
        for (int c = 0; c < k; c++) {
            if (full) {
                double[] u = precisionFactor(p.covariance(c), d);
                for (int j = 0; j < d; j++) {
                    for (int i = j; i < d; i++) {
                        v[o++] = i == j ? Math.log(u[i + j * d]) : u[i + j * d];
                    }
                }
            } else {
                for (double var : p.covariance(c)) {
                    v[o++] = Math.log(var);
                }
            }
        }
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
        boolean full = type == CovarianceType.FULL;
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
        double[] cov = new double[full ? k * d * d : k * d];
        int o = k + k * d;
        double[] u = new double[d * d];
        for (int c = 0; c < k; c++) {
            if (full) {
                java.util.Arrays.fill(u, 0);
                for (int j = 0; j < d; j++) {
                    for (int i = j; i < d; i++) {
                        u[i + j * d] = i == j ? Math.exp(v[o++]) : v[o++];
                    }
                }
                // Σ = (U Uᵀ)⁻¹.
                System.arraycopy(Linalg.inverseFromCholesky(u, 0, d), 0, cov, c * d * d, d * d);
            } else {
                for (int j = 0; j < d; j++) {
                    cov[c * d + j] = Math.exp(v[o++]);
                }
            }
        }
        return new GaussianParams(type, k, d, w, means, cov);
    }

    /**
     * ∂(mean log-likelihood)/∂(coordinates) at {@code p}, from the statistics of an E-step under {@code p}
     * (centred on p's means).
     */
    public static double[] gradient(GaussianStats s, GaussianParams p) {
        int k = p.k();
        int d = p.dim();
        boolean full = p.type() == CovarianceType.FULL;
        double w = s.weight;
        double[] g = new double[size(p.type(), k, d)];
        for (int c = 0; c < k; c++) {
            g[c] = (s.resp[c] - w * p.weight(c)) / w;
        }
        int o = k + k * d;
        double[] gm = new double[d * d];
        for (int c = 0; c < k; c++) {
            double nk = s.resp[c];
            double[] cov = p.covariance(c);
            if (full) {
                double[] u = precisionFactor(cov, d);
                // Precision P = U Uᵀ; ∂/∂μ = P f / W.
                for (int a = 0; a < d; a++) {
                    double v = 0;
                    for (int b = 0; b < d; b++) {
                        double pab = 0;
                        for (int t = 0; t <= Math.min(a, b); t++) {
                            pab += u[a + t * d] * u[b + t * d];
                        }
                        v += pab * s.first[c * d + b];
                    }
                    g[k + c * d + a] = v / w;
                }
                // G = ½ (N Σ - S) / W, S symmetric from its lower triangle.
                for (int b = 0; b < d; b++) {
                    for (int a = b; a < d; a++) {
                        double sab = s.second[c * d * d + a + b * d];
                        double v = 0.5 * (nk * cov[a + b * d] - sab) / w;
                        gm[a + b * d] = v;
                        gm[b + a * d] = v;
                    }
                }
                for (int j = 0; j < d; j++) {
                    for (int i = j; i < d; i++) {
                        // (2 G U)_ij = 2 Σ_t G_it U_tj, U_tj = 0 for t < j.
                        double v = 0;
                        for (int t = j; t < d; t++) {
                            v += gm[i + t * d] * u[t + j * d];
                        }
                        v *= 2;
                        g[o++] = i == j ? v * u[i + j * d] : v;
                    }
                }
            } else {
                for (int a = 0; a < d; a++) {
                    g[k + c * d + a] = s.first[c * d + a] / cov[a] / w;
                }
                for (int a = 0; a < d; a++) {
                    g[o++] = 0.5 * (s.second[c * d + a] / cov[a] - nk) / w;
                }
            }
        }
        return g;
    }

    /** The lower Cholesky factor U of Σ⁻¹ (Σ⁻¹ = U Uᵀ), for a d x d column-major covariance. */
    static double[] precisionFactor(double[] cov, int d) {
        double[] l = dev.mixem.math.Linalg.choleskyLower(cov, 0, d);
        if (l == null) {
            throw new NumericalException("covariance is not positive definite");
        }
        double[] u = dev.mixem.math.Linalg.choleskyLower(Linalg.inverseFromCholesky(l, 0, d), 0, d);
        if (u == null) {
            throw new NumericalException("precision is not positive definite");
        }
        return u;
    }
}
