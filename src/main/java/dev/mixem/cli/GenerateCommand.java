package dev.mixem.cli;

import dev.mixem.bench.Generator;
import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.data.Outputs;
import dev.mixem.family.gaussian.GaussianParams;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write a synthetic mixture (Gaussian with random covariances of the chosen structure, or --family"
                + " bernoulli or poisson) and PATH.truth.json.")
final class GenerateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--rows", required = true, description = "Number of rows.")
    long rows;

    @Option(names = "--dim", required = true, description = "Number of features.")
    int dim;

    @Option(names = "--k", required = true, description = "Number of components.")
    int k;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--output", required = true, paramLabel = "PATH", description = "Output directory; it must not exist unless --overwrite is given.")
    String output;

    @Option(names = "--overwrite", description = "Replace the output (and its .truth.json) if they exist. Only an earlier"
            + " output is replaced: a directory holding files other than Spark's part files is never deleted.")
    boolean overwrite;

    @Option(names = "--format", description = "csv, parquet or libsvm (default: from the extension, else csv)."
            + " libsvm writes a sparse planted mixture (--family bernoulli or poisson) of about --nonzeros non-zero"
            + " cells a row.")
    String format;

    @Option(names = "--nonzeros", defaultValue = "50", paramLabel = "Z",
            description = "With --format libsvm: about Z non-zero cells a row (default: ${DEFAULT-VALUE}).")
    double nonZeros;

    @Option(names = "--partitions", defaultValue = "0",
            description = "Output partitions (default: one per 1M rows, at least Spark's default parallelism).")
    int partitions;

    @Option(names = "--separation", defaultValue = "5",
            description = "Minimum distance between two means, in units of the largest component standard deviation (default: ${DEFAULT-VALUE}).")
    double separation;

    @picocli.CommandLine.Mixin
    FamilyOptions familyOptions;

    @Option(names = "--levels", defaultValue = "3", paramLabel = "L",
            description = "With --family categorical: levels of each of the --dim variables, written as text 0 .. L-1"
                    + " (default: ${DEFAULT-VALUE}).")
    int levels;

    @Option(names = "--covariance", defaultValue = "full",
            description = "Structure of the true covariances: full (random rotations), diag, tied (one random full"
                    + " matrix for all components), spherical, or factor (with --factors: loadings N(0, 0.5/Q),"
                    + " uniquenesses uniform on [0.1, 0.3]) (default: ${DEFAULT-VALUE}).")
    String covariance;

    @Option(names = "--factors", paramLabel = "Q", description = "With --covariance factor: latent factors per component.")
    int factors;

    @Option(names = "--missing-fraction", defaultValue = "0",
            description = "Fraction of cells left empty (null), chosen completely at random (default: ${DEFAULT-VALUE}).")
    double missingFraction;

    @Override
    public Integer call() {
        String fmt;
        CovarianceType type;
        dev.mixem.config.Family family;
        try {
            family = familyOptions.family();
            for (String gaussianOnly : new String[]{"--covariance", "--factors"}) {
                boolean allowed = family == dev.mixem.config.Family.GAUSSIAN
                        || (family == dev.mixem.config.Family.STUDENT_T && gaussianOnly.equals("--covariance"));
                if (!allowed && spec.commandLine().getParseResult().hasMatchedOption(gaussianOnly)) {
                    throw new IllegalArgumentException(gaussianOnly + " applies to --family "
                            + (gaussianOnly.equals("--covariance") ? "gaussian and student-t" : "gaussian") + " only");
                }
            }
            if (family != dev.mixem.config.Family.STUDENT_T && spec.commandLine().getParseResult().hasMatchedOption("--dof")) {
                throw new IllegalArgumentException("--dof applies to --family student-t only");
            }
            for (String fitOnly : new String[]{"--smoothing", "--max-levels"}) {
                if (spec.commandLine().getParseResult().hasMatchedOption(fitOnly)) {
                    throw new IllegalArgumentException(fitOnly + " is an option of fitting, not of generate");
                }
            }
            if (family != dev.mixem.config.Family.CATEGORICAL && spec.commandLine().getParseResult().hasMatchedOption("--levels")) {
                throw new IllegalArgumentException("--levels applies to --family categorical only");
            }
            if (levels < 2) {
                throw new IllegalArgumentException("--levels must be at least 2");
            }
            type = CovarianceType.parse(covariance);
            type.requireFactors(factors);
            if (type != CovarianceType.FACTOR && factors != 0) {
                throw new IllegalArgumentException("--factors applies to --covariance factor only");
            }
            if (factors >= dim && type == CovarianceType.FACTOR) {
                throw new IllegalArgumentException("--factors must be below --dim");
            }
            if (rows < 1 || dim < 1 || k < 1) {
                throw new IllegalArgumentException("rows, dim and k must be >= 1");
            }
            if (partitions < 0) {
                throw new IllegalArgumentException("partitions must be >= 1");
            }
            if (!(missingFraction >= 0 && missingFraction < 1)) {
                throw new IllegalArgumentException("missing-fraction must be in [0, 1)");
            }
            if (!(separation > 0)) {
                throw new IllegalArgumentException("separation must be > 0");
            }
            fmt = format != null ? format.toLowerCase(Locale.ROOT)
                    : output.toLowerCase(Locale.ROOT).replaceAll("/+$", "").endsWith(".parquet") ? "parquet"
                    : output.toLowerCase(Locale.ROOT).replaceAll("/+$", "").matches(".*\\.(libsvm|svm)$") ? "libsvm" : "csv";
            if (!fmt.equals("csv") && !fmt.equals("parquet") && !fmt.equals("libsvm")) {
                throw new IllegalArgumentException("generate writes csv, parquet or libsvm, not " + format);
            }
            if (fmt.equals("libsvm") && family != dev.mixem.config.Family.BERNOULLI
                    && family != dev.mixem.config.Family.POISSON) {
                throw new IllegalArgumentException("--format libsvm writes sparse bernoulli or poisson mixtures"
                        + " (--family bernoulli or poisson)");
            }
            if (fmt.equals("libsvm") && missingFraction > 0) {
                throw new IllegalArgumentException("--format libsvm writes sparse rows, which have no missing cells");
            }
            if (!fmt.equals("libsvm") && spec.commandLine().getParseResult().hasMatchedOption("--nonzeros")) {
                throw new IllegalArgumentException("--nonzeros applies to --format libsvm only");
            }
            if (!(nonZeros >= 1)) {
                throw new IllegalArgumentException("--nonzeros must be at least 1");
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        SparkSession spark = Spark.session("generate");
        try {
            if (fmt.equals("libsvm")) {
                writeSparse(spark, dev.mixem.bench.SparseGenerator.truth(family == dev.mixem.config.Family.BERNOULLI
                                ? dev.mixem.family.independent.Link.BERNOULLI : dev.mixem.family.independent.Link.POISSON,
                        k, dim, nonZeros, seed), rows, seed, output, partitions, nonZeros, overwrite);
            } else if (family == dev.mixem.config.Family.GAUSSIAN) {
                write(spark, type, factors, rows, dim, k, seed, output, fmt, partitions, separation, missingFraction,
                        overwrite);
            } else if (family == dev.mixem.config.Family.CATEGORICAL) {
                var cat = dev.mixem.family.independent.Categories.uniform(dim, levels);
                write(spark, Generator.truth(dev.mixem.family.independent.IndependentFamily.categorical(cat, 0), k,
                        cat.dim(), separation, seed), rows, seed, output, fmt, partitions, separation,
                        missingFraction, overwrite);
            } else {
                FitConfig truthCfg = FitConfig.defaults(k).withCovariance(type, FitConfig.DEFAULT_REG_COVAR)
                        .withFamily(family, 0).withDof(family == dev.mixem.config.Family.STUDENT_T ? familyOptions.dof : 0);
                write(spark, Generator.truth(dev.mixem.family.registry.Families.of(truthCfg),
                        k, dim, separation, seed), rows, seed, output, fmt, partitions, separation, missingFraction,
                        overwrite);
            }
        } finally {
            Spark.stop(spark);
        }
        return 0;
    }

    static void write(SparkSession spark, long rows, int dim, int k, long seed, String output, String fmt,
                      int partitionsOpt, double separation) {
        write(spark, rows, dim, k, seed, output, fmt, partitionsOpt, separation, 0.0);
    }


    static void write(SparkSession spark, long rows, int dim, int k, long seed, String output, String fmt,
                      int partitionsOpt, double separation, double missingFraction) {
        write(spark, CovarianceType.FULL, rows, dim, k, seed, output, fmt, partitionsOpt, separation, missingFraction,
                false);
    }

    /**
     * Writes the rows to {@code output} and the true parameters to {@code output.truth.json}, each only if
     * its path is free or (with {@code overwrite}) an earlier output of the same kind ({@link Outputs}).
     */
    static GaussianParams write(SparkSession spark, CovarianceType type, long rows, int dim, int k, long seed, String output,
                      String fmt, int partitionsOpt, double separation, double missingFraction, boolean overwrite) {
        return write(spark, type, 0, rows, dim, k, seed, output, fmt, partitionsOpt, separation, missingFraction,
                overwrite);
    }

    /** {@link #write(SparkSession, CovarianceType, long, int, int, long, String, String, int, double, double, boolean)} with q factors. */
    static GaussianParams write(SparkSession spark, CovarianceType type, int factors, long rows, int dim, int k,
                                long seed, String output, String fmt, int partitionsOpt, double separation,
                                double missingFraction, boolean overwrite) {
        GaussianParams truth = Generator.truth(type, factors, k, dim, separation, seed);
        write(spark, truth, rows, seed, output, fmt, partitionsOpt, separation, missingFraction, overwrite);
        return truth;
    }

    /** The option, or one partition per million rows and at least Spark's default parallelism; at most the rows. */
    private static int partitions(SparkSession spark, long rows, int partitionsOpt) {
        int partitions = partitionsOpt > 0 ? partitionsOpt
                : (int) Math.max(spark.sparkContext().defaultParallelism(), Math.min(100_000, rows / 1_000_000));
        return (int) Math.min(partitions, rows);
    }

    /** Rows of a sparse planted mixture as LibSVM (label: the component) and its truth file. */
    static void writeSparse(SparkSession spark, dev.mixem.family.independent.IndependentParams truth, long rows,
                            long seed, String output, int partitionsOpt, double nonZeros, boolean overwrite) {
        var conf = spark.sparkContext().hadoopConfiguration();
        Outputs.Target data = Outputs.claim(conf, output, Outputs.Kind.DATASET, overwrite);
        String truthPath = data.path() + ".truth.json";
        Outputs.Target truthFile = Outputs.claim(conf, truthPath, Outputs.Kind.FILE, overwrite);
        int partitions = partitions(spark, rows, partitionsOpt);
        spark.sparkContext().setJobDescription("mixem: generate " + rows + " sparse rows");
        var frame = dev.mixem.bench.SparseGenerator.frame(spark, truth, rows, partitions, seed);
        data.write(tmp -> frame.write().mode(SaveMode.ErrorIfExists).format("libsvm").save(tmp));
        truthFile.writeString(Generator.truthJson(truth, rows, nonZeros, seed));
        System.out.printf(Locale.ROOT, "wrote %d sparse rows x %d features (%d components, about %.0f non-zeros a"
                        + " row) to %s (libsvm, %d partitions); truth in %s%n", rows, truth.dim(), truth.k(), nonZeros,
                output, partitions, truthPath);
    }

    /** Rows of the given true mixture (any family) and its truth file. */
    static void write(SparkSession spark, dev.mixem.family.MixtureParams truth, long rows, long seed, String output,
                      String fmt, int partitionsOpt, double separation, double missingFraction, boolean overwrite) {
        int k = truth.k();
        var conf = spark.sparkContext().hadoopConfiguration();
        Outputs.Target data = Outputs.claim(conf, output, Outputs.Kind.DATASET, overwrite);
        String truthPath = data.path() + ".truth.json";
        Outputs.Target truthFile = Outputs.claim(conf, truthPath, Outputs.Kind.FILE, overwrite);
        int partitions = partitions(spark, rows, partitionsOpt);
        spark.sparkContext().setJobDescription("mixem: generate " + rows + " rows");
        var frame = Generator.frame(spark, truth, rows, partitions, seed, missingFraction);
        int dim = frame.schema().size();
        data.write(tmp -> {
            var writer = frame.write().mode(SaveMode.ErrorIfExists);
            if (fmt.equals("csv")) {
                writer.option("header", "true").csv(tmp);
            } else {
                writer.parquet(tmp);
            }
        });
        truthFile.writeString(Generator.truthJson(truth, rows, separation, seed));
        System.out.printf(Locale.ROOT, "wrote %d rows x %d features (%d components%s) to %s (%s, %d partitions); truth in %s%n",
                rows, dim, k, missingFraction > 0 ? String.format(Locale.ROOT, ", %.3g of cells empty", missingFraction) : "",
                output, fmt, partitions, truthPath);
    }
}
