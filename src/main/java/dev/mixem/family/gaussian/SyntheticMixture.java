package dev.mixem.family.gaussian;

import dev.mixem.config.CovarianceType;
import dev.mixem.math.Linalg;

import java.util.SplittableRandom;

/**
 * Random Gaussian mixtures with known parameters, for generated data and tests.
 * <ul>
 *   <li>Weights: uniform on [0.5, 1.5], normalized (no component is tiny).</li>
 *   <li>Covariances: Q diag(λ) Qᵀ with Q a random rotation (QR of a Gaussian matrix) and λ uniform on
 *       [0.25, 1] (full), or the variances λ alone (diag); so every standard deviation is at most 1.</li>
 *   <li>Means: drawn from N(0, I), then scaled so that the closest two are exactly {@code separation} apart,
 *       i.e. {@code separation} is the minimum distance between means in units of the largest possible
 *       component standard deviation (1).</li>
 * </ul>
 */
public final class SyntheticMixture {

    private SyntheticMixture() {
    }

    public static GaussianParams random(CovarianceType type, int k, int d, double separation, long seed) {
        return random(type, 0, k, d, separation, seed);
    }

    /**
     * {@link #random(CovarianceType, int, int, double, long)} for any structure; factor (q factors) draws
     * uniquenesses uniform on [0.1, 0.3] and loadings N(0, 0.5/q), so that a feature's variance is about 0.7.
     */
    public static GaussianParams random(CovarianceType type, int q, int k, int d, double separation, long seed) {
        if (!(separation > 0)) {
            throw new IllegalArgumentException("separation must be > 0, got " + separation);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[] w = new double[k];
        double sum = 0;
        for (int c = 0; c < k; c++) {
            w[c] = 0.5 + rng.nextDouble();
            sum += w[c];
        }
        for (int c = 0; c < k; c++) {
            w[c] /= sum;
        }
        double[] means = new double[k * d];
        for (int i = 0; i < means.length; i++) {
            means[i] = rng.nextGaussian();
        }
        if (k > 1) {
            double minDist = Double.POSITIVE_INFINITY;
            for (int a = 0; a < k; a++) {
                for (int b = a + 1; b < k; b++) {
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        double z = means[a * d + j] - means[b * d + j];
                        s += z * z;
                    }
                    minDist = Math.min(minDist, Math.sqrt(s));
                }
            }
            double scale = separation / minDist;
            for (int i = 0; i < means.length; i++) {
                means[i] *= scale;
            }
        }
        if (type == CovarianceType.FACTOR) {
            q = type.requireFactors(q);
            double[] cov = new double[type.paramLength(k, d, q)];
            double sd = Math.sqrt(0.5 / q);
            for (int c = 0; c < k; c++) {
                int o = c * d * (q + 1);
                for (int j = 0; j < d; j++) {
                    cov[o + j] = 0.1 + 0.2 * rng.nextDouble();
                }
                for (int i = 0; i < d * q; i++) {
                    cov[o + d + i] = sd * rng.nextGaussian();
                }
            }
            return new GaussianParams(type, q, k, d, w, means, cov);
        }
        double[] cov = new double[type.paramLength(k, d)];
        // Tied draws one matrix; spherical one variance per component, the mean of d draws.
        int draws = type == CovarianceType.TIED ? 1 : k;
        for (int c = 0; c < draws; c++) {
            double[] lambda = new double[d];
            for (int j = 0; j < d; j++) {
                lambda[j] = 0.25 + 0.75 * rng.nextDouble();
            }
            if (type == CovarianceType.DIAG) {
                System.arraycopy(lambda, 0, cov, c * d, d);
            } else if (type == CovarianceType.SPHERICAL) {
                double total = 0;
                for (double l : lambda) {
                    total += l;
                }
                cov[c] = total / d;
            } else {
                double[] rot = randomRotation(d, rng);
                for (int a = 0; a < d; a++) {
                    for (int b = 0; b < d; b++) {
                        double s = 0;
                        for (int t = 0; t < d; t++) {
                            s += rot[a + t * d] * lambda[t] * rot[b + t * d];
                        }
                        cov[c * d * d + a + b * d] = s;
                    }
                }
            }
        }
        return new GaussianParams(type, k, d, w, means, cov);
    }

