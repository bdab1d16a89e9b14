package dev.mixem.math;

import java.util.SplittableRandom;

/**
 * Weighted k-means on rows held in memory: greedy k-means++ seeding (Arthur and Vassilvitskii 2007; at each
 * step 2 + ⌊ln k⌋ candidates are drawn and the one that lowers the potential most is kept, as scikit-learn
 * does) followed by Lloyd iterations. Used on a seeded sample of the data; deterministic for a given seed.
 */
public final class LocalKMeans {

    private LocalKMeans() {
    }

    /**
     * @param weights one positive-or-zero weight per row
     * @return k*d centers, or null if the rows have fewer than k distinct points with positive weight
     */
    public static double[] fit(double[][] rows, double[] weights, int k, long seed, int maxIter) {
        int n = rows.length;
        int d = rows[0].length;
        SplittableRandom rng = new SplittableRandom(seed);
        double[] centers = new double[k * d];
        double[] dist = new double[n];
        // k-means++: first center by weight, then proportional to weight x squared distance.
        int first = pickWeighted(weights, null, rng);
        if (first < 0) {
            return null;
        }
        System.arraycopy(rows[first], 0, centers, 0, d);
        for (int i = 0; i < n; i++) {
            dist[i] = sqDist(rows[i], centers, 0, d);
        }
        int trials = 2 + (int) Math.log(k);
        double[] candidateDist = new double[n];
        double[] bestDist = new double[n];
        for (int c = 1; c < k; c++) {
            int best = -1;
            double bestPotential = Double.POSITIVE_INFINITY;
            for (int t = 0; t < trials; t++) {
                int cand = pickWeighted(weights, dist, rng);
                if (cand < 0) {
                    return null;
                }
                double potential = 0;
                for (int i = 0; i < n; i++) {
                    candidateDist[i] = Math.min(dist[i], sqDist(rows[i], rows[cand], d));
                    potential += weights[i] * candidateDist[i];
                }
                if (best < 0 || potential < bestPotential) {
                    bestPotential = potential;
                    best = cand;
                    System.arraycopy(candidateDist, 0, bestDist, 0, n);
                }
            }
            System.arraycopy(rows[best], 0, centers, c * d, d);
            System.arraycopy(bestDist, 0, dist, 0, n);
        }
        lloyd(rows, weights, centers, k, maxIter);
        return centers;
    }

    /** Lloyd iterations in place; a center that loses all its rows keeps its position. */
    static void lloyd(double[][] rows, double[] weights, double[] centers, int k, int maxIter) {
        int n = rows.length;
        int d = rows[0].length;
        int[] assign = new int[n];
        java.util.Arrays.fill(assign, -1);
        double[] sums = new double[k * d];
        double[] mass = new double[k];
        for (int it = 0; it < maxIter; it++) {
            boolean changed = false;
            for (int i = 0; i < n; i++) {
                int best = nearest(rows[i], centers, k, d);
                if (best != assign[i]) {
                    assign[i] = best;
                    changed = true;
                }
            }
            if (!changed) {
                return;
            }
            java.util.Arrays.fill(sums, 0);
            java.util.Arrays.fill(mass, 0);
            for (int i = 0; i < n; i++) {
                double w = weights[i];
                mass[assign[i]] += w;
                for (int j = 0; j < d; j++) {
                    sums[assign[i] * d + j] += w * rows[i][j];
                }
            }
            for (int c = 0; c < k; c++) {
                if (mass[c] > 0) {
                    for (int j = 0; j < d; j++) {
                        centers[c * d + j] = sums[c * d + j] / mass[c];
                    }
                }
            }
        }
    }

    static int nearest(double[] x, double[] centers, int k, int d) {
        int best = 0;
        double bestDist = Double.POSITIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            double dd = sqDist(x, centers, c * d, d);
            if (dd < bestDist) {
                bestDist = dd;
                best = c;
            }
        }
        return best;
    }

    private static double sqDist(double[] x, double[] y, int d) {
        return sqDist(x, y, 0, d);
    }

    private static double sqDist(double[] x, double[] centers, int off, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) {
            double z = x[j] - centers[off + j];
            s += z * z;
        }
        return s;
    }

    /** Index drawn with probability ∝ weight (x dist if given); -1 if every mass is zero. */
    private static int pickWeighted(double[] weights, double[] dist, SplittableRandom rng) {
        int n = weights.length;
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += mass(weights, dist, i);
        }
        if (!(total > 0)) {
            return -1;
        }
        double u = rng.nextDouble() * total;
        double acc = 0;
        int last = -1;
        for (int i = 0; i < n; i++) {
            double m = mass(weights, dist, i);
            if (m > 0) {
                acc += m;
                last = i;
                if (u < acc) {
                    return i;
                }
            }
        }
        return last;
    }

    private static double mass(double[] weights, double[] dist, int i) {
        return dist == null ? weights[i] : weights[i] * dist[i];
    }
}
