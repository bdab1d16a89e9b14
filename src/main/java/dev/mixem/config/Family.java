package dev.mixem.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The mixture family a fit uses: what a component's density is, and so which values a feature may take.
 * <ul>
 *   <li>{@code gaussian}: real features, with a covariance structure ({@link CovarianceType});</li>
 *   <li>{@code bernoulli}: features in {0, 1} (booleans read as 0 and 1), independent given the component;</li>
 *   <li>{@code poisson}: counts (non-negative integers), independent given the component;</li>
 *   <li>{@code categorical}: text or integer columns, each a variable with its own levels, independent given
 *       the component (latent class analysis);</li>
 *   <li>{@code student-t}: real features, multivariate Student-t components (heavy tails) with a scale
 *       structure ({@link CovarianceType}, not factor) and degrees of freedom per component.</li>
 * </ul>
 */
public enum Family {
    GAUSSIAN("gaussian", Domain.REAL),
    BERNOULLI("bernoulli", Domain.BINARY),
    POISSON("poisson", Domain.COUNT),
    CATEGORICAL("categorical", Domain.CATEGORICAL),
    STUDENT_T("student-t", Domain.REAL);

    /** The values a family's features may take, checked as rows are read. */
    public enum Domain {
        /** Any finite number. */
        REAL,
        /** 0 or 1. */
        BINARY,
        /** A non-negative integer (at most 2^53, where doubles still count by one). */
        COUNT,
        /** Any value, text or number, read as one of its column's levels. */
        CATEGORICAL
    }

    private final String serializedName;
    private final Domain domain;

    Family(String serializedName, Domain domain) {
        this.serializedName = serializedName;
        this.domain = domain;
    }

    public String serializedName() {
        return serializedName;
    }

    public Domain domain() {
        return domain;
    }

    /** Whether the family has a covariance (scale) structure and reg-covar: Gaussian and Student-t. */
    public boolean hasCovariance() {
        return this == GAUSSIAN || this == STUDENT_T;
    }

    public static Family parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Family f : values()) {
            if (f.serializedName.equals(n)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown family '" + name + "'; expected one of "
                + Arrays.stream(values()).map(Family::serializedName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return serializedName;
    }
}
