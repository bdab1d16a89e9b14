package dev.mixem.job;

import dev.mixem.family.MixturePass;


import dev.mixem.config.FitConfig;
import dev.mixem.config.InvalidPolicy;
import dev.mixem.config.MissingPolicy;
import dev.mixem.data.CheckpointStore;
import dev.mixem.data.InputReader;
import dev.mixem.data.InputSpec;
import dev.mixem.data.ModelStore;
import dev.mixem.data.DeterministicReduce;
import dev.mixem.data.Outputs;
import dev.mixem.data.CheckpointStore;
import dev.mixem.data.SparkBlockSource;
import dev.mixem.fit.Checkpointer;
import dev.mixem.fit.EmFitter;
import dev.mixem.fit.FitListener;
import dev.mixem.config.FitMethod;
import dev.mixem.fit.MethodFitter;
import dev.mixem.config.Family;
import dev.mixem.family.registry.Families;
import dev.mixem.family.MixtureFamily;
import dev.mixem.family.MixtureParams;
import dev.mixem.stats.MixtureStats;
import dev.mixem.init.Initializer;
import dev.mixem.math.Seeds;
import dev.mixem.fit.FitResult;
import dev.mixem.math.BlockKernels;
import dev.mixem.math.Linalg;
import dev.mixem.model.MixtureModel;
import dev.mixem.model.Version;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The library's entry point for a fit: load and validate the input, fit (EM with restarts and checkpoints,
 * or another method), and build the model with its provenance; {@code run} also saves it. The CLI's
 * {@code fit} and {@code demo} are thin wrappers around it, and so is any other front end.
 */
public final class FitJob {
    /** EM squares values and sums the squares over all rows: beyond this magnitude they overflow. */
    public static final double MAX_MAGNITUDE = 1e100;

    private FitJob() {
    }

    public static void requireModestMagnitudes(double[] maxAbs, java.util.List<String> names) {
        for (int j = 0; j < maxAbs.length; j++) {
            if (maxAbs[j] > MAX_MAGNITUDE) {
                throw new dev.mixem.data.InvalidInputException("feature '" + names.get(Math.min(j, names.size() - 1))
                        + "' has values up to " + maxAbs[j] + "; EM squares the values in double precision, so"
                        + " features beyond 1e100 in magnitude overflow: rescale them");
            }
        }
    }

    /**
     * A fit by online EM or a gradient method (the configuration's method) from one kmeans++ (or --init)
     * initialization, within the method's budget of passes; the model's log-likelihood is that of the final
     * parameters on every row.
     */
    public static FitResult<? extends MixtureParams> fitByMethod(SparkBlockSource src, FitConfig cfg,
                                                                 FitListener listener) {
        return fitByMethod(Families.of(cfg), src, cfg, listener);
    }

    private static <P extends MixtureParams, S extends MixtureStats<S>> FitResult<P> fitByMethod(
            MixtureFamily<P, S> family, SparkBlockSource src, FitConfig cfg, FitListener listener) {
        P init = EmFitter.initialization(family).initialize(src, cfg, Seeds.mix(cfg.seed(), 0), 0).params();
        FitMethod method = cfg.method().method();
        MethodFitter.Result<P> r = MethodFitter.run(family, src, init, cfg, listener);
        if (r.diverged() != null) {
            throw new dev.mixem.family.NumericalException(method + " diverged: " + r.diverged()
                    + (method.hasLearningRate() ? "; lower --learning-rate" : ""));
        }
        S finalStats = MixturePass.eStep(src, family.scorer(r.params()), "mixem: final log-likelihood");
        return new FitResult<>(r.params(), finalStats.avgLogLikelihood(),
                r.trace().get(r.trace().size() - 1).iteration(), false, r.trace(), 0, 0,
                List.of(finalStats.avgLogLikelihood()), finalStats.rows, finalStats.weight);
    }

