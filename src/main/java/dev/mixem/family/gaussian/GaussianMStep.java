package dev.mixem.family.gaussian;

import dev.mixem.family.Collapse;
import dev.mixem.family.MixtureFamily;


import dev.mixem.config.CovarianceType;
import dev.mixem.family.gaussian.GaussianStats;

import java.util.List;

/**
 * The closed-form M-step of a Gaussian mixture from statistics centred on reference means m_k:
 * <pre>
 *   N_k = Σ r_ik,  δ_k = first_k / N_k,  μ_k = m_k + δ_k,  w_k = N_k / Σ_j N_j,
 *   Σ_k = second_k / N_k - δ_k δ_kᵀ + reg·I          (parallel-axis theorem; δ_k is small near convergence)
 * </pre>
 * Collapse rule: a component whose share N_k / Σ N_j is at most {@value #COLLAPSE_SHARE} (no row gives it
 * any weight that double precision can see) is dropped, and the survivors' weights renormalized. Dropping
 * keeps every saved parameter finite and positive definite; the count of dropped components is reported.
 */
public final class GaussianMStep {
    /** Components with at most this share of the total responsibility are dropped ({@link Collapse}). */
    public static final double COLLAPSE_SHARE = Collapse.SHARE;

    private GaussianMStep() {
    }

    public static MixtureFamily.Update<GaussianParams> update(GaussianStats s, double[] referenceMeans, CovarianceType type, double regCovar) {
        int d = s.d;
        Collapse.Survivors sv = Collapse.survivors(s.resp);
        List<Integer> kept = sv.kept();
        List<Integer> dropped = sv.dropped();
        int kk = kept.size();
        double keptTotal = sv.keptTotal();
        double[] weights = new double[kk];
        double[] means = new double[kk * d];
        double[] delta = new double[kk * d];
        int[] keptIdx = new int[kk];
        for (int t = 0; t < kk; t++) {
            int c = kept.get(t);
            keptIdx[t] = c;
            double nk = s.resp[c];
            weights[t] = nk / keptTotal;
            for (int a = 0; a < d; a++) {
                delta[t * d + a] = s.first[c * d + a] / nk;
                means[t * d + a] = referenceMeans[c * d + a] + delta[t * d + a];
            }
        }
        double[] cov = Covariance.of(type).mStep(s, keptIdx, delta, regCovar);
        return new MixtureFamily.Update<>(new GaussianParams(type, kk, d, weights, means, cov), dropped);
    }

    /**
     * The EM auxiliary function Q(θ | θ_t) per unit of row weight, up to a term that depends on θ_t only:
     * Σ_k [N_k (log w_k - ½ d log 2π - ½ log det Σ_k) - ½ tr(Σ_k⁻¹ S_k(μ_k))] / W, from the statistics of
     * the E-step under θ_t (centred on {@code referenceMeans}), where
     * S_k(μ) = Σ r (x - μ)(x - μ)ᵀ = S - f δᵀ - δ fᵀ + N δ δᵀ with δ = μ - m. For any θ,
     * LL(θ) - LL(θ_t) ≥ Q(θ | θ_t) - Q(θ_t | θ_t) (Dempster, Laird and Rubin 1977): the bound by which an
     * EM step's log-likelihood change is checked. Components must correspond one to one (nothing dropped).
     */
    public static double auxiliary(GaussianStats s, double[] referenceMeans, GaussianParams p) {
        int k = s.k;
        int d = s.d;
        if (p.k() != k || p.dim() != d) {
            throw new IllegalArgumentException("statistics of k=" + k + ", d=" + d + " for parameters of k=" + p.k()
                    + ", d=" + p.dim());
        }
        GaussianScorer sc = p.scorer();
        double[] dev = new double[k * d];
        for (int i = 0; i < k * d; i++) {
            dev[i] = sc.means[i] - referenceMeans[i];
        }
        double q = 0;
        for (int c = 0; c < k; c++) {
            q += s.resp[c] * sc.logConst[c];
        }
        q -= 0.5 * Covariance.of(s.type).trace(s, dev, sc);
        return q / s.weight;
    }
}
