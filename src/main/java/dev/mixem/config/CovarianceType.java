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
    DIAG("diag");

    private final String serializedName;

    CovarianceType(String serializedName) {
        this.serializedName = serializedName;
    }

    public String serializedName() {
        return serializedName;
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
