package dev.mixem.cli;

import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.config.InitMethod;
import dev.mixem.config.InvalidPolicy;
import dev.mixem.config.MissingPolicy;
import dev.mixem.data.InputSpec;
import dev.mixem.job.SelectJob;
import dev.mixem.select.Criterion;
import dev.mixem.select.KList;
import dev.mixem.select.ModelSelection;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "select", mixinStandardHelpOptions = true, sortOptions = false, defaultValueProvider = FitDefaults.class,
        description = "Choose K and the covariance structure by BIC, AIC or ICL: every candidate (K x covariance x"
                + " restart) is fitted by EM in lock-step, one pass over the cached data per iteration for all of them;"
                + " writes DIR/select.json, DIR/report.html and the chosen model in DIR/model.")
final class SelectCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    InputOptions input;

    @Option(names = "--k", required = true, paramLabel = "KS",
            description = "Component counts: ranges and lists, e.g. 1..12 or 2,4,8 or 1..4,8.")
    String ks;

    @Option(names = "--covariance", split = ",", paramLabel = "TYPES",
            description = "Covariance structures to try, from full, diag, tied, spherical and factor (with --factors)"
                    + " (default: full,diag,tied,spherical).")
    List<String> covariances;

    @Option(names = "--factors", paramLabel = "QS",
            description = "With factor among the structures: the numbers of factors to try, e.g. 1,2,5 or 1..5.")
    String factors;

    @Option(names = "--criterion", defaultValue = "bic", description = "bic, aic or icl (default: ${DEFAULT-VALUE}).")
    String criterion;

    @Option(names = "--n-init", description = "Restarts per (K, covariance); the best log-likelihood represents each (default: ${DEFAULT-VALUE}).")
    int nInit;

    @Option(names = "--init", description = "kmeans++ or random, drawn from one shared sample (default: ${DEFAULT-VALUE}).")
    String init;

    @Option(names = "--max-iter", description = "Maximum EM iterations of each candidate (default: ${DEFAULT-VALUE}).")
    int maxIter;

    @Option(names = "--tol", description = "A candidate stops when its mean log-likelihood changes by less than this (default: ${DEFAULT-VALUE}).")
    double tol;

    @Option(names = "--reg-covar", description = "Added to every covariance diagonal (default: ${DEFAULT-VALUE}).")
    double regCovar;

    @Option(names = "--seed", description = "Seed of every random draw (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-stats-mb", defaultValue = "0", paramLabel = "MB",
            description = "Most megabytes of statistics one batch of candidates sends per partition; beyond it the"
                    + " candidates run in several batches (default: half of spark.driver.maxResultSize over the"
                    + " partitions merged at once, at most 256).")
    long maxStatsMb;

    @Option(names = "--invalid", defaultValue = "fail", description = "fail or skip, as for fit (default: ${DEFAULT-VALUE}).")
    String invalid;

    @Option(names = "--missing", defaultValue = "marginalize", description = "marginalize or fail, as for fit (default: ${DEFAULT-VALUE}).")
    String missing;

    @Option(names = "--prune", description = "Stop a candidate early when an optimistic bound on its final criterion"
            + " (Aitken's extrapolation of its log-likelihood, ten times the remaining gain) is worse than a candidate"
            + " that has ended; bic and aic only.")
    boolean prune;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Save every candidate's state to DIR/candidate-kK-TYPE-rR.json every --checkpoint-every iterations.")
    String checkpointDir;

    @Option(names = "--checkpoint-every", defaultValue = "5", paramLabel = "N",
            description = "Iterations between checkpoints (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue the selection whose checkpoints are in DIR (same input and options): candidates"
                    + " with a checkpoint continue from it, the others start afresh; the table equals an uninterrupted one's.")
    String resume;

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Directory for select.json, report.html and model/; it must not exist unless --overwrite is given.")
    String output;

    @Option(names = "--overwrite", description = "Replace an earlier selection in --output (only select.json, report.html and model/).")
    boolean overwrite;

    @Override
    public Integer call() {
        ModelSelection.Options options;
        InputSpec in;
        InvalidPolicy policy;
        MissingPolicy missingPolicy;
        try {
            List<CovarianceType> types = new ArrayList<>();
            for (String c : covariances == null ? List.of("full", "diag", "tied", "spherical") : covariances) {
                CovarianceType t = CovarianceType.parse(c);
                if (!types.contains(t)) {
                    types.add(t);
                }
            }
            FitConfig base = new FitConfig(1, CovarianceType.FULL, InitMethod.parse(init), 1, maxIter, tol, regCovar, seed);
            if (maxStatsMb < 0) {
                throw new IllegalArgumentException("max-stats-mb must be >= 0");
            }
            options = new ModelSelection.Options(KList.parse(ks), types, nInit, Criterion.parse(criterion), base, 0, prune,
                    factors == null ? List.of() : KList.parse(factors));
            policy = InvalidPolicy.parse(invalid);
            missingPolicy = MissingPolicy.parse(missing);
            in = input.spec();
            in.effectiveFormat();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        dev.mixem.job.FitJob.Checkpoints checkpoints;
        try {
            if (checkpointEvery < 1) {
                throw new IllegalArgumentException("checkpoint-every must be >= 1");
            }
            checkpoints = dev.mixem.job.FitJob.Checkpoints.of(checkpointDir, resume, checkpointEvery);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        SparkSession spark = Spark.session("select");
        try {
            SelectJob.run(spark, in, options, maxStatsMb << 20, output, overwrite, policy, missingPolicy, checkpoints);
        } finally {
            Spark.stop(spark);
        }
        return 0;
    }
}
