package dev.mixem.cli;

import dev.mixem.job.LogProgress;

import dev.mixem.config.CovarianceType;
import dev.mixem.bench.Benchmark;
import dev.mixem.data.HadoopFiles;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time mixem's EM against Spark MLlib's GaussianMixture on the same cached data, from the same start.")
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--rows", required = true, description = "Rows to generate in memory.")
    long rows;

    @Option(names = "--dim", required = true, description = "Features.")
    int dim;

    @Option(names = "--k", required = true, description = "Components.")
    int k;

    @Option(names = "--covariance", defaultValue = "full",
            description = "full, diag, tied or spherical (MLlib has full only; it is skipped for the others) (default: ${DEFAULT-VALUE}).")
    String covariance;

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

    @Option(names = "--output", paramLabel = "FILE.json", description = "Write the numbers as JSON.")
    String output;

    @Override
    public Integer call() throws Exception {
        CovarianceType type;
        try {
            type = CovarianceType.parse(covariance);
            if (rows < 1 || dim < 1 || k < 1 || iterations < 2 || rounds < 1 || partitions < 0 || !(scale > 0)) {
                throw new IllegalArgumentException("need rows, dim, k, rounds >= 1, iterations >= 2, partitions >= 0, scale > 0");
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        SparkSession spark = Spark.session("bench");
        try {
            int p = partitions > 0 ? partitions : spark.sparkContext().defaultParallelism();
            boolean mllib = !noMllib && type == CovarianceType.FULL;
            Benchmark.Result r = Benchmark.run(spark, new Benchmark.Options(rows, dim, k, type, iterations, p, seed,
                    rounds, mllib, scale, blockRows), LogProgress.LOG::info);
            print(r);
            if (output != null) {
                HadoopFiles.writeString(spark.sparkContext().hadoopConfiguration(), output, BenchJson.of(r));
                System.out.println("wrote " + output);
            }
        } finally {
            spark.stop();
        }
        return 0;
    }

    private static void print(Benchmark.Result r) {
        Benchmark.Options o = r.options();
        System.out.printf(Locale.ROOT, "%n%d rows x %d features, k=%d, %s covariance, %d partitions, %d cores, BLAS %s, kernels %s%n",
                o.rows(), o.dim(), o.k(), o.covariance(), o.partitions(), r.cores(), r.blas(), r.kernels());
        System.out.printf(Locale.ROOT, "%-28s %12s %12s%n", "", "mixem", "MLlib");
        System.out.printf(Locale.ROOT, "%-28s %12.4f %12s%n", "seconds per iteration", r.mixemSecondsPerIteration(),
                fmt(r.mllibSecondsPerIteration(), "%.4f"));
        System.out.printf(Locale.ROOT, "%-28s %12.8f %12s%n", "final avgLogLikelihood", r.mixemAvgLogLikelihood(),
                fmt(r.mllibAvgLogLikelihood(), "%.8f"));
        System.out.printf(Locale.ROOT, "%-28s %12.1f%n", "GFLOP/s achieved", r.mixemGflops());
        System.out.printf(Locale.ROOT, "speedup (MLlib / mixem): %s; mixem at %.0f%% of the measured DGEMM rate (%.1f GFLOP/s)%n",
                fmt(r.speedup(), "%.1fx"), 100 * r.gemmFraction(), r.gemmGflops());
        if (!Double.isNaN(r.mllibAvgLogLikelihood())) {
            System.out.printf(Locale.ROOT, "log-likelihoods differ by %.2e relative%s%n", r.logLikelihoodRelativeDifference(),
                    r.mllibUnderflow() ? "; MLlib underflowed (its densities in linear space fell below EPSILON: it stopped after "
                            + r.mllibIterations() + " iterations)" : "");
        }
        System.out.printf(Locale.ROOT, "cache %.1f MB for %.1f MB of raw doubles (%.2fx); peak heap %.0f MB%n",
                r.cacheBytes() / 1e6, r.rawBytes() / 1e6, (double) r.cacheBytes() / r.rawBytes(), r.peakHeapBytes() / 1e6);
    }

    private static String fmt(double v, String f) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, f, v);
    }
}