    /** EM of the configuration's family, checkpointed. */
    private static <P extends MixtureParams, S extends MixtureStats<S>> FitResult<P> fitEm(
            MixtureFamily<P, S> family, SparkBlockSource src, FitConfig cfg, Checkpointer<MixtureParams> checkpoints,
            FitListener listener) {
        return new EmFitter(listener).fit(family, src, cfg, Checkpointer.of(checkpoints));
    }

    /**
     * A feature whose values are all far below √reg-covar in magnitude has a spread that reg-covar swamps
     * (values near 1e-300 even square to 0): the fit completes, but says so.
     */
    public static List<String> warnOfTinyScales(double[] maxAbs, List<String> names, double regCovar) {
        List<String> tiny = new java.util.ArrayList<>();
        for (int j = 0; j < maxAbs.length; j++) {
            if (maxAbs[j] > 0 && maxAbs[j] < 1e-3 * Math.sqrt(regCovar)) {
                String name = names.get(Math.min(j, names.size() - 1));
                tiny.add(name);
                LogProgress.LOG.warn(String.format(Locale.ROOT, "feature '%s' has values of at most %.3g, far below"
                        + " the scale of --reg-covar %.3g (whose square root is %.3g): its variance will be"
                        + " reg-covar's; rescale it", name, maxAbs[j], regCovar, Math.sqrt(regCovar)));
            }
        }
        return tiny;
    }

    public static MixtureModel run(SparkSession spark, InputSpec spec, FitConfig cfg, Integer blockRowsOpt,
                                    String output) {
        return run(spark, spec, cfg, blockRowsOpt, output, InvalidPolicy.FAIL);
    }

    public static MixtureModel run(SparkSession spark, InputSpec spec, FitConfig cfg, Integer blockRowsOpt,
                                    String output, InvalidPolicy invalid) {
        return run(spark, spec, cfg, blockRowsOpt, output, invalid, MissingPolicy.MARGINALIZE);
    }

    public static MixtureModel run(SparkSession spark, InputSpec spec, FitConfig cfg, Integer blockRowsOpt,
                                    String output, InvalidPolicy invalid, MissingPolicy missing) {
        return run(spark, spec, cfg, blockRowsOpt, output, invalid, missing, null);
    }

    /**
     * Checkpoints: a directory, the iterations between two checkpoints, and whether to continue from the
     * directory's checkpoint.
     */
    public record Checkpoints(String dir, int every, boolean resume) {
        /**
         * The checkpoints of the command-line options {@code --checkpoint-dir}, {@code --resume} (which
         * reads and writes its own directory) and {@code --checkpoint-every}; null without either directory.
         */
        public static Checkpoints of(String checkpointDir, String resume, int every) {
            if (resume != null) {
                if (checkpointDir != null && !checkpointDir.equals(resume)) {
                    throw new IllegalArgumentException("--resume reads and writes its own directory; leave out"
                            + " --checkpoint-dir or give the same DIR");
                }
                return new Checkpoints(resume, every, true);
            }
            return checkpointDir == null ? null : new Checkpoints(checkpointDir, every, false);
        }
    }

    /** Fits (by the configuration's method) and saves the model to {@code output} (a model directory), logging progress. */
    public static MixtureModel run(SparkSession spark, InputSpec spec, FitConfig cfg, Integer blockRowsOpt,
                                    String output, InvalidPolicy invalid, MissingPolicy missing,
                                    Checkpoints checkpoints) {
        return run(spark, spec, cfg, blockRowsOpt, output, invalid, missing, checkpoints, false);
    }

    /**
     * Fits and saves the model to {@code output}. The output (and a checkpoint directory that is not resumed)
     * is claimed before the input is read ({@link Outputs}): an existing one is an error unless
     * {@code overwrite}, and the model directory is written beside it and renamed into place.
     */
    public static MixtureModel run(SparkSession spark, InputSpec spec, FitConfig cfg, Integer blockRowsOpt,
                                    String output, InvalidPolicy invalid, MissingPolicy missing,
                                    Checkpoints checkpoints, boolean overwrite) {
        return run(spark, spec, cfg, blockRowsOpt, output, invalid, missing, checkpoints, overwrite, false);
    }

