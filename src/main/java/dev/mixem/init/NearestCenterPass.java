package dev.mixem.init;

import dev.mixem.config.CovarianceType;
import dev.mixem.family.gaussian.GaussianMoments;
import dev.mixem.family.gaussian.GaussianStats;
import dev.mixem.math.RowBlock;
import dev.mixem.source.BlockPass;

/**
 * Initialization's hard-assignment pass: every row to its nearest center, then the statistics of those
 * clusters centred on the centers, from which one M-step gives the initial parameters. The log-likelihood
 * fields are left untouched.
 */
public final class NearestCenterPass implements BlockPass<GaussianStats> {
    private static final long serialVersionUID = 1L;

    private final double[] centers;
    private final int k;
    private final int d;
    private final CovarianceType type;

    public NearestCenterPass(double[] centers, int k, int d, CovarianceType type) {
        this.centers = centers;
        this.k = k;
        this.d = d;
        this.type = type;
    }

    @Override
    public GaussianStats empty() {
        return GaussianStats.empty(k, d, type);
    }

    @Override
    public Accumulator<GaussianStats> open() {
        Assigner a = new Assigner(centers, k, d, type);
        return a::add;
    }

    /** One task's assignment of blocks to the centers, with its scratch space. */
    public static final class Assigner {
        private final double[] centers;
        private final int k;
        private final int d;
        private final GaussianMoments moments;
        private double[] dist;
        private int[] nearest;
        /** Sparse blocks: ‖c‖² per center. */
        private double[] centerNorms;

        public Assigner(double[] centers, int k, int d, CovarianceType type) {
            if (centers.length != k * d) {
                throw new IllegalArgumentException(centers.length + " center coordinates for k=" + k + ", d=" + d);
            }
            this.centers = centers;
            this.k = k;
            this.d = d;
            this.moments = new GaussianMoments(k, d, type);
        }

        /**
         * Hard assignment of every row to its nearest center (Euclidean, ties to the lower index), then
         * statistics centred on the centers. A row with missing cells is compared on its observed cells (the
         * squared distance scaled by d / observed), and its missing cells count as equal to its center's.
         */
        public void add(RowBlock b, GaussianStats into) {
            int n = b.rows;
            if (n == 0) {
                return;
            }
            assign(b, centers, k, d);
            double w = 0;
            for (int i = 0; i < n; i++) {
                w += b.weight(i);
            }
            for (int c = 0; c < k; c++) {
                int base = c * n;
                for (int i = 0; i < n; i++) {
                    dist[base + i] = nearest[i] == c ? b.weight(i) : 0.0;
                }
            }
            into.weight += w;
            into.rows += n;
            moments.add(b, dist, centers, into);
        }

        /**
         * The nearest center of every row of the block (Euclidean, ties to the lower index), into the array
         * returned (valid until the next call). A row with missing cells is compared on its observed cells (the
         * squared distance scaled by d / observed).
         */
        public int[] assign(RowBlock b) {
            return assign(b, centers, k, d);
        }

        private int[] assign(RowBlock b, double[] centers, int k, int d) {
            if (b.dim != d) {
                throw new IllegalArgumentException("centers of dimension " + d + " got rows of dimension " + b.dim);
            }
            int n = b.rows;
            if (dist == null || dist.length < n * k) {
                dist = new double[n * k];
                nearest = new int[n];
            }
            if (b.isSparse()) {
                return assignSparse(b, centers, k, d);
            }
            double[] x = b.values;
            boolean missing = b.missing > 0;
            for (int c = 0; c < k; c++) {
                int base = c * n;
                for (int i = 0; i < n; i++) {
                    dist[base + i] = 0;
                }
                for (int j = 0; j < d; j++) {
                    int col = j * n;
                    double mu = centers[c * d + j];
                    for (int i = 0; i < n; i++) {
                        double z = x[col + i] - mu;
                        dist[base + i] += missing && z != z ? 0.0 : z * z;
                    }
                }
            }
            if (missing) {
                for (int i = 0; i < n; i++) {
                    int observed = 0;
                    for (int j = 0; j < d; j++) {
                        double v = x[i + j * n];
                        observed += v == v ? 1 : 0;
                    }
                    double scale = observed == 0 ? 0.0 : (double) d / observed;
                    for (int c = 0; c < k; c++) {
                        dist[c * n + i] *= scale;
                    }
                }
            }
            return nearestOf(n, k);
        }

        /** ‖x − c‖² = ‖c‖² − Σ_nz x (2c − x) for a sparse block: O(nnz·k) beyond the centers' norms. */
        private int[] assignSparse(RowBlock b, double[] centers, int k, int d) {
            int n = b.rows;
            if (centerNorms == null) {
                centerNorms = new double[k];
                for (int c = 0; c < k; c++) {
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        s += centers[c * d + j] * centers[c * d + j];
                    }
                    centerNorms[c] = s;
                }
            }
            for (int c = 0; c < k; c++) {
                int base = c * n;
                for (int i = 0; i < n; i++) {
                    double s = centerNorms[c];
                    for (int t = b.rowStart[i]; t < b.rowStart[i + 1]; t++) {
                        double x = b.nonZeros[t];
                        s -= x * (2 * centers[c * d + b.cols[t]] - x);
                    }
                    dist[base + i] = s;
                }
            }
            return nearestOf(n, k);
        }

        private int[] nearestOf(int n, int k) {
            for (int i = 0; i < n; i++) {
                int best = 0;
                double bestDist = dist[i];
                for (int c = 1; c < k; c++) {
                    if (dist[c * n + i] < bestDist) {
                        bestDist = dist[c * n + i];
                        best = c;
                    }
                }
                nearest[i] = best;
            }
            return nearest;
        }
    }
}
