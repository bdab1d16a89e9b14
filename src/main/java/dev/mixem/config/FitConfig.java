package dev.mixem.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the user asked a fit to do. Defaults follow scikit-learn's GaussianMixture where it has one.
 *
 * @param k              number of components, at least 1
 * @param covarianceType shape of each component covariance
 * @param init           how initial means are chosen
 * @param nInit          number of independent restarts; the one with the highest log-likelihood is kept
 * @param maxIter        maximum number of EM iterations (M-steps), at least 0
 * @param tol            convergence threshold on the absolute change of the mean per-row log-likelihood
 *                       (natural log) between two E-steps; 0 runs exactly {@code maxIter} M-steps
 * @param regCovar       non-negative constant added to every covariance diagonal (variance units)
 * @param seed           seed of every random draw of the fit
 * @param method         how the parameters are updated (EM by default) and the method's options
 * @param factors        factors per component of the factor structure (q ≥ 1); 0 for the other structures
 * @param family         the mixture family (Gaussian by default; the covariance structure, reg-covar and
 *                       factors are the Gaussian family's)
 * @param smoothing      pseudo-count of the Bernoulli family (a Beta(1 + s, 1 + s) prior on every probability,
 *                       so the M-step gives (Σrx + s) / (Σr + 2s)), or of the categorical family (a Dirichlet(1 + s)
 *                       prior on each variable's level probabilities); 0 (the default) is maximum likelihood
 * @param maxLevels      the categorical family: most levels a column may have (see {@code CategoricalLevels})
 * @param dof            the Student-t family: degrees of freedom held fixed for every component, or 0 (the
 *                       default) to estimate them per component
 */
public record FitConfig(int k, CovarianceType covarianceType, InitMethod init, int nInit, int maxIter,
                        double tol, double regCovar, long seed, MethodOptions method, int factors, Family family,
                        double smoothing, int maxLevels, double dof) {

    public static final int DEFAULT_MAX_ITER = 100;
    public static final double DEFAULT_TOL = 1e-3;
    public static final double DEFAULT_REG_COVAR = 1e-6;
    public static final int DEFAULT_MAX_LEVELS = 1000;

    public FitConfig {
        Objects.requireNonNull(covarianceType, "covarianceType");
        Objects.requireNonNull(init, "init");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(family, "family");
        if (maxLevels < 2) {
            throw new IllegalArgumentException("max-levels must be at least 2, got " + maxLevels);
        }
        if (!(smoothing >= 0) || Double.isInfinite(smoothing)) {
            throw new IllegalArgumentException("smoothing must be a finite number >= 0, got " + smoothing);
        }
        if (smoothing != 0 && family != Family.BERNOULLI && family != Family.CATEGORICAL) {
            throw new IllegalArgumentException("--smoothing applies to --family bernoulli and categorical only");
        }
        if (family != Family.GAUSSIAN && covarianceType == CovarianceType.FACTOR) {
            throw new IllegalArgumentException("--covariance factor is a structure of the gaussian family");
        }
        if (!(dof >= 0) || Double.isInfinite(dof)) {
            throw new IllegalArgumentException("dof must be a finite number >= 0 (0: estimated), got " + dof);
        }
        if (dof != 0 && family != Family.STUDENT_T) {
            throw new IllegalArgumentException("--dof applies to --family student-t only");
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        if (nInit < 1) {
            throw new IllegalArgumentException("n-init must be at least 1, got " + nInit);
        }
        if (maxIter < 0) {
            throw new IllegalArgumentException("max-iter must be at least 0, got " + maxIter);
        }
        if (!(tol >= 0) || Double.isInfinite(tol)) {
            throw new IllegalArgumentException("tol must be a finite number >= 0, got " + tol);
        }
        if (!(regCovar >= 0) || Double.isInfinite(regCovar)) {
            throw new IllegalArgumentException("reg-covar must be a finite number >= 0, got " + regCovar);
        }
        if (covarianceType != CovarianceType.FACTOR && factors != 0) {
            throw new IllegalArgumentException("--factors applies to --covariance factor only");
        }
        factors = covarianceType.requireFactors(factors);
    }

    /** A Gaussian fit. */
    public FitConfig(int k, CovarianceType covarianceType, InitMethod init, int nInit, int maxIter, double tol,
                     double regCovar, long seed, MethodOptions method, int factors) {
        this(k, covarianceType, init, nInit, maxIter, tol, regCovar, seed, method, factors, Family.GAUSSIAN, 0,
                DEFAULT_MAX_LEVELS, 0);
    }

    /** A structure without factors. */
    public FitConfig(int k, CovarianceType covarianceType, InitMethod init, int nInit, int maxIter, double tol,
                     double regCovar, long seed, MethodOptions method) {
        this(k, covarianceType, init, nInit, maxIter, tol, regCovar, seed, method, 0);
    }

    /** An EM fit, which max-iter and tol stop (its budget of passes is unlimited). */
    public FitConfig(int k, CovarianceType covarianceType, InitMethod init, int nInit, int maxIter, double tol,
                     double regCovar, long seed) {
        this(k, covarianceType, init, nInit, maxIter, tol, regCovar, seed,
                MethodOptions.defaults(FitMethod.EM, Double.POSITIVE_INFINITY));
    }

    /** A configuration with every default and the given k. */
    public static FitConfig defaults(int k) {
        return new FitConfig(k, CovarianceType.FULL, InitMethod.KMEANS_PLUS_PLUS, 1, DEFAULT_MAX_ITER,
                DEFAULT_TOL, DEFAULT_REG_COVAR, 0L);
    }

    public FitConfig withMethod(MethodOptions newMethod) {
        return new FitConfig(k, covarianceType, init, nInit, maxIter, tol, regCovar, seed, newMethod, factors, family, smoothing, maxLevels, dof);
    }

    public FitConfig withSeed(long newSeed) {
        return new FitConfig(k, covarianceType, init, nInit, maxIter, tol, regCovar, newSeed, method, factors, family, smoothing, maxLevels, dof);
    }

    public FitConfig withInit(InitMethod newInit) {
        return new FitConfig(k, covarianceType, newInit, nInit, maxIter, tol, regCovar, seed, method, factors, family, smoothing, maxLevels, dof);
    }

    public FitConfig withNInit(int newNInit) {
        return new FitConfig(k, covarianceType, init, newNInit, maxIter, tol, regCovar, seed, method, factors, family, smoothing, maxLevels, dof);
    }

    public FitConfig withMaxIter(int newMaxIter, double newTol) {
        return new FitConfig(k, covarianceType, init, nInit, newMaxIter, newTol, regCovar, seed, method, factors, family, smoothing, maxLevels, dof);
    }

    public FitConfig withCovariance(CovarianceType type, double newRegCovar) {
        return new FitConfig(k, type, init, nInit, maxIter, tol, newRegCovar, seed, method,
                type == CovarianceType.FACTOR ? factors : 0, family, smoothing, maxLevels, dof);
    }

    /** The factor structure with q factors per component. */
    public FitConfig withFactors(int q, double newRegCovar) {
        return new FitConfig(k, CovarianceType.FACTOR, init, nInit, maxIter, tol, newRegCovar, seed, method, q, family, smoothing, maxLevels, dof);
    }

    /**
     * The same fit of another family (with its smoothing): Gaussian and Student-t keep the covariance
     * structure (Student-t has no factor structure: an error); the other families are diag-shaped.
     */
    public FitConfig withFamily(Family newFamily, double newSmoothing) {
        CovarianceType type = switch (newFamily) {
            case GAUSSIAN, STUDENT_T -> covarianceType;
            default -> CovarianceType.DIAG;
        };
        return new FitConfig(k, type, init, nInit, maxIter, tol, regCovar, seed, method,
                newFamily == Family.GAUSSIAN ? factors : 0, newFamily, newSmoothing, maxLevels,
                newFamily == Family.STUDENT_T ? dof : 0);
    }

    /** The Student-t family's fixed degrees of freedom (0: estimated). */
    public FitConfig withDof(double newDof) {
        return new FitConfig(k, covarianceType, init, nInit, maxIter, tol, regCovar, seed, method, factors, family,
                smoothing, maxLevels, newDof);
    }

    /** The categorical family's limit on levels per column. */
    public FitConfig withMaxLevels(int newMaxLevels) {
        return new FitConfig(k, covarianceType, init, nInit, maxIter, tol, regCovar, seed, method, factors, family,
                smoothing, newMaxLevels, dof);
    }

    /** The configuration as ordered name/value pairs, with the names the command line uses. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("k", k);
        if (family != Family.GAUSSIAN) {
            m.put("family", family.serializedName());
            if (family == Family.BERNOULLI || family == Family.CATEGORICAL) {
                m.put("smoothing", smoothing);
            }
            if (family == Family.CATEGORICAL) {
                m.put("maxLevels", maxLevels);
            }
        }
        if (family == Family.STUDENT_T) {
            m.put("covariance", covarianceType.serializedName());
            m.put("dof", dof == 0 ? "estimated" : dof);
        } else if (family == Family.GAUSSIAN) {
            m.put("covariance", covarianceType.serializedName());
            if (covarianceType == CovarianceType.FACTOR) {
                m.put("factors", factors);
            }
        }
        m.put("init", init.serializedName());
        m.put("nInit", nInit);
        m.put("maxIter", maxIter);
        m.put("tol", tol);
        if (family == Family.GAUSSIAN || family == Family.STUDENT_T) {
            m.put("regCovar", regCovar);
        }
        m.put("seed", seed);
        if (method.method() != FitMethod.EM) {
            m.put("method", method.method().serializedName());
            m.put("budgetPasses", method.budgetPasses());
            if (method.method().hasLearningRate()) {
                m.put("learningRate", method.learningRate());
            }
            if (method.method().miniBatch()) {
                m.put("batchFraction", method.batchFraction());
            }
            m.put("stepDecay", method.stepDecay());
            m.put("evalSample", method.evalSample());
        }
        return m;
    }
}
