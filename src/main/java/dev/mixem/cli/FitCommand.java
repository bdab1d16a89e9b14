package dev.mixem.cli;

import dev.mixem.config.FitMethod;

import dev.mixem.job.FitJob;

import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.config.InitMethod;
import dev.mixem.config.InvalidPolicy;
import dev.mixem.config.MissingPolicy;
import dev.mixem.data.InputSpec;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "fit", mixinStandardHelpOptions = true, sortOptions = false, defaultValueProvider = FitDefaults.class,
        description = "Fit a Gaussian mixture by distributed EM and write DIR/model.json.")
final class FitCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    InputOptions input;

    @Option(names = "--k", required = true, description = "Number of components (>= 1).")
    int k;

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Model directory to write; it must not exist unless --overwrite is given.")
    String output;

    @Option(names = "--overwrite", description = "Replace the model directory if it exists (only if it holds just"
            + " model.json and trace.csv), and start afresh over an earlier checkpoint in --checkpoint-dir.")
    boolean overwrite;

    @picocli.CommandLine.Mixin
    FamilyOptions familyOptions;

    @Option(names = "--covariance", description = "full, diag, tied or spherical, as scikit-learn's covariance_type,"
            + " or factor (mixtures of factor analyzers, with --factors) (default: ${DEFAULT-VALUE}).")
    String covariance;

    @Option(names = "--implied-covariances", description = "Also write covariances.json beside model.json: every"
            + " component's covariance as a full matrix (for factor, Λ Λᵀ + Ψ; D x D numbers a component).")
    boolean impliedCovariances;

    @Option(names = "--factors", paramLabel = "Q", description = "With --covariance factor: latent factors per"
            + " component, Σ_k = Λ_k Λ_kᵀ + Ψ_k with Λ_k d x Q.")
    int factors;

    @Option(names = "--init", description = "kmeans-parallel, kmeans++ or random (default: ${DEFAULT-VALUE}).")
    String init;

    @Option(names = "--n-init", description = "Restarts; the best log-likelihood is kept (default: ${DEFAULT-VALUE}).")
    int nInit;

    @Option(names = "--max-iter", description = "Maximum EM iterations (default: ${DEFAULT-VALUE}).")
    int maxIter;

    @Option(names = "--tol", description = "Stop when the mean log-likelihood changes by less than this; 0 runs max-iter iterations (default: ${DEFAULT-VALUE}).")
    double tol;

    @Option(names = "--reg-covar", description = "Added to every covariance diagonal (default: ${DEFAULT-VALUE}).")
    double regCovar;

    @Option(names = "--seed", description = "Seed of every random draw (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--invalid", defaultValue = "fail",
            description = "fail: stop at the first bad row, naming file, row and column; skip: leave bad rows out and count them by reason in the log and model.json (default: ${DEFAULT-VALUE}).")
    String invalid;

    @Option(names = "--missing", defaultValue = "marginalize",
            description = "marginalize: keep rows with missing cells (empty, null, NaN) and treat the missing cells as latent in EM; fail: a missing cell is an invalid row, handled by --invalid (default: ${DEFAULT-VALUE}).")
    String missing;

    @Option(names = "--method",
            description = "em, online-em, gd, sgd, adam or lbfgs (default: ${DEFAULT-VALUE}). Methods other than em start from one initialization and run --max-iter passes over the data.")
    String method;

    @Option(names = "--learning-rate", description = "gd, sgd, adam: learning rate (defaults: gd 0.1, sgd 0.05, adam 0.02).")
    Double learningRate;

    @Option(names = "--batch-fraction",
            description = "online-em, sgd, adam: fraction of the rows in each mini-batch (default: ${DEFAULT-VALUE}).")
    double batchFraction;

    @Option(names = "--step-decay",
            description = "sgd, adam: learning rate lr / (1 + decay·t) (defaults: sgd 0.01, adam 0); online-em: κ of the step size (t + 2)^-κ, in (0.5, 1] (default 0.6).")
    Double stepDecay;

    @Option(names = "--eval-sample", paramLabel = "F",
            description = "Record the trace's log-likelihood on a fixed seeded sample of this fraction of the rows instead of all of them (methods other than em; default: all rows).")
    double evalSample;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Save the fit's state to DIR/checkpoint.json (written then renamed) every --checkpoint-every iterations and when a restart is initialized.")
    String checkpointDir;

    @Option(names = "--checkpoint-every", defaultValue = "5", paramLabel = "N",
            description = "Iterations between checkpoints (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue the fit whose checkpoint is in DIR (same input and options); the model equals an uninterrupted fit's. Checkpoints go on being written to DIR unless --checkpoint-dir says otherwise.")
    String resume;

    @Option(names = "--block-rows", description = "Rows per cached block (default: about 64k doubles per block).")
    Integer blockRows;

    @Override
    public Integer call() {
        FitConfig cfg;
        InputSpec in;
        InvalidPolicy policy;
        MissingPolicy missingPolicy;
        try {
            policy = InvalidPolicy.parse(invalid);
            missingPolicy = MissingPolicy.parse(missing);
            cfg = new FitConfig(k, CovarianceType.parse(covariance), InitMethod.parse(init), nInit, maxIter, tol,
                    regCovar, seed, dev.mixem.config.MethodOptions.defaults(dev.mixem.config.FitMethod.EM,
                    Double.POSITIVE_INFINITY), factors);
            cfg = familyOptions.apply(cfg, spec);
            if (impliedCovariances && cfg.family() != dev.mixem.config.Family.GAUSSIAN) {
                throw new IllegalArgumentException("--implied-covariances applies to --family gaussian only");
            }
            in = input.spec();
            in.effectiveFormat();
            if (checkpointEvery < 1) {
                throw new IllegalArgumentException("checkpoint-every must be >= 1, got " + checkpointEvery);
            }
            if (blockRows != null && blockRows < 1) {
                throw new IllegalArgumentException("block-rows must be >= 1, got " + blockRows);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        try {
            dev.mixem.config.FitMethod m = dev.mixem.config.FitMethod.parse(method);
            if (m != dev.mixem.config.FitMethod.EM) {
                // Methods other than EM spend --max-iter passes.
                cfg = cfg.withMethod(dev.mixem.config.MethodOptions.defaults(m, maxIter)
                        .withLearningRate(learningRate != null ? learningRate : m.defaultLearningRate())
                        .withBatchFraction(batchFraction)
                        .withStepDecay(stepDecay != null ? stepDecay : m.defaultStepDecay())
                        .withEvalSample(evalSample));
            }
            if (m != dev.mixem.config.FitMethod.EM && (checkpointDir != null || resume != null || nInit != 1)) {
                throw new IllegalArgumentException("--checkpoint-dir, --resume and --n-init are for --method em");
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        FitJob.Checkpoints checkpoints;
        try {
            checkpoints = FitJob.Checkpoints.of(checkpointDir, resume, checkpointEvery);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        SparkSession spark = Spark.session("fit");
        try {
            FitJob.run(spark, in, cfg, blockRows, output, policy, missingPolicy, checkpoints, overwrite,
                    impliedCovariances);
        } finally {
            Spark.stop(spark);
        }
        return 0;
    }
}
