package dev.mixem.bench;

import dev.mixem.family.gaussian.GaussianParams;

import java.util.Locale;

/**
 * How close a fitted mixture came to the one that generated the data. Components are matched to the true ones
 * by the assignment of least total squared distance between means (exhaustively up to 8 components, greedily
 * beyond). Each weight, mean coordinate and covariance entry is compared with its true value in units of its
 * standard error at n rows had the labels been known: √(w(1−w)/n) for a weight, √(Σ_jj/(n·w)) for a mean,
 * √((Σ_ii·Σ_jj + Σ_ij²)/(n·w)) for a covariance entry. EM's estimates of well-separated components are that
 * precise; the largest of m such ratios is rarely above {@link #bound(int)}.
 */
public record TruthComparison(int[] match, double maxWeightError, double maxMeanError, double maxCovarianceError,
                              double maxStandardErrors, String worst, int quantities) {

    /** @param rows the number of rows the fit saw */
    public static TruthComparison of(GaussianParams truth, GaussianParams fit, long rows) {
        int k = truth.k();
        int d = truth.dim();
        if (fit.k() != k || fit.dim() != d) {
            throw new IllegalArgumentException("the fit has " + fit.k() + " components in " + fit.dim()
                    + " dimensions, the truth " + k + " in " + d);
        }
        double[][] cost = new double[k][k];
        for (int t = 0; t < k; t++) {
            for (int f = 0; f < k; f++) {
                double[] a = truth.mean(t);
                double[] b = fit.mean(f);
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += (a[j] - b[j]) * (a[j] - b[j]);
                }
                cost[t][f] = s;
            }
        }
        int[] match = k <= 8 ? exhaustive(cost) : greedy(cost);
        double n = rows;
        double maxW = 0;
        double maxMu = 0;
        double maxCov = 0;
        double maxZ = 0;
        String worst = "";
        int quantities = 0;
        for (int t = 0; t < k; t++) {
            int f = match[t];
            double w = truth.weight(t);
            double ew = Math.abs(fit.weight(f) - w);
            maxW = Math.max(maxW, ew);
            double z = ew / Math.sqrt(Math.max(w * (1 - w), 1e-300) / n);
            quantities++;
            if (k > 1 && z > maxZ) {
                maxZ = z;
                worst = "weight of component " + t;
            }
            double[] sigma = truth.covarianceMatrix(t);
            double[] sigmaHat = fit.covarianceMatrix(f);
            double[] mu = truth.mean(t);
            double[] muHat = fit.mean(f);
            for (int i = 0; i < d; i++) {
                double e = Math.abs(muHat[i] - mu[i]);
                maxMu = Math.max(maxMu, e);
                z = e / Math.sqrt(sigma[i * d + i] / (n * w));
                quantities++;
                if (z > maxZ) {
                    maxZ = z;
                    worst = "mean " + i + " of component " + t;
                }
                for (int j = 0; j <= i; j++) {
                    e = Math.abs(sigmaHat[i * d + j] - sigma[i * d + j]);
                    maxCov = Math.max(maxCov, e);
                    double var = sigma[i * d + i] * sigma[j * d + j] + sigma[i * d + j] * sigma[i * d + j];
                    z = e / Math.sqrt(var / (n * w));
                    quantities++;
                    if (z > maxZ) {
                        maxZ = z;
                        worst = "covariance (" + i + ", " + j + ") of component " + t;
                    }
                }
            }
        }
        return new TruthComparison(match, maxW, maxMu, maxCov, maxZ, worst, quantities);
    }

    /**
     * The ratio below which the largest of m standard-normal errors falls with probability about 99%: the
     * point where m·P(|Z| &gt; b) = 0.01, at least 3.
     */
    public static double bound(int m) {
        double lo = 0;
        double hi = 40;
        for (int i = 0; i < 200; i++) {
            double mid = 0.5 * (lo + hi);
            if (m * erfc(mid / Math.sqrt(2)) > 0.01) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return Math.max(3, hi);
    }

    /** Whether every error is within the sampling error {@link #bound} allows. */
    public boolean withinSamplingError() {
        return maxStandardErrors <= bound(quantities);
    }

    /** Two lines for the demo's output. */
    public String describe() {
        return String.format(Locale.ROOT, "fit vs truth (components matched by their means): largest error of a weight"
                        + " %.2g, of a mean %.2g, of a covariance entry %.2g;%n  the largest relative to its sampling"
                        + " error is the %s at %.2f standard errors: %s (%d quantities; 99%% of fits stay below %.2f)",
                maxWeightError, maxMeanError, maxCovarianceError, worst, maxStandardErrors,
                withinSamplingError() ? "within sampling error" : "NOT within sampling error", quantities,
                bound(quantities));
    }

    private static int[] exhaustive(double[][] cost) {
        int k = cost.length;
        int[] perm = new int[k];
        for (int i = 0; i < k; i++) {
            perm[i] = i;
        }
        int[] best = perm.clone();
        double[] bestCost = {Double.POSITIVE_INFINITY};
        permute(cost, perm, 0, 0, best, bestCost);
        return best;
    }

    private static void permute(double[][] cost, int[] perm, int i, double acc, int[] best, double[] bestCost) {
        if (acc >= bestCost[0]) {
            return;
        }
        if (i == perm.length) {
            bestCost[0] = acc;
            System.arraycopy(perm, 0, best, 0, perm.length);
            return;
        }
        for (int j = i; j < perm.length; j++) {
            swap(perm, i, j);
            permute(cost, perm, i + 1, acc + cost[i][perm[i]], best, bestCost);
            swap(perm, i, j);
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    private static int[] greedy(double[][] cost) {
        int k = cost.length;
        int[] match = new int[k];
        boolean[] usedT = new boolean[k];
        boolean[] usedF = new boolean[k];
        for (int step = 0; step < k; step++) {
            int bt = -1;
            int bf = -1;
            for (int t = 0; t < k; t++) {
                for (int f = 0; f < k; f++) {
                    if (!usedT[t] && !usedF[f] && (bt < 0 || cost[t][f] < cost[bt][bf])) {
                        bt = t;
                        bf = f;
                    }
                }
            }
            usedT[bt] = true;
            usedF[bf] = true;
            match[bt] = bf;
        }
        return match;
    }

    /** erfc by the Numerical Recipes rational approximation (relative error below 1.2e-7). */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
