package dev.mixem.fit;

import dev.mixem.family.gaussian.GaussianParams;

/**
 * How far fitted parameters are from the true ones, after matching components: the assignment of fitted to
 * true components that minimizes the summed squared distance between means (all k! assignments for k ≤ 8,
 * greedy nearest pairs beyond). Errors are root-mean-square over components and entries, so they do not
 * grow with k or d:
 * <ul>
 *   <li>{@code means}: RMS of μ̂ - μ,</li>
 *   <li>{@code covariances}: RMS of Σ̂ - Σ over all d x d entries (the variances for diagonal models),</li>
 *   <li>{@code weights}: RMS of ŵ - w.</li>
 * </ul>
 */
public record ParameterError(double means, double covariances, double weights) {

    public static ParameterError of(GaussianParams truth, GaussianParams fit) {
        int k = truth.k();
        int d = truth.dim();
        if (fit.k() != k || fit.dim() != d || fit.type() != truth.type()) {
            throw new IllegalArgumentException("cannot compare a fit of k=" + fit.k() + ", d=" + fit.dim() + ", "
                    + fit.type() + " with a truth of k=" + k + ", d=" + d + ", " + truth.type());
        }
        double[][] dist = new double[k][k];
        for (int c = 0; c < k; c++) {
            double[] m = truth.mean(c);
            for (int f = 0; f < k; f++) {
                double[] g = fit.mean(f);
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += (m[j] - g[j]) * (m[j] - g[j]);
                }
                dist[c][f] = s;
            }
        }
        int[] match = k <= 8 ? bestPermutation(dist) : greedy(dist);
        double me = 0;
        double ce = 0;
        double we = 0;
        int covEntries = 0;
        for (int c = 0; c < k; c++) {
            int f = match[c];
            me += dist[c][f];
            double[] ct = truth.covariance(c);
            double[] cf = fit.covariance(f);
            for (int i = 0; i < ct.length; i++) {
                ce += (ct[i] - cf[i]) * (ct[i] - cf[i]);
            }
            covEntries += ct.length;
            we += (truth.weight(c) - fit.weight(f)) * (truth.weight(c) - fit.weight(f));
        }
        return new ParameterError(Math.sqrt(me / ((double) k * d)), Math.sqrt(ce / covEntries), Math.sqrt(we / k));
    }

    private static int[] bestPermutation(double[][] dist) {
        int k = dist.length;
        int[] perm = new int[k];
        for (int i = 0; i < k; i++) {
            perm[i] = i;
        }
        int[] best = perm.clone();
        double[] bestCost = {Double.POSITIVE_INFINITY};
        permute(perm, 0, dist, best, bestCost);
        return best;
    }

    private static void permute(int[] perm, int at, double[][] dist, int[] best, double[] bestCost) {
        if (at == perm.length) {
            double cost = 0;
            for (int c = 0; c < perm.length; c++) {
                cost += dist[c][perm[c]];
            }
            if (cost < bestCost[0]) {
                bestCost[0] = cost;
                System.arraycopy(perm, 0, best, 0, perm.length);
            }
            return;
        }
        for (int i = at; i < perm.length; i++) {
            swap(perm, at, i);
            permute(perm, at + 1, dist, best, bestCost);
            swap(perm, at, i);
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    private static int[] greedy(double[][] dist) {
        int k = dist.length;
        int[] match = new int[k];
        boolean[] rowUsed = new boolean[k];
        boolean[] colUsed = new boolean[k];
        for (int step = 0; step < k; step++) {
            int br = -1;
            int bc = -1;
            for (int c = 0; c < k; c++) {
                for (int f = 0; f < k; f++) {
                    if (!rowUsed[c] && !colUsed[f] && (br < 0 || dist[c][f] < dist[br][bc])) {
                        br = c;
                        bc = f;
                    }
                }
            }
            rowUsed[br] = true;
            colUsed[bc] = true;
            match[br] = bc;
        }
        return match;
    }
}
