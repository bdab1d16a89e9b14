package dev.mixem.family.gaussian;

import dev.mixem.family.NumericalException;

import dev.mixem.config.CovarianceType;

import java.util.Arrays;

/**
 * Parameters of a Gaussian mixture: weights on the simplex, means, and covariances stored compactly by
 * structure ({@link CovarianceType#paramLength}): full, k column-major symmetric d x d matrices; diag, k·d
 * variances; tied, one d x d matrix; spherical, k variances. {@link #covariance(int)} expands component c's
 * covariance whatever the structure. Immutable: accessors return copies.
 * Construction checks shapes, finiteness, weights and positive definiteness, so an instance is always a
 * valid model.
 */
public final class GaussianParams implements dev.mixem.family.MixtureParams {
    private static final long serialVersionUID = 1L;

    private final CovarianceType type;
    /** Factors per component (factor structure only; 0 otherwise). */
    private final int q;
    private final int k;
    private final int d;
    private final double[] weights;
    private final double[] means;
    private final double[] covariances;
    private transient GaussianScorer scorer;

    /**
     * @param weights     k mixing weights, positive, summing to 1 within 1e-9 (they are renormalized)
     * @param means       k*d values, component c's mean at [c*d, (c+1)*d)
     * @param covariances full: k*d*d values, component c's covariance column-major at offset c*d*d;
     *                    diag: k*d variances; tied: one d*d column-major matrix; spherical: k variances
     */
    public GaussianParams(CovarianceType type, int k, int d, double[] weights, double[] means, double[] covariances) {
        this(type, 0, k, d, weights, means, covariances, true);
    }

    /**
     * Parameters of any structure; q is the number of factors of the factor structure (ignored otherwise),
     * whose compact covariances hold per component its d uniquenesses Ψ, then its d x q loadings Λ
     * (column-major), at offset c·d·(q+1).
     */
    public GaussianParams(CovarianceType type, int q, int k, int d, double[] weights, double[] means,
                          double[] covariances) {
        this(type, q, k, d, weights, means, covariances, true);
    }

    /**
     * Parameters exactly as saved (by a checkpoint): validated like any others, but the weights are not
     * renormalized, so that the restored parameters are bit-identical to the ones saved.
     */
    public static GaussianParams restore(CovarianceType type, int k, int d, double[] weights, double[] means,
                                         double[] covariances) {
        return new GaussianParams(type, 0, k, d, weights, means, covariances, false);
    }

    /** {@link #restore(CovarianceType, int, int, double[], double[], double[])} with q factors. */
    public static GaussianParams restore(CovarianceType type, int q, int k, int d, double[] weights, double[] means,
                                         double[] covariances) {
        return new GaussianParams(type, q, k, d, weights, means, covariances, false);
    }

    private GaussianParams(CovarianceType type, int q, int k, int d, double[] weights, double[] means,
                           double[] covariances, boolean normalize) {
        if (k < 1 || d < 1) {
            throw new IllegalArgumentException("need k >= 1 and d >= 1, got k=" + k + ", d=" + d);
        }
        q = type.requireFactors(q);
        if (q >= d) {
            throw new IllegalArgumentException("factors must be fewer than the features, got q=" + q + ", d=" + d);
        }
        int covLen = type.paramLength(k, d, q);
        if (weights.length != k || means.length != k * d || covariances.length != covLen) {
            throw new IllegalArgumentException("parameter arrays have lengths " + weights.length + ", "
                    + means.length + ", " + covariances.length + "; expected " + k + ", " + k * d + ", " + covLen);
        }
        double sum = 0;
        for (int c = 0; c < k; c++) {
            if (!(weights[c] > 0) || !Double.isFinite(weights[c])) {
                throw new NumericalException("weight of component " + c + " is " + weights[c] + "; must be > 0");
            }
            sum += weights[c];
        }
        if (Math.abs(sum - 1) > 1e-9) {
            throw new IllegalArgumentException("weights sum to " + sum + ", not 1");
        }
        requireFinite(means, "mean");
        requireFinite(covariances, "covariance");
        this.type = type;
        this.q = q;
        this.k = k;
        this.d = d;
        this.weights = weights.clone();
        for (int c = 0; c < k && normalize; c++) {
            this.weights[c] /= sum;
        }
        this.means = means.clone();
        this.covariances = covariances.clone();
        if (type.matrix()) {
            symmetrize(this.covariances, covLen / (d * d), d);
        }
        this.scorer = GaussianScorer.of(this);
    }

