package dev.mixem.family.gaussian;

import dev.mixem.family.NumericalException;

import dev.mixem.config.CovarianceType;
import dev.mixem.math.Linalg;
import dev.mixem.family.gaussian.GaussianStats;

/**
 * A covariance structure of the Gaussian family: the arithmetic that differs between full, diag, tied and
 * spherical covariances. The storage layout itself ({@link CovarianceType#paramLength},
 * {@link CovarianceType#factorLength}, {@link CovarianceType#statsLength}) is shared with the statistics
 * and the scorer; the E-step kernels are chosen by {@link GaussianScorer#completeKernel}.
 * <p>
 * Statistics are centred on reference means m_k (those of the pass); with δ_k = f_k / N_k, a structure's
 * M-step is scikit-learn's: full Σ_k = S_k/N_k - δδᵀ + reg·I; diag the diagonal of it; spherical the mean of
 * diag's variances; tied (Σ_k S_k - N_k δ_k δ_kᵀ) / Σ_k N_k + reg·I.
 */
public sealed interface Covariance permits FullCovariance, DiagCovariance, TiedCovariance, SphericalCovariance {

    static Covariance of(CovarianceType type) {
        return switch (type) {
            case FULL -> FullCovariance.INSTANCE;
            case DIAG -> DiagCovariance.INSTANCE;
            case TIED -> TiedCovariance.INSTANCE;
            case SPHERICAL -> SphericalCovariance.INSTANCE;
            // Its M-step and EM bound need the previous loadings: FactorMStep, called by GaussianFamily.
            case FACTOR -> throw new IllegalArgumentException("factor covariance has no Covariance strategy");
        };
    }

    CovarianceType type();

    /**
     * The compact covariances ({@link CovarianceType#paramLength} for {@code kept.length} components) of the
     * M-step: component t of the result is component {@code kept[t]} of the statistics, whose mean shift
     * from the reference is {@code delta[t*d .. t*d+d)} = f/N.
     */
    double[] mStep(GaussianStats s, int[] kept, double[] delta, double regCovar);

    /**
     * Σ_k tr(Σ_k⁻¹ S_k(μ_k)) with S_k(μ) = Σ r (x - μ)(x - μ)ᵀ = S_k - f_k δᵀ - δ f_kᵀ + N_k δδᵀ from the
     * statistics centred on m, where {@code dev[c*d + a]} = μ_ca - m_ca and Σ is {@code sc}'s.
     */
    double trace(GaussianStats s, double[] dev, GaussianScorer sc);

    /**
     * The second moments centred on other means: with Δ_k = m_k - m'_k ({@code delta}, k*d),
     * S' = S + f Δᵀ + Δ fᵀ + N ΔΔᵀ (summed over components when pooled, the diagonal for per-feature
     * statistics), written to {@code out} (a copy of s.second).
     */
    void recentre(GaussianStats s, double[] delta, double[] out);

    /** Number of unconstrained coordinates of the covariances. */
    int gradientSize(int k, int d);

    /** Writes the unconstrained coordinates of p's covariances into v from offset o. */
    void toVector(GaussianParams p, double[] v, int o);

    /** The compact covariances of the coordinates v[o ..). */
    double[] fromVector(double[] v, int o, int k, int d);

    /**
     * ∂(mean log-likelihood)/∂μ into g[meansAt ..) (k*d) and ∂/∂(covariance coordinates) into g[covAt ..),
     * from the statistics of an E-step under p (centred on p's means), with W the statistics' total weight.
     */
    void gradient(GaussianStats s, GaussianParams p, double[] g, int meansAt, int covAt);

    // Shared arithmetic.

    /** S(μ) = S - f δᵀ - δ fᵀ + N δδᵀ added into m (full symmetric d x d) from a lower triangle at so. */
    static void addShifted(double[] second, int so, double[] first, int fo, double n, double[] dev, int devOff,
                           int d, double[] m) {
        for (int b = 0; b < d; b++) {
            for (int a = b; a < d; a++) {
                double v = second[so + a + b * d] - first[fo + a] * dev[devOff + b]
                        - dev[devOff + a] * first[fo + b] + n * dev[devOff + a] * dev[devOff + b];
                m[a + b * d] += v;
                if (a != b) {
                    m[b + a * d] += v;
                }
            }
        }
    }

