package dev.mixem.family;

import dev.mixem.config.CovarianceType;
import dev.mixem.math.Linalg;

import java.io.Serializable;

/**
 * What the executors need to score rows under a Gaussian mixture, precomputed once on the driver and
 * broadcast: per component, log w_k - ½ d log 2π - ½ log det Σ_k, the mean, and either the lower Cholesky
 * factor L_k of Σ_k (full) or the precisions 1/σ² (diag). A final class over double[] so that it serializes
 * compactly.
 */
public final class GaussianScorer implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    public final boolean full;
    public final int k;
    public final int d;
    /** log w_k - ½ d log 2π - ½ log det Σ_k. */
    public final double[] logConst;
    /** k*d means. */
    public final double[] means;
    /** Full: k column-major lower Cholesky factors of Σ_k (k*d*d). Diag: k*d precisions 1/σ². */
    public final double[] factors;
    /** log w_k. */
    public final double[] logWeights;
    /**
     * The covariances themselves (full: k*d*d column-major; diag: k*d variances), which rows with missing
     * cells need: their densities use the blocks Σ_oo, Σ_mo, Σ_mm of the observed and missing coordinates.
     */
    public final double[] covariances;

    private GaussianScorer(boolean full, int k, int d, double[] logConst, double[] means, double[] factors,
                           double[] logWeights, double[] covariances) {
        this.full = full;
        this.k = k;
        this.d = d;
        this.logConst = logConst;
        this.means = means;
        this.factors = factors;
        this.logWeights = logWeights;
        this.covariances = covariances;
    }

    static GaussianScorer of(GaussianParams p) {
        int k = p.k();
        int d = p.dim();
        boolean full = p.type() == CovarianceType.FULL;
        double[] cov = p.covariances();
        double[] logConst = new double[k];
        double[] logWeights = new double[k];
        double[] factors = new double[full ? k * d * d : k * d];
        for (int c = 0; c < k; c++) {
            double logDet;
            if (full) {
                double[] l = Linalg.choleskyLower(cov, c * d * d, d);
                if (l == null) {
                    throw new NumericalException("covariance of component " + c
                            + " is not positive definite (its rows are nearly collinear); increase --reg-covar");
                }
                System.arraycopy(l, 0, factors, c * d * d, d * d);
                logDet = Linalg.logDetFromCholesky(l, 0, d);
            } else {
                logDet = 0;
                for (int j = 0; j < d; j++) {
                    double v = cov[c * d + j];
                    if (!(v > 0)) {
                        throw new NumericalException("variance " + j + " of component " + c + " is " + v
                                + "; increase --reg-covar");
                    }
                    factors[c * d + j] = 1.0 / v;
                    logDet += Math.log(v);
                }
            }
            logWeights[c] = Math.log(p.weight(c));
            logConst[c] = logWeights[c] - 0.5 * d * LOG_2PI - 0.5 * logDet;
        }
        return new GaussianScorer(full, k, d, logConst, p.means(), factors, logWeights, cov);
    }

    public CovarianceType type() {
        return full ? CovarianceType.FULL : CovarianceType.DIAG;
    }
}
