package dev.mixem.family;

import dev.mixem.config.CovarianceType;
import dev.mixem.stats.GaussianStats;

import java.util.ArrayList;
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
    /** Components with at most this share of the total responsibility are dropped. */
    public static final double COLLAPSE_SHARE = 1e-12;

    private GaussianMStep() {
    }

    /** The new parameters and the indices (into the previous parameters) of the components dropped. */
    public record Result(GaussianParams params, List<Integer> dropped) {
    }

    public static Result update(GaussianStats s, double[] referenceMeans, CovarianceType type, double regCovar) {
        int k = s.k;
        int d = s.d;
        double total = 0;
        for (int c = 0; c < k; c++) {
            total += s.resp[c];
        }
        if (!(total > 0)) {
            throw new NumericalException("the rows carry no weight (total responsibility " + total + ")");
        }
        List<Integer> kept = new ArrayList<>();
        List<Integer> dropped = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            if (s.resp[c] > COLLAPSE_SHARE * total) {
                kept.add(c);
            } else {
                dropped.add(c);
            }
        }
        int kk = kept.size();
        double keptTotal = 0;
        for (int c : kept) {
            keptTotal += s.resp[c];
        }
        boolean full = type == CovarianceType.FULL;
        double[] weights = new double[kk];
        double[] means = new double[kk * d];
        double[] cov = new double[full ? kk * d * d : kk * d];
        double[] delta = new double[d];
        for (int t = 0; t < kk; t++) {
            int c = kept.get(t);
            double nk = s.resp[c];
            weights[t] = nk / keptTotal;
            for (int a = 0; a < d; a++) {
                delta[a] = s.first[c * d + a] / nk;
                means[t * d + a] = referenceMeans[c * d + a] + delta[a];
            }
            if (full) {
                int in = c * d * d;
                int out = t * d * d;
                for (int b = 0; b < d; b++) {
                    for (int a = b; a < d; a++) {
                        double v = s.second[in + a + b * d] / nk - delta[a] * delta[b];
                        if (a == b) {
                            v += regCovar;
                        }
                        cov[out + a + b * d] = v;
                        cov[out + b + a * d] = v;
                    }
                }
            } else {
                for (int a = 0; a < d; a++) {
                    cov[t * d + a] = s.second[c * d + a] / nk - delta[a] * delta[a] + regCovar;
                }
            }
        }
        return new Result(new GaussianParams(type, kk, d, weights, means, cov), dropped);
    }
}