    /** Column-major d x d orthogonal matrix: Gram-Schmidt on the columns of a Gaussian matrix. */
    private static double[] randomRotation(int d, SplittableRandom rng) {
        double[] q = new double[d * d];
        for (int i = 0; i < q.length; i++) {
            q[i] = rng.nextGaussian();
        }
        for (int j = 0; j < d; j++) {
            for (int pass = 0; pass < 2; pass++) {
                for (int p = 0; p < j; p++) {
                    double dot = 0;
                    for (int i = 0; i < d; i++) {
                        dot += q[i + j * d] * q[i + p * d];
                    }
                    for (int i = 0; i < d; i++) {
                        q[i + j * d] -= dot * q[i + p * d];
                    }
                }
            }
            double norm = 0;
            for (int i = 0; i < d; i++) {
                norm += q[i + j * d] * q[i + j * d];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < d; i++) {
                q[i + j * d] /= norm;
            }
        }
        return q;
    }

    /**
     * Draws rows from a mixture. Holds the Cholesky factors, so a sampler is built once per partition.
     */
    public static final class Sampler {
        private final GaussianParams p;
        private final double[] chol;
        private final double[] means;
        private final double[] cumulative;
        private final double[] z;
        private final boolean matrix;
        /** Factor: q, the loadings (k x d x q) and the factors drawn for a row. */
        private final int q;
        private final double[] loadings;
        private final double[] f;

        public Sampler(GaussianParams p) {
            this.p = p;
            this.matrix = p.type().matrix();
            this.means = p.means();
            int k = p.k();
            int d = p.dim();
            this.q = p.factors();
            this.loadings = new double[k * d * q];
            this.f = new double[q];
            chol = new double[p.type().matrix() ? k * d * d : k * d];
            for (int c = 0; c < k; c++) {
                if (p.type() == CovarianceType.FACTOR) {
                    // x = μ + Λ f + ψ^½ ε with f, ε standard normal: never a d x d matrix.
                    double[] psi = p.uniquenesses(c);
                    for (int j = 0; j < d; j++) {
                        chol[c * d + j] = Math.sqrt(psi[j]);
                    }
                    System.arraycopy(p.loadings(c), 0, loadings, c * d * q, d * q);
                } else if (p.type().matrix()) {
                    System.arraycopy(Linalg.choleskyLower(p.covariance(c), 0, d), 0, chol, c * d * d, d * d);
                } else {
                    double[] v = p.covariance(c);
                    for (int j = 0; j < d; j++) {
                        chol[c * d + j] = Math.sqrt(v[j]);
                    }
                }
            }
            cumulative = new double[k];
            double acc = 0;
            for (int c = 0; c < k; c++) {
                acc += p.weight(c);
                cumulative[c] = acc;
            }
            z = new double[d];
        }

        /** Draws one row into {@code out} and returns its component. */
        public int draw(SplittableRandom rng, double[] out) {
            int k = p.k();
            int d = p.dim();
            double u = rng.nextDouble() * cumulative[k - 1];
            int c = 0;
            while (c < k - 1 && u >= cumulative[c]) {
                c++;
            }
            for (int j = 0; j < d; j++) {
                z[j] = rng.nextGaussian();
            }
            for (int t = 0; t < q; t++) {
                f[t] = rng.nextGaussian();
            }
            for (int a = 0; a < d; a++) {
                double s = means[c * d + a];
                for (int t = 0; t < q; t++) {
                    s += loadings[c * d * q + a + t * d] * f[t];
                }
                if (matrix) {
                    for (int b = 0; b <= a; b++) {
                        s += chol[c * d * d + a + b * d] * z[b];
                    }
                } else {
                    s += chol[c * d + a] * z[a];
                }
                out[a] = s;
            }
            return c;
        }
    }
}
