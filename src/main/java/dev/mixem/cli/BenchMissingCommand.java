package dev.mixem.cli;

import dev.mixem.job.LogProgress;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixem.config.CovarianceType;
import dev.mixem.data.Outputs;
import dev.mixem.bench.MissingBenchmark;
import dev.mixem.fit.ParameterError;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "bench-missing", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Cost and benefit of marginalizing missing cells: time per EM iteration at each missing fraction,"
                + " and parameter error of marginalizing EM against complete-case deletion and mean imputation.")
final class BenchMissingCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--rows", defaultValue = "1000000", description = "Rows for the timing (default: ${DEFAULT-VALUE}).")
    long rows;

    @Option(names = "--dim", defaultValue = "10", description = "Features (default: ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--k", defaultValue = "8", description = "Components (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--covariance", defaultValue = "full", description = "full, diag, tied or spherical, as scikit-learn's covariance_type (default: ${DEFAULT-VALUE}).")
    String covariance;

    @Option(names = "--fractions", defaultValue = "0,0.1,0.3", split = ",",
            description = "Fractions of cells removed completely at random; the first should be 0, the baseline (default: ${DEFAULT-VALUE}).")
    double[] fractions;

    @Option(names = "--iterations", defaultValue = "10", description = "EM iterations per timing (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--error-rows", defaultValue = "100000",
            description = "Rows for the parameter-error comparison; 0 skips it (default: ${DEFAULT-VALUE}).")
    long errorRows;

    @Option(names = "--partitions", defaultValue = "0", description = "Partitions (default: Spark's default parallelism).")
    int partitions;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    JsonOutput output;

    @Override
    public Integer call() throws Exception {
        CovarianceType type;
        try {
            type = CovarianceType.parse(covariance);
            if (rows < 1 || dim < 1 || k < 1 || iterations < 3 || partitions < 0 || errorRows < 0) {
                throw new IllegalArgumentException("need rows, dim, k >= 1, iterations >= 3, partitions and error-rows >= 0");
            }
            for (double f : fractions) {
                if (!(f >= 0 && f < 1)) {
                    throw new IllegalArgumentException("missing fractions must be in [0, 1), got " + f);
                }
            }
            if (fractions[0] != 0) {
                throw new IllegalArgumentException("the first fraction must be 0 (the baseline the others are compared with)");
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        SparkSession spark = Spark.session("bench-missing");
        try {
            Outputs.Target outputFile = output.claim(spark);
            int p = partitions > 0 ? partitions : spark.sparkContext().defaultParallelism();
            MissingBenchmark.Result r = MissingBenchmark.run(spark, new MissingBenchmark.Options(rows, dim, k, type,
                    fractions, iterations, p, seed, errorRows), LogProgress.LOG::info);
            print(r);
            JsonOutput.write(outputFile, json(r));
        } finally {
            Spark.stop(spark);
        }
        return 0;
    }

    private static void print(MissingBenchmark.Result r) {
        MissingBenchmark.Options o = r.options();
        System.out.printf(Locale.ROOT, "%n%d rows x %d features, k=%d, %s covariance, %d partitions, %d cores, MCAR%n",
                o.rows(), o.dim(), o.k(), o.covariance(), o.partitions(), r.cores());
        System.out.printf(Locale.ROOT, "%-10s %14s %22s %10s%n", "missing", "missing cells", "seconds per iteration", "slowdown");
        for (MissingBenchmark.Timing t : r.timings()) {
            System.out.printf(Locale.ROOT, "%9.0f%% %14d %22.4f %9.2fx%n", 100 * t.fraction(), t.missingCells(),
                    t.secondsPerIteration(), t.slowdown());
        }
        if (r.errors().isEmpty()) {
            return;
        }
        System.out.printf(Locale.ROOT, "%nparameter error on %d rows (RMS against the truth, components matched; every EM started from the truth)%n", o.errorRows());
        System.out.printf(Locale.ROOT, "%-10s %-28s %10s %12s %10s%n", "missing", "method", "means", "covariances", "weights");
        for (MissingBenchmark.Errors e : r.errors()) {
            row(e.fraction(), "marginalize (mixem)", e.marginalize());
            row(e.fraction(), "complete cases (" + e.completeRows() + " rows)", e.completeCases());
            row(e.fraction(), "mean imputation", e.meanImputation());
        }
    }

    private static void row(double f, String method, ParameterError e) {
        System.out.printf(Locale.ROOT, "%9.0f%% %-28s %10.4f %12.4f %10.4f%n", 100 * f, method, e.means(),
                e.covariances(), e.weights());
    }

    private static String json(MissingBenchmark.Result r) throws Exception {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode n = m.createObjectNode();
        MissingBenchmark.Options o = r.options();
        n.put("rows", o.rows());
        n.put("dim", o.dim());
        n.put("k", o.k());
        n.put("covariance", o.covariance().serializedName());
        n.put("partitions", o.partitions());
        n.put("cores", r.cores());
        n.put("seed", o.seed());
        n.put("errorRows", o.errorRows());
        ArrayNode ts = n.putArray("timings");
        for (MissingBenchmark.Timing t : r.timings()) {
            ts.addObject().put("fraction", t.fraction()).put("missingCells", t.missingCells())
                    .put("secondsPerIteration", t.secondsPerIteration()).put("slowdown", t.slowdown());
        }
        ArrayNode es = n.putArray("errors");
        for (MissingBenchmark.Errors e : r.errors()) {
            ObjectNode x = es.addObject().put("fraction", e.fraction()).put("completeRows", e.completeRows());
            put(x.putObject("marginalize"), e.marginalize());
            put(x.putObject("completeCases"), e.completeCases());
            put(x.putObject("meanImputation"), e.meanImputation());
        }
        return m.writeValueAsString(n) + "\n";
    }

    private static void put(ObjectNode n, ParameterError e) {
        n.put("means", e.means()).put("covariances", e.covariances()).put("weights", e.weights());
    }
}
