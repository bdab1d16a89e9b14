package dev.mixem.select;

import java.util.Locale;

/**
 * Information criteria, in scikit-learn's convention (lower is better), with L the total (weighted)
 * log-likelihood, p the free parameters and n the total row weight (the rows without a weight column):
 * <pre>
 *   BIC = −2 L + p ln n          (scikit-learn's bic; mclust reports 2 L − p ln n = −BIC, higher is better)
 *   AIC = −2 L + 2 p
 *   ICL = BIC + 2 E,  E = −Σ_i w_i ln max_k z_ik   (Biernacki, Celeux and Govaert 2000, with the MAP
 *                                                  classification as mclust's icl; mclust reports −ICL)
 * </pre>
 */
public enum Criterion {
    BIC, AIC, ICL;

    public static Criterion parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("criterion must be bic, aic or icl, not '" + s + "'");
        }
    }

    public String serializedName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The criterion's value (lower is better). */
    public double of(double totalLogLikelihood, long freeParameters, double n, double mapEntropy) {
        double bic = -2 * totalLogLikelihood + freeParameters * Math.log(n);
        return switch (this) {
            case BIC -> bic;
            case AIC -> -2 * totalLogLikelihood + 2.0 * freeParameters;
            case ICL -> bic + 2 * mapEntropy;
        };
    }
}
