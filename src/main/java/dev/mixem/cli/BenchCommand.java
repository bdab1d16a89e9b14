package dev.mixem.cli;

import dev.mixem.job.LogProgress;

import dev.mixem.config.CovarianceType;
import dev.mixem.bench.Benchmark;
import dev.mixem.data.Outputs;
import dev.mixem.data.InputFormat;
import dev.mixem.data.InputSpec;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time mixem's EM against Spark MLlib's GaussianMixture on the same cached data, from the same start:"
                + " generated data (--rows, --dim), or a file's rows (--input).")
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--rows", defaultValue = "0", description = "Rows to generate in memory (without --input).")
    long rows;

    @Option(names = "--dim", defaultValue = "0", description = "Features to generate (without --input).")
    int dim;

    @Option(names = "--input", paramLabel = "PATH",
            description = "Time this file's rows instead of generated ones (any format fit reads; missing cells are kept).")
    String input;

    @Option(names = "--format", paramLabel = "FMT", description = "With --input: csv, parquet, libsvm or orc (default: from the extension).")
    String format;

    @Option(names = "--feature-cols", split = ",", paramLabel = "COLS",
            description = "With --input: comma-separated feature columns (default: every numeric column).")
    java.util.List<String> featureCols = new java.util.ArrayList<>();

    @Option(names = "--features-col", paramLabel = "NAME", description = "With --input: a vector column holding the features.")
    String featuresCol;

    @Option(names = "--reg-covar", paramLabel = "R",
            description = "Added to every variance (default: 0 when MLlib runs, which has none; else fit's default).")
    Double regCovar;

    @Option(names = "--k", required = true, description = "Components.")
    int k;

    @Option(names = "--family", defaultValue = "gaussian", paramLabel = "FAMILY",
            description = "gaussian, bernoulli or poisson; MLlib has Gaussian mixtures only and is skipped for the"
                    + " others (default: ${DEFAULT-VALUE}).")
    String family;

    @Option(names = "--covariance", defaultValue = "full",
            description = "full, diag, tied, spherical or factor (with --factors) (MLlib has full only; it is skipped for the"
                    + " others) (default: ${DEFAULT-VALUE}).")
    String covariance;

    @Option(names = "--factors", paramLabel = "Q", description = "With --covariance factor: latent factors per component.")
    int factors;

    @Option(names = "--iterations", defaultValue = "10", description = "EM iterations per run (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--partitions", defaultValue = "0",
            description = "Partitions of the cached data (default: Spark's default parallelism).")
    int partitions;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the data and of the initial model (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--rounds", defaultValue = "2", description = "Alternating mixem/MLlib rounds (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--no-mllib", description = "Time mixem only (for scale curves).")
    boolean noMllib;

    @Option(names = "--scale", defaultValue = "0.1",
            description = "Multiply every standard deviation of the data (default: ${DEFAULT-VALUE}).")
    double scale;

    @Option(names = "--block-rows", defaultValue = "0", description = "Rows per cached block (default: mixem's choice).")
    int blockRows;

    @Mixin
    JsonOutput output;

    @Override
    public Integer call() throws Exception {
        CovarianceType type;
        dev.mixem.config.Family fam;
        try {
            fam = dev.mixem.config.Family.parse(family);
            if (fam == dev.mixem.config.Family.CATEGORICAL || fam == dev.mixem.config.Family.STUDENT_T) {
                throw new IllegalArgumentException("bench times gaussian, bernoulli and poisson; a categorical fit runs"
                        + " the kernels of bernoulli on its level indicators, a student-t fit those of gaussian");
            }
            if (fam != dev.mixem.config.Family.GAUSSIAN && (spec.commandLine().getParseResult().hasMatchedOption("--covariance")
                    || spec.commandLine().getParseResult().hasMatchedOption("--factors")
                    || spec.commandLine().getParseResult().hasMatchedOption("--reg-covar"))) {
                throw new IllegalArgumentException("--covariance, --factors and --reg-covar apply to --family gaussian only");
            }
            type = CovarianceType.parse(covariance);
            type.requireFactors(factors);
            if (type != CovarianceType.FACTOR && factors != 0) {
                throw new IllegalArgumentException("--factors applies to --covariance factor only");
            }
            if (input == null && (rows < 1 || dim < 1)) {
                throw new IllegalArgumentException("need --input, or --rows and --dim >= 1 to generate data");
            }
            if (input != null && (rows != 0 || dim != 0)) {
                throw new IllegalArgumentException("--rows and --dim generate data; with --input they come from the file");
            }
            if (k < 1 || iterations < 2 || rounds < 1 || partitions < 0 || !(scale > 0)
                    || (regCovar != null && !(regCovar >= 0))) {
                throw new IllegalArgumentException("need k, rounds >= 1, iterations >= 2, partitions >= 0, scale > 0, reg-covar >= 0");
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        SparkSession spark = Spark.session("bench");
        try {
            Outputs.Target outputFile = output.claim(spark);
            int p = partitions > 0 ? partitions : spark.sparkContext().defaultParallelism();
            boolean mllib = !noMllib && type == CovarianceType.FULL && fam == dev.mixem.config.Family.GAUSSIAN;
            InputSpec in = input == null ? null : new InputSpec(input, format == null ? null : InputFormat.parse(format),
                    featureCols, featuresCol, null, p);
            Benchmark.Result r = Benchmark.run(spark, new Benchmark.Options(rows, dim, k, type, iterations, p, seed,
                    rounds, mllib, scale, blockRows, in, regCovar == null ? Double.NaN : regCovar, factors, fam),
                    LogProgress.LOG::info);
            print(r);
            JsonOutput.write(outputFile, BenchJson.of(r));
        } finally {
            Spark.stop(spark);
        }
        return 0;
    }

    private static void print(Benchmark.Result r) {
        Benchmark.Options o = r.options();
        String model = o.family() != dev.mixem.config.Family.GAUSSIAN ? o.family() + " family"
                : o.covariance() + (o.factors() > 0 ? " (" + o.factors() + " factors)" : "") + " covariance, reg-covar "
                + o.effectiveRegCovar();
        System.out.printf(Locale.ROOT, "%n%s%d rows x %d features, k=%d, %s, %d partitions, %d cores, BLAS %s, kernels %s%n",
                o.input() == null ? "" : o.input().path() + ": ", o.rows(), o.dim(), o.k(), model, o.partitions(),
                r.cores(), r.blas(), r.kernels());
        System.out.printf(Locale.ROOT, "%-28s %12s %12s%n", "", "mixem", "MLlib");
        System.out.printf(Locale.ROOT, "%-28s %12.4f %12s%n", "seconds per iteration", r.mixemSecondsPerIteration(),
                fmt(r.mllibSecondsPerIteration(), "%.4f"));
        System.out.printf(Locale.ROOT, "%-28s %12.10f %12s%n", "final avgLogLikelihood", r.mixemAvgLogLikelihood(),
                fmt(r.mllibAvgLogLikelihood(), "%.10f"));
        System.out.printf(Locale.ROOT, "%-28s %12.1f%n", "GFLOP/s achieved", r.mixemGflops());
        System.out.printf(Locale.ROOT, "speedup (MLlib / mixem): %s; mixem at %.0f%% of the measured DGEMM rate (%.1f GFLOP/s; mixem's JVM GEMM kernels %s GFLOP/s)%n",
                fmt(r.speedup(), "%.1fx"), 100 * r.gemmFraction(), r.gemmGflops(), fmt(r.jvmGemmGflops(), "%.1f"));
        if (!Double.isNaN(r.mllibAvgLogLikelihood())) {
            System.out.printf(Locale.ROOT, "log-likelihoods differ by %.2e relative%s%n", r.logLikelihoodRelativeDifference(),
                    r.mllibUnderflow() ? "; MLlib underflowed (its densities in linear space fell below EPSILON: it stopped after "
                            + r.mllibIterations() + " iterations)" : "");
        }
        System.out.printf(Locale.ROOT, "cache %.1f MB for %.1f MB of raw doubles (%.2fx); peak heap %.0f MB;"
                        + " statistics %.3f MB per partition and iteration%n",
                r.cacheBytes() / 1e6, r.rawBytes() / 1e6, (double) r.cacheBytes() / r.rawBytes(), r.peakHeapBytes() / 1e6,
                r.statsBytesPerPartition() / 1e6);
    }

    private static String fmt(double v, String f) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, f, v);
    }
}
