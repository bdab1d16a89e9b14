package dev.mixem.family.gaussian;

import dev.mixem.family.NumericalException;

import dev.mixem.config.CovarianceType;
import dev.mixem.math.Linalg;

import dev.mixem.family.ChunkKernel;
import dev.mixem.family.MixtureScorer;

/**
 * What the executors need to score rows under a Gaussian mixture, precomputed once on the driver and
 * broadcast: per component, log w_k - ½ d log 2π - ½ log det Σ_k, the mean, and the factors of the
 * covariances in the layout of {@link CovarianceType#factorLength}: lower Cholesky factors L of Σ (full: one
 * per component at stride d·d; tied: one shared), or precisions 1/σ² per feature (diag; spherical repeats
 * its one precision over the features, so that both run the same kernels). A final class over double[] so
 * that it serializes compactly.
 * <p>
 * Tied covariance also carries the whitened means ν_k = L⁻¹(μ_k - c) about the centre c = Σ w_k μ_k, and
 * ‖ν_k‖²: its kernel whitens each chunk of rows once, for all components.
 */
public final class GaussianScorer implements MixtureScorer<GaussianStats> {
    private static final long serialVersionUID = 2L;
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    public final CovarianceType type;
    /** Factor: factors per component (0 otherwise). */
    public final int q;
    /** Full or tied: the factors are Cholesky factors of matrices. */
    public final boolean matrix;
    /** Distance between components' factors (and scorer covariances): 0 when shared. */
    public final int stride;
    public final int k;
    public final int d;
    /** log w_k - ½ d log 2π - ½ log det Σ_k. */
    public final double[] logConst;
    /** k*d means. */
    public final double[] means;
    /** Full/tied: column-major lower Cholesky factors of Σ. Diag/spherical: k*d precisions 1/σ². */
    public final double[] factors;
    /** log w_k. */
    public final double[] logWeights;
    /**
     * The covariances in the factors' layout (full k*d*d, tied d*d, diag and spherical k*d variances),
     * which rows with missing cells need: their densities use the blocks Σ_oo, Σ_mo, Σ_mm of the observed
     * and missing coordinates.
     */
    public final double[] covariances;
    /** Tied: the centre c = Σ w_k μ_k that rows are whitened about (null otherwise). */
    public final double[] center;
    /** Tied: ν_k = L⁻¹(μ_k - c), k*d (null otherwise). */
    public final double[] whiteMeans;
    /** Tied: ‖ν_k‖² (null otherwise). */
    public final double[] whiteMeanNorms;
    private transient Boolean gemm;

    private GaussianScorer(CovarianceType type, int q, int k, int d, double[] logConst, double[] means,
                           double[] factors, double[] logWeights, double[] covariances, double[] center,
                           double[] whiteMeans, double[] whiteMeanNorms) {
        this.type = type;
        this.q = q;
        this.matrix = type.matrix();
        this.stride = type.factorStride(d, q);
        this.k = k;
        this.d = d;
        this.logConst = logConst;
        this.means = means;
        this.factors = factors;
        this.logWeights = logWeights;
        this.covariances = covariances;
        this.center = center;
        this.whiteMeans = whiteMeans;
        this.whiteMeanNorms = whiteMeanNorms;
    }

