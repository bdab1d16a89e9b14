package dev.mixem.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Shape of each component's covariance matrix. The serialized name is what users type on the command
 * line and what {@code model.json} stores; it never changes for an existing constant.
 */
public enum CovarianceType {
    /** A full symmetric positive-definite D x D matrix per component. */
    FULL("full"),
    /** A diagonal matrix per component, stored as its D variances. */
    DIAG("diag"),
    /** One full D x D matrix shared by every component (scikit-learn's and mclust's "tied", EEE). */
    TIED("tied"),
    /** One variance per component, the same for every feature: σ_k² I (mclust's VII). */
    SPHERICAL("spherical"),
    /**
     * Factor analyzers: Σ_k = Λ_k Λ_kᵀ + Ψ_k with q loadings per component (Λ_k, d x q) and diagonal
     * uniquenesses Ψ_k (Ghahramani and Hinton 1996). The layouts depend on q, so the methods that take q serve it.
     */
    FACTOR("factor");

    /**
     * The structures whose layout does not depend on a number of factors: the four of scikit-learn, which
     * every method (gradients, online EM), missing-cell kernel and the estimator serve.
     */
    public static final java.util.List<CovarianceType> WITHOUT_FACTORS = java.util.List.of(FULL, DIAG, TIED, SPHERICAL);

    private final String serializedName;

    CovarianceType(String serializedName) {
        this.serializedName = serializedName;
    }

    public String serializedName() {
        return serializedName;
    }

    // Storage layout. These facts are shared by the parameters, the broadcast scorer and the statistics;
    // the arithmetic on them (M-step, gradient, EM's bound) is the Covariance strategy's, in the family package.

    /** True when the covariances are matrices (factored by Cholesky); false when they are variances. */
    public boolean matrix() {
        return this == FULL || this == TIED;
    }

    /**
     * Length of the compact parameter array: full k·d·d (column-major per component), diag k·d, tied d·d,
     * spherical k.
     */
    public int paramLength(int k, int d) {
        return paramLength(k, d, 0);
    }

    /** {@link #paramLength(int, int)}, and for factor k·d·(q+1): per component Ψ (d), then Λ (d x q, column-major). */
    public int paramLength(int k, int d, int q) {
        return switch (this) {
            case FULL -> k * d * d;
            case DIAG -> k * d;
            case TIED -> d * d;
            case SPHERICAL -> k;
            case FACTOR -> k * d * (requireFactors(q) + 1);
        };
    }

    /** q itself for factor (which needs q ≥ 1); other structures have no factors. */
    public int requireFactors(int q) {
        if (this == FACTOR && q < 1) {
            throw new IllegalArgumentException("factor covariance needs the number of factors (--factors q, q >= 1)");
        }
        return this == FACTOR ? q : 0;
    }

    /**
     * Distance between consecutive components' factors in the broadcast scorer (and between their
     * covariances there): d·d for full, 0 for tied (one shared factor), d for diag and spherical (whose
     * precisions are stored per feature, so that both use the same kernels).
     */
    public int factorStride(int d) {
        return factorStride(d, 0);
    }

    /** {@link #factorStride(int)}; factor: ψ⁻¹ (d), W = Ψ⁻¹Λ (d x q) and the Cholesky factor of I + ΛᵀΨ⁻¹Λ (q x q). */
    public int factorStride(int d, int q) {
        return switch (this) {
            case FULL -> d * d;
            case TIED -> 0;
            case DIAG, SPHERICAL -> d;
            case FACTOR -> d + d * requireFactors(q) + q * q;
        };
    }

    /** Length of the scorer's factor array: k·d·d full, d·d tied, k·d diag and spherical. */
    public int factorLength(int k, int d) {
        return factorLength(k, d, 0);
    }

    /** {@link #factorLength(int, int)} for any structure. */
    public int factorLength(int k, int d, int q) {
        return this == TIED ? d * d : k * factorStride(d, q);
    }

    /**
     * Distance between consecutive components' second moments in the statistics: d·d for full, 0 for tied
     * (the second moments of all components are pooled, centred each on its own reference mean), d for diag
     * and spherical (per-feature squares; spherical averages them in the M-step).
     */
    public int statsStride(int d) {
        return statsStride(d, 0);
    }

    /**
     * {@link #statsStride(int)}; factor: per component Σ r u∘u (d), Σ r u E[z|x]ᵀ (d x q), Σ r E[z|x] (q) and
     * Σ r E[z|x] E[z|x]ᵀ (q x q), with u = x - m.
     */
    public int statsStride(int d, int q) {
        return this == FACTOR ? d + d * requireFactors(q) + q + q * q : factorStride(d, q);
    }

    /** Length of the statistics' second-moment array. */
    public int statsLength(int k, int d) {
        return statsLength(k, d, 0);
    }

    /** {@link #statsLength(int, int)} for any structure. */
    public int statsLength(int k, int d, int q) {
        return this == TIED ? d * d : k * statsStride(d, q);
    }

    /** Free parameters of the covariances, as scikit-learn counts them. */
    public long covarianceParameters(int k, int d) {
        return covarianceParameters(k, d, 0);
    }

    /**
     * {@link #covarianceParameters(int, int)}; factor: per component d uniquenesses and d·q - q(q-1)/2
     * loadings (Λ is identified up to a rotation of the factors, as in McLachlan and Peel).
     */
    public long covarianceParameters(int k, int d, int q) {
        long tri = (long) d * (d + 1) / 2;
        return switch (this) {
            case FULL -> k * tri;
            case DIAG -> (long) k * d;
            case TIED -> tri;
            case SPHERICAL -> k;
            case FACTOR -> k * ((long) d + (long) d * requireFactors(q) - (long) q * (q - 1) / 2);
        };
    }

    /** Free parameters of a mixture: k-1 weights, k·d means, and the covariances. */
    public long freeParameters(int k, int d) {
        return freeParameters(k, d, 0);
    }

    /** {@link #freeParameters(int, int)} for any structure. */
    public long freeParameters(int k, int d, int q) {
        return (k - 1) + (long) k * d + covarianceParameters(k, d, q);
    }

    /** Parses a serialized name, case-insensitively; the error lists the accepted names. */
    public static CovarianceType parse(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (CovarianceType t : values()) {
            if (t.serializedName.equals(wanted)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown covariance type '" + name + "'; expected one of "
                + Arrays.stream(values()).map(CovarianceType::serializedName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return serializedName;
    }
}
