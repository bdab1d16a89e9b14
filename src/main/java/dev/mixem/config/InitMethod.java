package dev.mixem.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the initial means are chosen before the first responsibility-weighted pass. */
public enum InitMethod {
    /** k-means|| (Bahmani et al. 2012) followed by Lloyd iterations, through Spark ML's KMeans on all rows. */
    KMEANS_PARALLEL("kmeans-parallel"),
    /** k-means++ seeding (Arthur and Vassilvitskii 2007) plus Lloyd iterations on a seeded sample of rows. */
    KMEANS_PLUS_PLUS("kmeans++"),
    /** k distinct rows of a seeded sample, chosen uniformly at random. */
    RANDOM("random");

    private final String serializedName;

    InitMethod(String serializedName) {
        this.serializedName = serializedName;
    }

    public String serializedName() {
        return serializedName;
    }

    public static InitMethod parse(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (InitMethod m : values()) {
            if (m.serializedName.equals(wanted)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown init method '" + name + "'; expected one of "
                + Arrays.stream(values()).map(InitMethod::serializedName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return serializedName;
    }
}