    /** {@link #run(SparkSession, InputSpec, FitConfig, Integer, String, InvalidPolicy, MissingPolicy, Checkpoints, boolean)}, writing {@code covariances.json} beside the model when asked. */
    public static MixtureModel run(SparkSession spark, InputSpec spec, FitConfig cfg, Integer blockRowsOpt,
                                    String output, InvalidPolicy invalid, MissingPolicy missing,
                                    Checkpoints checkpoints, boolean overwrite, boolean impliedCovariances) {
        long t0 = System.nanoTime();
        var conf = spark.sparkContext().hadoopConfiguration();
        Outputs.Target target = Outputs.claim(conf, output, Outputs.Kind.MODEL, overwrite);
        if (checkpoints != null) {
            CheckpointStore.claim(conf, checkpoints.dir(), target.path(), checkpoints.resume(), overwrite);
        }
        MixtureModel model = fit(spark, spec, cfg, blockRowsOpt, invalid, missing, checkpoints,
                new LogProgress());
        target.write(tmp -> {
            ModelStore.save(conf, model, tmp);
            if (impliedCovariances) {
                ModelStore.saveImpliedCovariances(conf, model, tmp);
            }
        });
        MixtureModel.FitSummary s = model.summary();
        System.out.printf(Locale.ROOT,
                "model written to %s/%s: k=%d, avgLogLikelihood=%.6f, iterations=%d, converged=%s, %.1f s%n",
                output.replaceAll("/+$", ""), ModelStore.MODEL_FILE, model.params().k(), s.avgLogLikelihood(),
                s.iterations(), s.converged(), (System.nanoTime() - t0) / 1e9);
        return model;
    }

    /**
     * Loads and validates the input, fits, and returns the model with its provenance, without saving it.
     *
     * @param cfg         what to fit, and by which method ({@link FitConfig#method})
     * @param checkpoints where to checkpoint an EM fit, and whether to resume from there (null: none)
     * @param listener    told of every point of the trace; it may ask the fit to stop
     */
    public static MixtureModel fit(SparkSession spark, InputSpec spec, FitConfig cfg, Integer blockRowsOpt,
                                           InvalidPolicy invalid, MissingPolicy missing, Checkpoints checkpoints,
                                           FitListener listener) {
        long t0 = System.nanoTime();
        spec = forFamily(spark, spec, cfg.family());
        InputReader.Loaded in = InputReader.read(spark, spec);
        Map<String, Object> input = inputProvenance(spec);
        long rows = SparkResources.estimateRows(spark, in.frame(), spec.effectiveFormat());
        return fit(spark, in, spec.path(), input, spec.partitions(), cfg, rows, src -> cfg, blockRowsOpt, invalid,
                missing, checkpoints, listener, t0);
    }

    /** The input read with its features checked against the family's domain (binary, counts). */
    public static InputReader.Loaded forFamily(InputReader.Loaded in, Family family) {
        if (family == Family.CATEGORICAL) {
            throw new IllegalArgumentException("categorical input needs its levels: forFamily(in, cfg, invalid)");
        }
        return new InputReader.Loaded(in.frame(), in.extractor().withDomain(family.domain()), in.userColumns(),
                in.featuresCol());
    }

    /**
     * The input read for the configuration's family: checked against its domain, and for the categorical family
     * its columns' levels collected ({@link CategoricalLevels}, one distributed pass) and coded as indicators.
     */
    public static InputReader.Loaded forFamily(InputReader.Loaded in, FitConfig cfg, InvalidPolicy invalid) {
        if (cfg.family() != Family.CATEGORICAL) {
            return forFamily(in, cfg.family());
        }
        if (in.extractor().categories() != null) {
            return in;
        }
        dev.mixem.family.independent.Categories cat = dev.mixem.data.CategoricalLevels.discover(in.frame(),
                in.extractor(), cfg.maxLevels(), invalid == InvalidPolicy.SKIP);
        LogProgress.LOG.info("categorical levels: " + cat.variableCount() + " columns, " + cat.dim() + " levels in all");
        return new InputReader.Loaded(in.frame(), in.extractor().withCategories(cat, false), in.userColumns(),
                in.featuresCol());
    }