    static GaussianScorer of(GaussianParams p) {
        int k = p.k();
        int d = p.dim();
        CovarianceType type = p.type();
        int q = p.factors();
        double[] compact = p.covariances();
        double[] logConst = new double[k];
        double[] logWeights = new double[k];
        double[] factors = new double[type.factorLength(k, d, q)];
        double[] cov = type == CovarianceType.SPHERICAL ? new double[k * d] : compact;
        double[] logDet = new double[k];
        switch (type) {
            case FULL, TIED -> {
                int matrices = type == CovarianceType.TIED ? 1 : k;
                for (int c = 0; c < matrices; c++) {
                    double[] l = Linalg.choleskyLower(compact, c * d * d, d);
                    if (l == null) {
                        throw new NumericalException((type == CovarianceType.TIED ? "the shared covariance"
                                : "covariance of component " + c)
                                + " is not positive definite (its rows are nearly collinear); increase --reg-covar");
                    }
                    System.arraycopy(l, 0, factors, c * d * d, d * d);
                    logDet[c] = Linalg.logDetFromCholesky(l, 0, d);
                }
                if (type == CovarianceType.TIED) {
                    java.util.Arrays.fill(logDet, logDet[0]);
                }
            }
            case DIAG, SPHERICAL -> {
                for (int c = 0; c < k; c++) {
                    double ld = 0;
                    for (int j = 0; j < d; j++) {
                        double v = type == CovarianceType.SPHERICAL ? compact[c] : compact[c * d + j];
                        if (!(v > 0)) {
                            throw new NumericalException("variance " + j + " of component " + c + " is " + v
                                    + "; increase --reg-covar");
                        }
                        cov[c * d + j] = v;
                        factors[c * d + j] = 1.0 / v;
                        ld += Math.log(v);
                    }
                    logDet[c] = ld;
                }
            }
            case FACTOR -> {
                for (int c = 0; c < k; c++) {
                    logDet[c] = FactorKernel.factor(compact, c, d, q, factors, c * type.factorStride(d, q));
                }
            }
        }
        for (int c = 0; c < k; c++) {
            logWeights[c] = Math.log(p.weight(c));
            logConst[c] = logWeights[c] - 0.5 * d * LOG_2PI - 0.5 * logDet[c];
        }
        double[] means = p.means();
        double[] center = null;
        double[] white = null;
        double[] norms = null;
        if (type == CovarianceType.TIED) {
            center = new double[d];
            for (int c = 0; c < k; c++) {
                for (int j = 0; j < d; j++) {
                    center[j] += p.weight(c) * means[c * d + j];
                }
            }
            white = new double[k * d];
            norms = new double[k];
            for (int c = 0; c < k; c++) {
                // Forward substitution L ν = μ_k - c.
                double nrm = 0;
                for (int i = 0; i < d; i++) {
                    double v = means[c * d + i] - center[i];
                    for (int j = 0; j < i; j++) {
                        v -= factors[i + j * d] * white[c * d + j];
                    }
                    v /= factors[i + i * d];
                    white[c * d + i] = v;
                    nrm += v * v;
                }
                norms[c] = nrm;
            }
        }
        return new GaussianScorer(type, q, k, d, logConst, means, factors, logWeights, cov, center, white, norms);
    }

    @Override
    public int k() {
        return k;
    }

    @Override
    public int dim() {
        return d;
    }

    @Override
    public GaussianStats emptyStats() {
        return GaussianStats.empty(k, d, type, q);
    }

    /**
     * The complete-row kernel of the structure: full and tied their own; diag and spherical one, as GEMMs
     * where {@link DiagGemmKernel#applies}, else by exact per-component loops.
     */
    @Override
    public ChunkKernel<GaussianStats> completeKernel() {
        return switch (type) {
            case FULL -> new FullKernel(this);
            case TIED -> new TiedKernel(this);
            case DIAG, SPHERICAL -> gemm() ? new DiagGemmKernel(this, false) : new DiagKernel(this);
            case FACTOR -> gemm() ? new FactorGemmKernel(this) : new FactorKernel(this);
        };
    }

    @Override
    public dev.mixem.family.Imputer imputer() {
        return new GaussianImputer(this);
    }

    /** The missing-cell kernel: conditional Gaussians for full and tied, independent features otherwise. */
    @Override
    public ChunkKernel<GaussianStats> missingKernel() {
        if (type == CovarianceType.FACTOR) {
            return new FactorMissingKernel(this);
        }
        if (matrix) {
            return new MissingFullKernel(this);
        }
        return gemm() ? new DiagGemmKernel(this, true) : new MissingDiagKernel(this);
    }

    /** Sparse blocks: diag and spherical covariance only (features independent given the component). */
    @Override
    public ChunkKernel<GaussianStats> sparseKernel() {
        if (type != CovarianceType.DIAG && type != CovarianceType.SPHERICAL) {
            throw new UnsupportedOperationException("sparse input takes --covariance diag or spherical, not "
                    + type.serializedName());
        }
        return new SparseDiagKernel(this);
    }

    /**
     * The kernel a Gaussian scale mixture (Student-t) builds on: the complete-row kernel of the structure, or
     * for blocks with missing cells the exact per-row missing-cell kernels (conditional Gaussians for full and
     * tied, independent features for diag and spherical). Not for the factor structure.
     */
    public ScaleMixtureKernel scaleMixtureKernel(boolean missing) {
        if (type == CovarianceType.FACTOR) {
            throw new IllegalArgumentException("the factor structure has no scale-mixture kernel");
        }
        if (!missing) {
            // Tied's own kernel pools y yᵀ by row weight, since Gaussian responsibilities add up to it.
            return new ScaleMixtureKernel.Complete(type == CovarianceType.TIED ? new TiedKernel(this, true, true)
                    : completeKernel(), this);
        }
        return matrix ? new MissingFullKernel(this) : new MissingDiagKernel(this, true);
    }

    /** Diag, spherical and factor: whether the GEMM-shaped kernels serve these parameters (decided once per scorer). */
    private boolean gemm() {
        if (gemm == null) {
            gemm = type == CovarianceType.FACTOR ? FactorGemmKernel.applies(this) : DiagGemmKernel.applies(this);
        }
        return gemm;
    }

    public CovarianceType type() {
        return type;
    }
}
