package dev.mixem.init;

/**
 * k-means|| (Bahmani et al. 2012) followed by Lloyd iterations, for initialization's
 * {@code kmeans-parallel}: a capability of sources that can run it where the rows are (the Spark source runs
 * Spark ML's KMeans on its executors). For any other source, {@link Initializer} runs k-means++ and Lloyd on
 * the same sample in the driver.
 */
public interface KMeansParallel {

    /**
     * Centers (k x d, row-major) on the rows that the source's {@code sample} with this fraction and seed
     * picks (all rows with fraction 1; missing cells filled with the source's observed means), or null if
     * they have fewer than k distinct points.
     */
    double[] kmeansParallel(int k, double fraction, long seed, int maxIter);
}
