package dev.mixem.fit;

import dev.mixem.config.CovarianceType;
import dev.mixem.family.GaussianScorer;
import dev.mixem.stats.GaussianStats;

/**
 * Rows held as blocks somewhere (a Spark cluster, or local memory) that the fitters make passes over. The
 * fitters only ever see merged statistics, so the same driver loop runs on both.
 */
public interface BlockSource {

    int dim();

    long rows();

    /** Σ of row weights (the number of rows when unweighted). */
    double totalWeight();

    /** One E-step pass: responsibilities under {@code scorer}, statistics centred on its means. */
    GaussianStats eStep(GaussianScorer scorer, String description);

    /** One pass assigning each row to its nearest center; statistics centred on the centers. */
    GaussianStats nearestCenterPass(double[] centers, int k, CovarianceType type, String description);

    /**
     * Rows chosen independently with probability {@code fraction} by a hash of (seed, global row index), in
     * input order: the same rows whatever the partitioning.
     */
    Sample sample(double fraction, long seed);

    /**
     * Centers from k-means|| followed by Lloyd iterations, on the rows that {@link #sample} with the same
     * fraction and seed would pick (all rows with fraction 1), or null if they have fewer than k distinct
     * points.
     */
    double[] kmeansParallel(int k, double fraction, long seed, int maxIter);

    /** A sample of rows (row-major) with their weights. */
    record Sample(double[][] rows, double[] weights) {
    }
}