    /** tr(Σ⁻¹ M) = ‖L⁻¹ M L⁻ᵀ‖ on the diagonal, for Σ = L Lᵀ (L at offset l); M is overwritten. */
    static double traceOfSolve(double[] factors, int l, int d, double[] m) {
        forwardSolveColumns(factors, l, d, m);
        transposeInPlace(m, d);
        forwardSolveColumns(factors, l, d, m);
        double trace = 0;
        for (int a = 0; a < d; a++) {
            trace += m[a + a * d];
        }
        return trace;
    }

    /** M ← L⁻¹ M for a lower-triangular L (column-major at offset l) and a d x d column-major M. */
    private static void forwardSolveColumns(double[] factors, int l, int d, double[] m) {
        for (int col = 0; col < d; col++) {
            int o = col * d;
            for (int j = 0; j < d; j++) {
                double v = m[o + j] / factors[l + j + j * d];
                m[o + j] = v;
                for (int i = j + 1; i < d; i++) {
                    m[o + i] -= factors[l + i + j * d] * v;
                }
            }
        }
    }

    private static void transposeInPlace(double[] m, int d) {
        for (int a = 0; a < d; a++) {
            for (int b = a + 1; b < d; b++) {
                double t = m[a + b * d];
                m[a + b * d] = m[b + a * d];
                m[b + a * d] = t;
            }
        }
    }

    /** The lower Cholesky factor U of Σ⁻¹ (Σ⁻¹ = U Uᵀ), for a d x d column-major covariance. */
    static double[] precisionFactor(double[] cov, int d) {
        double[] l = Linalg.choleskyLower(cov, 0, d);
        if (l == null) {
            throw new NumericalException("covariance is not positive definite");
        }
        double[] u = Linalg.choleskyLower(Linalg.inverseFromCholesky(l, 0, d), 0, d);
        if (u == null) {
            throw new NumericalException("precision is not positive definite");
        }
        return u;
    }

    /** Appends U's lower triangle, column by column, with its diagonal as a logarithm. */
    static int writeFactor(double[] u, int d, double[] v, int o) {
        for (int j = 0; j < d; j++) {
            for (int i = j; i < d; i++) {
                v[o++] = i == j ? Math.log(u[i + j * d]) : u[i + j * d];
            }
        }
        return o;
    }

    /** Σ = (U Uᵀ)⁻¹ from U's coordinates at v[o ..), into cov at offset co. */
    static void readFactor(double[] v, int o, int d, double[] cov, int co) {
        double[] u = new double[d * d];
        for (int j = 0; j < d; j++) {
            for (int i = j; i < d; i++) {
                u[i + j * d] = i == j ? Math.exp(v[o++]) : v[o++];
            }
        }
        try {
            System.arraycopy(Linalg.inverseFromCholesky(u, 0, d), 0, cov, co, d * d);
        } catch (ArithmeticException e) {
            // A log-diagonal so negative that exp underflowed to 0: the precision left the doubles.
            throw new NumericalException("a precision factor became singular; lower the learning rate");
        }
    }

    /**
     * Precision-factor gradient: with G = ½(N Σ - S)/W (the gradient with respect to the precision, from
     * S's lower triangle at so), ∂/∂U = 2 G U, and × U_jj on the log diagonal; appended at g[o ..).
     */
    static int factorGradient(double[] cov, double[] u, double n, double[] second, int so, double w, int d,
                              double[] g, int o) {
        double[] gm = new double[d * d];
        for (int b = 0; b < d; b++) {
            for (int a = b; a < d; a++) {
                double v = 0.5 * (n * cov[a + b * d] - second[so + a + b * d]) / w;
                gm[a + b * d] = v;
                gm[b + a * d] = v;
            }
        }
        for (int j = 0; j < d; j++) {
            for (int i = j; i < d; i++) {
                // (2 G U)_ij = 2 Σ_t G_it U_tj, U_tj = 0 for t < j.
                double v = 0;
                for (int t = j; t < d; t++) {
                    v += gm[i + t * d] * u[t + j * d];
                }
                v *= 2;
                g[o++] = i == j ? v * u[i + j * d] : v;
            }
        }
        return o;
    }

    /** ∂/∂μ_c = U Uᵀ f_c / W into g[at ..). */
    static void precisionTimes(double[] u, double[] first, int fo, double w, int d, double[] g, int at) {
        for (int a = 0; a < d; a++) {
            double v = 0;
            for (int b = 0; b < d; b++) {
                double pab = 0;
                for (int t = 0; t <= Math.min(a, b); t++) {
                    pab += u[a + t * d] * u[b + t * d];
                }
                v += pab * first[fo + b];
            }
            g[at + a] = v / w;
        }
    }
}
