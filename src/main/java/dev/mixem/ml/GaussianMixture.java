package dev.mixem.ml;

import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.config.FitMethod;
import dev.mixem.config.InitMethod;
import dev.mixem.config.InvalidPolicy;
import dev.mixem.config.MethodOptions;
import dev.mixem.config.MissingPolicy;
import dev.mixem.data.InputReader;
import dev.mixem.data.InvalidInputException;
import dev.mixem.job.FitJob;
import dev.mixem.job.LogProgress;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * mixem's EM as a Spark ML {@code Estimator}: a drop-in for {@code org.apache.spark.ml.clustering.GaussianMixture}
 * (the same params, defaults, setters, getters, persistence and model API), fitted by mixem's distributed EM
 * on cached blocks, with mixem's own params beside Spark's ({@code covarianceType}, {@code regCovar},
 * {@code nInit}, {@code initMode}, {@code missing}, {@code family}, {@code method}, {@code checkpointDir}).
 * Differences in behaviour are listed in the README ("Moving from Spark's GaussianMixture").
 */
public class GaussianMixture extends Estimator<GaussianMixtureModel>
        implements GaussianMixtureParams, DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final ParamSet p;

    public GaussianMixture(String uid) {
        this.uid = uid;
        this.p = new ParamSet(this);
        p.setDefaults(this, GaussianMixture.class.getName());
    }

    public GaussianMixture() {
        this(Identifiable.randomUID("GaussianMixture"));
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public ParamSet paramSet() {
        return p;
    }

    public GaussianMixture setK(int value) {
        return (GaussianMixture) set(p.k, value);
    }

    public GaussianMixture setMaxIter(int value) {
        return (GaussianMixture) set(p.maxIter, value);
    }

    public GaussianMixture setTol(double value) {
        return (GaussianMixture) set(p.tol, value);
    }

    public GaussianMixture setSeed(long value) {
        return (GaussianMixture) set(p.seed, value);
    }

    public GaussianMixture setFeaturesCol(String value) {
        return (GaussianMixture) set(p.featuresCol, value);
    }

    public GaussianMixture setPredictionCol(String value) {
        return (GaussianMixture) set(p.predictionCol, value);
    }

    public GaussianMixture setProbabilityCol(String value) {
        return (GaussianMixture) set(p.probabilityCol, value);
    }

    public GaussianMixture setWeightCol(String value) {
        return (GaussianMixture) set(p.weightCol, value);
    }

    public GaussianMixture setAggregationDepth(int value) {
        return (GaussianMixture) set(p.aggregationDepth, value);
    }

    public GaussianMixture setCovarianceType(String value) {
        return (GaussianMixture) set(p.covarianceType, value);
    }

    public GaussianMixture setRegCovar(double value) {
        return (GaussianMixture) set(p.regCovar, value);
    }

    /** family student-t: every component's degrees of freedom held at this value; 0 (default) estimates them. */
    public GaussianMixture setDof(double value) {
        return (GaussianMixture) set(p.dof, value);
    }

    /** Latent factors per component when {@code covarianceType} is {@code factor}. */
    public GaussianMixture setFactors(int value) {
        return (GaussianMixture) set(p.factors, value);
    }

    /** Numbers of factors to choose from with {@link #setKCandidates} when {@code covarianceTypes} has factor. */
    public GaussianMixture setFactorCandidates(int[] value) {
        return (GaussianMixture) set(p.factorCandidates, value);
    }

    public GaussianMixture setNInit(int value) {
        return (GaussianMixture) set(p.nInit, value);
    }

    public GaussianMixture setInitMode(String value) {
        return (GaussianMixture) set(p.initMode, value);
    }

    public GaussianMixture setMissing(String value) {
        return (GaussianMixture) set(p.missing, value);
    }

    public GaussianMixture setFamily(String value) {
        return (GaussianMixture) set(p.family, value);
    }

    public GaussianMixture setMethod(String value) {
        return (GaussianMixture) set(p.method, value);
    }

    /**
     * Component counts to choose from: fit then runs mixem's model selection (every candidate K x
     * covariance type x nInit restarts by EM in lock-step) and returns the model the criterion chooses, with
     * the whole table in {@link GaussianMixtureModel#selection()}.
     */
    public GaussianMixture setKCandidates(int[] value) {
        set(kCandidates(), value);
        return this;
    }

    /** Covariance structures to choose from with {@link #setKCandidates}; empty: {@code covarianceType} alone. */
    public GaussianMixture setCovarianceTypes(String[] value) {
        set(covarianceTypes(), value);
        return this;
    }

    /** bic (default), aic or icl: what {@link #setKCandidates} minimizes. */
    public GaussianMixture setCriterion(String value) {
        set(criterion(), value);
        return this;
    }

    public GaussianMixture setCheckpointDir(String value) {
        return (GaussianMixture) set(p.checkpointDir, value);
    }

    @Override
    public GaussianMixture copy(ParamMap extra) {
        return (GaussianMixture) defaultCopy(extra);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return validateAndTransformSchema(schema);
    }

    /**
     * Fits by mixem's EM (or {@code method}): the rows are read into cached blocks once, then every iteration is
     * one distributed pass, as {@code submit.sh fit} does. {@code tol} applies, as Spark's, to the change of
     * the total weighted log-likelihood.
     */
    @Override
    public GaussianMixtureModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        long t0 = System.nanoTime();
        String weight = weightColOrNull();
        InputReader.Loaded in = InputReader.fromFrame(dataset, getFeaturesCol(), weight);
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("path", "DataFrame");
        input.put("featuresCol", getFeaturesCol());
        input.put("weightCol", weight);
        CovarianceType type = CovarianceType.parse(getCovarianceType());
        FitMethod fitMethod = FitMethod.parse(getMethod());
        int k = getK();
        int maxIter = getMaxIter();
        double tol = getTol();
        FitConfig gaussianBase = new FitConfig(k, type, InitMethod.parse(getInitMode()), getNInit(), maxIter, 0.0,
                getRegCovar(), getSeed(), MethodOptions.defaults(FitMethod.EM, Double.POSITIVE_INFINITY),
                type == CovarianceType.FACTOR ? requireFactors(getFactors() > 0 || getFactorCandidates().length == 0
                        ? getFactors() : java.util.Arrays.stream(getFactorCandidates()).min().orElse(0)) : 0);
        dev.mixem.config.Family family = dev.mixem.config.Family.parse(getFamily());
        if (family != dev.mixem.config.Family.GAUSSIAN && getKCandidates().length > 0) {
            throw new IllegalArgumentException("kCandidates chooses among Gaussian fits; family " + getFamily()
                    + " takes one k");
        }
        if (family != dev.mixem.config.Family.STUDENT_T && getDof() != 0) {
            throw new IllegalArgumentException("dof applies to family student-t only");
        }
        FitConfig base = family == dev.mixem.config.Family.GAUSSIAN ? gaussianBase
                : gaussianBase.withFamily(family, 0).withDof(family == dev.mixem.config.Family.STUDENT_T ? getDof() : 0);
        FitJob.Checkpoints checkpoints = isDefined(p.checkpointDir) && !getCheckpointDir().isEmpty()
                ? new FitJob.Checkpoints(getCheckpointDir(), 1, true) : null;
        dev.mixem.model.MixtureModel fitted;
        dev.mixem.select.ModelSelection.Outcome selection = null;
        try {
            if (getKCandidates().length > 0) {
                if (fitMethod != FitMethod.EM) {
                    throw new IllegalArgumentException("kCandidates chooses among EM fits; method must be em, not "
                            + getMethod());
                }
                List<Integer> ks = new java.util.ArrayList<>(new java.util.TreeSet<>(
                        java.util.Arrays.stream(getKCandidates()).boxed().toList()));
                List<CovarianceType> types = new java.util.ArrayList<>();
                for (String t : getCovarianceTypes().length == 0 ? new String[]{getCovarianceType()} : getCovarianceTypes()) {
                    CovarianceType ct = CovarianceType.parse(t);
                    if (!types.contains(ct)) {
                        types.add(ct);
                    }
                }
                List<Integer> qs = List.of();
                if (types.contains(CovarianceType.FACTOR)) {
                    qs = getFactorCandidates().length > 0 ? new java.util.ArrayList<>(new java.util.TreeSet<>(
                            java.util.Arrays.stream(getFactorCandidates()).boxed().toList()))
                            : List.of(requireFactors(getFactors()));
                }
                dev.mixem.select.ModelSelection.Options options = new dev.mixem.select.ModelSelection.Options(ks, types,
                        getNInit(), dev.mixem.select.Criterion.parse(getCriterion()), base, 0, false, qs);
                dev.mixem.job.SelectJob.Selected sel = dev.mixem.job.SelectJob.select(dataset.sparkSession(), in, input,
                        0, -1, options,
                        src -> base.withMaxIter(maxIter, tol / Math.max(src.totalWeight(), Double.MIN_NORMAL)), 0,
                        InvalidPolicy.FAIL, getMissing().equals("fail") ? MissingPolicy.FAIL : MissingPolicy.MARGINALIZE,
                        null, t0);
                fitted = sel.model();
                selection = sel.outcome();
            } else {
            fitted = FitJob.fit(dataset.sparkSession(), in,
                "DataFrame column '" + getFeaturesCol() + "'", input, 0, base, -1, src -> {
                    // Spark's tol is on the total log-likelihood; mixem's loop compares the mean.
                    FitConfig c = base.withMaxIter(maxIter, tol / Math.max(src.totalWeight(), Double.MIN_NORMAL));
                    return fitMethod == FitMethod.EM ? c
                            : c.withMethod(MethodOptions.defaults(fitMethod, Math.max(1, maxIter)));
                }, null, InvalidPolicy.FAIL,
                getMissing().equals("fail") ? MissingPolicy.FAIL : MissingPolicy.MARGINALIZE, checkpoints,
                new LogProgress(), t0);
            }
        } catch (Exception e) {
            // Bad input found on an executor arrives wrapped in Spark's job failure (a checked SparkException,
            // which Scala throws undeclared): say what it was.
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof InvalidInputException bad) {
                    throw bad;
                }
            }
            throw GaussianMixture.<RuntimeException>rethrow(e);
        }
        GaussianMixtureModel model = new GaussianMixtureModel(uid, fitted);
        copyValues(model, ParamMap.empty());
        model.setParent(this);
        model.attachSummary(dataset);
        if (selection != null) {
            // The model carries the chosen structure (and k, where Spark's k > 1 allows it).
            dev.mixem.select.ModelSelection.Candidate c = selection.candidates().get(selection.chosen());
            model.set(model.covarianceType(), c.type().serializedName());
            model.set(model.factors(), c.factors());
            if (c.k() > 1) {
                model.set(model.k(), c.k());
            }
            model.attachSelection(SelectionTable.of(dataset.sparkSession(), selection));
        }
        return model;
    }

    private static int requireFactors(int q) {
        if (q < 1) {
            throw new IllegalArgumentException("covarianceType factor needs factors >= 1 (setFactors)");
        }
        return q;
    }

    /** For {@code Pipeline} and {@code PipelineModel} loading, and {@link #load}. */
    public static MLReader<GaussianMixture> read() {
        return new DefaultParamsReader<>();
    }

    public static GaussianMixture load(String path) {
        return read().load(path);
    }

    /** Rethrows any exception as it is (Spark's checked ones included), as Spark's own Scala code does. */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T rethrow(Throwable t) throws T {
        throw (T) t;
    }
}