    /**
     * The input's feature columns for the family: a categorical fit without --feature-cols takes every column
     * but the weight column (text and numbers alike: each is a variable).
     */
    public static InputSpec forFamily(SparkSession spark, InputSpec spec, Family family) {
        if (family != Family.CATEGORICAL || !spec.featureCols().isEmpty() || spec.featuresCol() != null) {
            return spec;
        }
        List<String> columns = new java.util.ArrayList<>(InputReader.columns(spark, spec));
        columns.remove(spec.weightCol());
        return new InputSpec(spec.path(), spec.format(), columns, null, spec.weightCol(), spec.partitions());
    }

    /** The model's {@code provenance.input} for an input read from files: path, format and columns. */
    static Map<String, Object> inputProvenance(InputSpec spec) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("path", spec.path());
        input.put("format", spec.effectiveFormat().serializedName());
        input.put("featureCols", spec.featureCols());
        input.put("featuresCol", spec.featuresCol());
        input.put("weightCol", spec.weightCol());
        return input;
    }

    /**
     * Checks, before any row is read, that the fit's statistics, parameters, sample and blocks fit the memory
     * the application was given ({@link ResourcePlan}); stops with what to change when they cannot, and logs
     * what will only be slow.
     *
     * @param rowsEstimate the input's rows if known cheaply ({@link SparkResources#estimateRows}), else -1
     */
    /**
     * Whether a fit reads its input in sparse blocks, without the zeros: when the features are a vector column
     * of sparse vectors (LibSVM, Spark ML sparse vectors; judged by the first non-null one) and the family's
     * features are independent given the component (Bernoulli, Poisson, or Gaussian with diag or spherical
     * covariance). Everything else is read dense.
     */
    public static boolean sparseInput(InputReader.Loaded in, FitConfig cfg) {
        return sparseInput(in, cfg.family(), cfg.covarianceType());
    }

    /** {@link #sparseInput(InputReader.Loaded, FitConfig)} for a family and structure. */
    public static boolean sparseInput(InputReader.Loaded in, Family kind, dev.mixem.config.CovarianceType type) {
        boolean family = switch (kind) {
            case BERNOULLI, POISSON -> true;
            case GAUSSIAN -> type == dev.mixem.config.CovarianceType.DIAG
                    || type == dev.mixem.config.CovarianceType.SPHERICAL;
            default -> false;
        };
        if (!family || !in.extractor().fromVector() || in.featuresCol() == null) {
            return false;
        }
        List<org.apache.spark.sql.Row> first = in.frame().select(in.featuresCol()).where(org.apache.spark.sql.functions.col(
                in.featuresCol()).isNotNull()).limit(1).collectAsList();
        return !first.isEmpty() && first.get(0).get(0) instanceof org.apache.spark.ml.linalg.SparseVector;
    }

    /** Rows per block: the option, or the default of dense rows of d features, or of sparse rows. */
    public static int blockRows(int d, boolean sparse, Integer option) {
        return option != null ? option : sparse ? SparkBlockSource.SPARSE_BLOCK_ROWS : SparkBlockSource.defaultBlockRows(d);
    }

    /** Caches the input's rows as blocks, sparse or dense. */
    public static SparkBlockSource load(SparkSession spark, InputReader.Loaded in, boolean sparse, int partitions,
                                        int blockRows, InvalidPolicy invalid, MissingPolicy missing) {
        if (sparse) {
            LogProgress.LOG.info("reading the vector column '" + in.featuresCol() + "' in sparse blocks (its zeros"
                    + " are not stored)");
            return SparkBlockSource.loadSparse(spark, in.frame(), in.extractor(), partitions, blockRows, invalid);
        }
        return SparkBlockSource.load(spark, in.frame(), in.extractor(), partitions, blockRows, invalid, missing);
    }

    public static void preflight(SparkSession spark, InputReader.Loaded in, FitConfig cfg, int partitions,
                                 int blockRows, long rowsEstimate) {
        preflight(spark, in, cfg, partitions, blockRows, rowsEstimate, false);
    }

    /** {@link #preflight(SparkSession, InputReader.Loaded, FitConfig, int, int, long)} of dense or sparse blocks. */
    public static void preflight(SparkSession spark, InputReader.Loaded in, FitConfig cfg, int partitions,
                                 int blockRows, long rowsEstimate, boolean sparse) {
        int p = partitions > 0 ? partitions : in.frame().rdd().getNumPartitions();
        int d = in.extractor().dim();
        ResourcePlan.Shape shape = new ResourcePlan.Shape(rowsEstimate, d, cfg.k(), cfg.covarianceType(), p,
                DeterministicReduce.DEFAULT_FAN_IN, blockRows, Initializer.driverSampleRows(cfg.init(), cfg.k(), d),
                cfg.factors(), sparse);
        ResourcePlan.enforce(ResourcePlan.check(shape, SparkResources.of(spark)), LogProgress.LOG::warn);
    }

    /**
     * Fits rows already read ({@link InputReader#read} or {@link InputReader#fromFrame}): caches them as blocks
     * and fits with the configuration {@code configure} gives for them (which may depend on their total
     * weight: the Spark ML estimator's tolerance is on the total log-likelihood).
     *
     * @param description what the rows are, for the log
     * @param planned     the configuration as far as it is known before the rows are read (k, covariance,
     *                    init), for {@link #preflight}
     * @param rowsEstimate the rows if known before reading them, else -1
     * @param input       the model's {@code provenance.input} (partitions and block rows are added)
     */
    public static MixtureModel fit(SparkSession spark, InputReader.Loaded in, String description,
                                           Map<String, Object> input, int partitions, FitConfig planned,
                                           long rowsEstimate,
                                           java.util.function.Function<SparkBlockSource, FitConfig> configure,
                                           Integer blockRowsOpt, InvalidPolicy invalid, MissingPolicy missing,
                                           Checkpoints checkpoints, FitListener listener, long t0) {
        in = forFamily(in, planned, invalid);
        int d = in.extractor().dim();
        boolean sparse = sparseInput(in, planned);
        int blockRows = blockRows(d, sparse, blockRowsOpt);
        preflight(spark, in, planned, partitions, blockRows, rowsEstimate, sparse);
        try (SparkBlockSource src = load(spark, in, sparse, partitions, blockRows, invalid, missing)) {
            FitConfig cfg = configure.apply(src);
            if (Linalg.nativeBlasRejected() != null) {
                LogProgress.LOG.warn(Linalg.nativeBlasRejected());
            }
            LogProgress.LOG.info(String.format(Locale.ROOT,
                    "loaded %d rows x %d features from %s in %d partitions (%.1f s); BLAS %s%s, kernels %s",
                    src.rows(), d, description, src.partitions(), (System.nanoTime() - t0) / 1e9, Linalg.blasName(),
                    System.getenv("OPENBLAS_CORETYPE") == null ? "" : " (OPENBLAS_CORETYPE=" + System.getenv("OPENBLAS_CORETYPE") + ")",
                    BlockKernels.forDimension(d).name()));
            if (!src.skippedRows().isEmpty()) {
                LogProgress.LOG.warn("skipped invalid rows (--invalid skip): "
                        + src.skippedRows().values().stream().mapToLong(Long::longValue).sum() + " " + src.skippedRows());
            }
            if (src.missingCells() > 0 || src.allMissingRows() > 0) {
                LogProgress.LOG.info(String.format(Locale.ROOT,
                        "missing cells: %d in %d rows (%.2f%% of cells), kept and marginalized by EM;"
                                + " %d rows with no observed feature skipped",
                        src.missingCells(), src.rowsWithMissing(),
                        100.0 * src.missingCells() / ((double) src.rows() * d), src.allMissingRows()));
            }
            src.requireObservedFeatures(in.extractor().featureNames());
            if (cfg.family().hasCovariance()) {
                requireModestMagnitudes(src.maxAbs(), in.extractor().featureNames());
                warnOfTinyScales(src.maxAbs(), in.extractor().featureNames(), cfg.regCovar());
            }
            if (cfg.k() > src.rows()) {
                throw new IllegalArgumentException("k = " + cfg.k() + " is larger than the number of rows ("
                        + src.rows() + ")");
            }
            input = new LinkedHashMap<>(input);
            input.put("partitions", src.partitions());
            input.put("blockRows", blockRows);
            if (src.sparse()) {
                input.put("sparse", true);
            }
            Checkpointer<MixtureParams> checkpointer = Checkpointer.none();
            if (checkpoints != null) {
                Map<String, Object> fitConfig = new LinkedHashMap<>(cfg.toMap());
                fitConfig.put("invalid", invalid.serializedName());
                fitConfig.put("missing", missing.serializedName());
                checkpointer = new CheckpointStore(spark.sparkContext().hadoopConfiguration(), checkpoints.dir(),
                        checkpoints.every(), checkpoints.resume(), fitConfig, input, src.fingerprint(blockRows),
                        LogProgress.LOG::info);
            }
            boolean em = cfg.method().method() == FitMethod.EM;
            if (!em && checkpoints != null) {
                throw new IllegalArgumentException("checkpoints are for EM fits; " + cfg.method().method()
                        + " cannot resume");
            }
            MixtureFamily<?, ?> family = Families.of(cfg, in.extractor().categories());
            FitResult<? extends MixtureParams> r = em ? fitEm(family, src, cfg, checkpointer, listener)
                    : fitByMethod(family, src, cfg, listener);
            return model(spark, src, in, cfg, r, input, invalid, missing);
        }
    }

    /** The model of a fit on {@code src}, with its summary and provenance (not saved). */
    public static MixtureModel model(SparkSession spark, SparkBlockSource src, InputReader.Loaded in,
                                             FitConfig cfg, FitResult<? extends MixtureParams> r,
                                             Map<String, Object> input,
                                             InvalidPolicy invalid, MissingPolicy missing) {
        int d = in.extractor().dim();
        {
            Map<String, Object> prov = new LinkedHashMap<>();
            prov.put("mixemVersion", Version.mixem());
            prov.put("sparkVersion", spark.version());
            prov.put("javaVersion", System.getProperty("java.version"));
            prov.put("blas", Linalg.blasName());
            prov.put("nativeBlasRejected", Linalg.nativeBlasRejected());
            prov.put("openblasCoretype", System.getenv("OPENBLAS_CORETYPE"));
            prov.put("kernels", BlockKernels.forDimension(d).name());
            prov.put("master", spark.sparkContext().master());
            prov.put("configuration", cfg.toMap());
            prov.put("input", input);
            MixtureModel model = new MixtureModel(r.params(), in.extractor().featureNames(),
                    in.featuresCol(), new MixtureModel.FitSummary(r.avgLogLikelihood(), r.iterations(),
                    r.converged(), r.rows(), r.totalWeight(), (String) input.get("weightCol"), cfg.k(), r.droppedComponents(),
                    cfg.regCovar(), cfg.seed(), r.trace(), r.restartLogLikelihoods(), invalid.serializedName(),
                    src.skippedRows(), new MixtureModel.MissingSummary(missing.serializedName(),
                    src.missingCells(), src.rowsWithMissing(), src.allMissingRows())), prov);
            if (r.droppedComponents() > 0) {
                LogProgress.LOG.warn(r.droppedComponents() + " component(s) collapsed (no responsibility left) and"
                        + " were dropped; the model has k = " + r.params().k());
            }
            return model;
        }
    }
}