    private static void requireFinite(double[] v, String what) {
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new NumericalException(what + " entry " + i + " is " + v[i]);
            }
        }
    }

    private static void symmetrize(double[] cov, int k, int d) {
        for (int c = 0; c < k; c++) {
            int o = c * d * d;
            for (int j = 0; j < d; j++) {
                for (int i = j + 1; i < d; i++) {
                    double v = 0.5 * (cov[o + i + j * d] + cov[o + j + i * d]);
                    cov[o + i + j * d] = v;
                    cov[o + j + i * d] = v;
                }
            }
        }
    }

    public CovarianceType type() {
        return type;
    }

    public int k() {
        return k;
    }

    /** Factors per component (factor structure; 0 for the others). */
    public int factors() {
        return q;
    }

    public int dim() {
        return d;
    }

    public double weight(int c) {
        return weights[c];
    }

    public double[] weights() {
        return weights.clone();
    }

    public double[] mean(int c) {
        return Arrays.copyOfRange(means, c * d, (c + 1) * d);
    }

    /** All means, component c at [c*d, (c+1)*d). */
    public double[] means() {
        return means.clone();
    }

    /**
     * Component c's covariance: for full and tied, its d x d column-major matrix; for diag and spherical,
     * its d variances.
     */
    public double[] covariance(int c) {
        return switch (type) {
            case FULL -> Arrays.copyOfRange(covariances, c * d * d, (c + 1) * d * d);
            case TIED -> covariances.clone();
            case DIAG -> Arrays.copyOfRange(covariances, c * d, (c + 1) * d);
            case SPHERICAL -> {
                double[] v = new double[d];
                Arrays.fill(v, covariances[c]);
                yield v;
            }
            case FACTOR -> impliedCovariance(c);
        };
    }

    /** Factor: component c's uniquenesses Ψ (d). */
    public double[] uniquenesses(int c) {
        requireFactor();
        return Arrays.copyOfRange(covariances, c * d * (q + 1), c * d * (q + 1) + d);
    }

    /** Factor: component c's loadings Λ (d x q, column-major). */
    public double[] loadings(int c) {
        requireFactor();
        int o = c * d * (q + 1) + d;
        return Arrays.copyOfRange(covariances, o, o + d * q);
    }

    private void requireFactor() {
        if (type != CovarianceType.FACTOR) {
            throw new IllegalStateException("only the factor structure has loadings and uniquenesses");
        }
    }

    /** Factor: Λ_c Λ_cᵀ + Ψ_c, d x d column-major. */
    private double[] impliedCovariance(int c) {
        double[] psi = uniquenesses(c);
        double[] lam = loadings(c);
        double[] m = new double[d * d];
        for (int b = 0; b < d; b++) {
            for (int a = b; a < d; a++) {
                double v = 0;
                for (int t = 0; t < q; t++) {
                    v += lam[a + t * d] * lam[b + t * d];
                }
                if (a == b) {
                    v += psi[a];
                }
                m[a + b * d] = v;
                m[b + a * d] = v;
            }
        }
        return m;
    }

    /** Component c's covariance as a full d x d column-major matrix, whatever the structure. */
    public double[] covarianceMatrix(int c) {
        double[] cov = covariance(c);
        if (type.matrix() || type == CovarianceType.FACTOR) {
            return cov;
        }
        double[] m = new double[d * d];
        for (int j = 0; j < d; j++) {
            m[j + j * d] = cov[j];
        }
        return m;
    }

    /** The compact covariance array ({@link CovarianceType#paramLength} values). */
    public double[] covariances() {
        return covariances.clone();
    }

    /** The variances (diagonal of the covariance) of component c, for any structure. */
    public double[] variances(int c) {
        if (type == CovarianceType.FACTOR) {
            double[] v = uniquenesses(c);
            double[] lam = loadings(c);
            for (int t = 0; t < q; t++) {
                for (int j = 0; j < d; j++) {
                    v[j] += lam[j + t * d] * lam[j + t * d];
                }
            }
            return v;
        }
        double[] cov = covariance(c);
        if (!type.matrix()) {
            return cov;
        }
        double[] v = new double[d];
        for (int j = 0; j < d; j++) {
            v[j] = cov[j + j * d];
        }
        return v;
    }

    /** Number of free parameters (for AIC/BIC), counted as scikit-learn counts them. */
    public long freeParameters() {
        return type.freeParameters(k, d, q);
    }

    /** The precomputed form used to score rows; built once per parameter set. */
    @Override
    public GaussianFamily family() {
        return GaussianFamily.of(type, q);
    }

    public GaussianScorer scorer() {
        if (scorer == null) {
            scorer = GaussianScorer.of(this);
        }
        return scorer;
    }
}
