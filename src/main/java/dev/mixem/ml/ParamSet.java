package dev.mixem.ml;

import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.config.FitMethod;
import dev.mixem.config.InitMethod;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.Identifiable;

import java.util.Arrays;

/**
 * The Param objects of one estimator or model (their parent), with Spark's and mixem's defaults set. Public only
 * because {@link GaussianMixtureParams#paramSet} hands it out; its members are package-private.
 */
public final class ParamSet {
    static final String[] COVARIANCE_TYPES = Arrays.stream(CovarianceType.values())
            .map(CovarianceType::serializedName).toArray(String[]::new);
    static final String[] INIT_MODES = Arrays.stream(InitMethod.values()).map(InitMethod::serializedName)
            .toArray(String[]::new);
    static final String[] MISSING = {"marginalize", "fail"};
    /** The families a vector column can hold (categorical variables are columns: use fit --family categorical). */
    static final String[] FAMILIES = {"gaussian", "student-t", "bernoulli", "poisson"};
    static final String[] METHODS = Arrays.stream(FitMethod.values()).map(FitMethod::serializedName)
            .toArray(String[]::new);

    final IntParam k;
    final IntParam maxIter;
    final DoubleParam tol;
    final LongParam seed;
    final Param<String> featuresCol;
    final Param<String> predictionCol;
    final Param<String> probabilityCol;
    final Param<String> weightCol;
    final IntParam aggregationDepth;
    final Param<String> covarianceType;
    final DoubleParam regCovar;
    final DoubleParam dof;
    final IntParam nInit;
    final IntParam factors;
    final org.apache.spark.ml.param.IntArrayParam factorCandidates;
    final Param<String> initMode;
    final Param<String> missing;
    final Param<String> family;
    final Param<String> method;
    final Param<String> checkpointDir;
    final org.apache.spark.ml.param.IntArrayParam kCandidates;
    final org.apache.spark.ml.param.StringArrayParam covarianceTypes;
    final Param<String> criterion;

    ParamSet(Identifiable owner) {
        k = new IntParam(owner, "k", "Number of independent Gaussians in the mixture model. Must be > 1.",
                ParamValidators.gt(1));
        maxIter = new IntParam(owner, "maxIter", "maximum number of iterations (>= 0)", ParamValidators.gtEq(0));
        tol = new DoubleParam(owner, "tol", "the convergence tolerance for iterative algorithms (>= 0): EM stops"
                + " when the total (weighted) log-likelihood changes by at most this", ParamValidators.gtEq(0));
        seed = new LongParam(owner, "seed", "random seed");
        featuresCol = new Param<>(owner, "featuresCol", "features column name (vector, array<double> or"
                + " array<float>; NaN cells are marginalized)");
        predictionCol = new Param<>(owner, "predictionCol", "prediction column name");
        probabilityCol = new Param<>(owner, "probabilityCol", "Column name for predicted class conditional"
                + " probabilities. Note: Not all models output well-calibrated probability estimates! These"
                + " probabilities should be treated as confidences, not precise probabilities");
        weightCol = new Param<>(owner, "weightCol", "weight column name. If this is not set or empty, we treat"
                + " all instance weights as 1.0");
        aggregationDepth = new IntParam(owner, "aggregationDepth", "suggested depth for treeAggregate (>= 2);"
                + " accepted for compatibility (mixem merges statistics in a fixed order)", ParamValidators.gtEq(2));
        covarianceType = new Param<>(owner, "covarianceType", "covariance structure: one of "
                + String.join(", ", COVARIANCE_TYPES) + " (mixem)", ParamValidators.inArray(COVARIANCE_TYPES));
        regCovar = new DoubleParam(owner, "regCovar", "added to every covariance diagonal (>= 0) (mixem)",
                ParamValidators.gtEq(0));
        dof = new DoubleParam(owner, "dof", "family student-t: degrees of freedom held fixed for every component,"
                + " in [0.5, 200]; 0 estimates them per component (mixem)", ParamValidators.gtEq(0));
        factors = new IntParam(owner, "factors", "latent factors per component when covarianceType is factor"
                + " (>= 1; 0: not set) (mixem)", ParamValidators.gtEq(0));
        factorCandidates = new org.apache.spark.ml.param.IntArrayParam((Params) owner, "factorCandidates",
                "numbers of factors to choose from with kCandidates when covarianceTypes has factor; empty: factors"
                        + " alone (mixem)");
        nInit = new IntParam(owner, "nInit", "initializations; the best log-likelihood is kept (>= 1) (mixem)",
                ParamValidators.gtEq(1));
        initMode = new Param<>(owner, "initMode", "initialization: one of " + String.join(", ", INIT_MODES)
                + " (mixem)", ParamValidators.inArray(INIT_MODES));
        missing = new Param<>(owner, "missing", "NaN feature cells: marginalize (EM on the observed cells) or"
                + " fail (mixem)", ParamValidators.inArray(MISSING));
        family = new Param<>(owner, "family", "mixture family: " + String.join(", ", FAMILIES) + " (mixem)",
                ParamValidators.inArray(FAMILIES));
        method = new Param<>(owner, "method", "fitting method: one of " + String.join(", ", METHODS) + " (mixem)",
                ParamValidators.inArray(METHODS));
        checkpointDir = new Param<>(owner, "checkpointDir", "directory for EM checkpoints; a fit resumes from"
                + " the checkpoint there (mixem)");
        kCandidates = new org.apache.spark.ml.param.IntArrayParam((Params) owner, "kCandidates", "component counts"
                + " to choose from by the criterion (each >= 1); empty: fit k alone (mixem)");
        covarianceTypes = new org.apache.spark.ml.param.StringArrayParam((Params) owner, "covarianceTypes",
                "covariance structures to choose from with kCandidates, from " + String.join(", ", COVARIANCE_TYPES)
                        + "; empty: covarianceType alone (mixem)");
        criterion = new Param<>(owner, "criterion", "model selection criterion with kCandidates: bic, aic or icl,"
                + " lower is better (mixem)", ParamValidators.inArray(new String[]{"bic", "aic", "icl"}));
    }

    /** Spark's defaults (seed: the class name's hash, as Spark's HasSeed), then mixem's. */
    void setDefaults(Params p, String className) {
        p.setDefault(k, 2);
        p.setDefault(maxIter, 100);
        p.setDefault(tol, 0.01);
        p.setDefault(seed, (long) className.hashCode());
        p.setDefault(featuresCol, "features");
        p.setDefault(predictionCol, "prediction");
        p.setDefault(probabilityCol, "probability");
        p.setDefault(aggregationDepth, 2);
        p.setDefault(covarianceType, CovarianceType.FULL.serializedName());
        p.setDefault(regCovar, FitConfig.DEFAULT_REG_COVAR);
        p.setDefault(dof, 0.0);
        p.setDefault(nInit, 1);
        p.setDefault(factors, 0);
        p.setDefault(factorCandidates, new int[0]);
        p.setDefault(initMode, InitMethod.KMEANS_PLUS_PLUS.serializedName());
        p.setDefault(missing, "marginalize");
        p.setDefault(family, "gaussian");
        p.setDefault(method, FitMethod.EM.serializedName());
        p.setDefault(kCandidates, new int[0]);
        p.setDefault(covarianceTypes, new String[0]);
        p.setDefault(criterion, "bic");
    }
}
