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
    SPHERICAL("spherical");

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
        return switch (this) {
            case FULL -> k * d * d;
            case DIAG -> k * d;
            case TIED -> d * d;
            case SPHERICAL -> k;
        };
    }

    /**
     * Distance between consecutive components' factors in the broadcast scorer (and between their
     * covariances there): d·d for full, 0 for tied (one shared factor), d for diag and spherical (whose
     * precisions are stored per feature, so that both use the same kernels).
     */
    public int factorStride(int d) {
        return switch (this) {
            case FULL -> d * d;
            case TIED -> 0;
            case DIAG, SPHERICAL -> d;
        };
    }

    /** Length of the scorer's factor array: k·d·d full, d·d tied, k·d diag and spherical. */
    public int factorLength(int k, int d) {
        return this == TIED ? d * d : k * factorStride(d);
    }

    /**
     * Distance between consecutive components' second moments in the statistics: d·d for full, 0 for tied
     * (the second moments of all components are pooled, centred each on its own reference mean), d for diag
     * and spherical (per-feature squares; spherical averages them in the M-step).
     */
    public int statsStride(int d) {
        return factorStride(d);
    }

    /** Length of the statistics' second-moment array. */
    public int statsLength(int k, int d) {
        return factorLength(k, d);
    }

    /** Free parameters of the covariances, as scikit-learn counts them. */
    public long covarianceParameters(int k, int d) {
        long tri = (long) d * (d + 1) / 2;
        return switch (this) {
            case FULL -> k * tri;
            case DIAG -> (long) k * d;
            case TIED -> tri;
            case SPHERICAL -> k;
        };
    }

    /** Free parameters of a mixture: k-1 weights, k·d means, and the covariances. */
    public long freeParameters(int k, int d) {
        return (k - 1) + (long) k * d + covarianceParameters(k, d);
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
