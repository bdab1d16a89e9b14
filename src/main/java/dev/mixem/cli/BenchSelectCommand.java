package dev.mixem.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mixem.bench.SelectBenchmark;
import dev.mixem.config.CovarianceType;
import dev.mixem.data.InputSpec;
import dev.mixem.data.Outputs;
import dev.mixem.job.LogProgress;
import dev.mixem.select.KList;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench-select", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time select's lock-step batch against the same candidates fitted one by one: per iteration on"
                + " cached rows, and end to end (one select against the separate fit runs, each reading the input).")
final class BenchSelectCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    InputOptions input;

    @Option(names = "--k", defaultValue = "1..10", paramLabel = "KS", description = "Component counts (default: ${DEFAULT-VALUE}).")
    String ks;

    @Option(names = "--covariance", split = ",", defaultValue = "full,diag", paramLabel = "TYPES",
            description = "Covariance structures (default: ${DEFAULT-VALUE}).")
    List<String> covariances;

    @Option(names = "--iterations", defaultValue = "5", description = "EM iterations per candidate in the per-iteration timing (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--rounds", defaultValue = "2", description = "Alternating rounds of the per-iteration timing (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-fits", description = "Leave out the end-to-end timing of select against the separate fits.")
    boolean noFits;

    @Mixin
    JsonOutput output;

    @Override
    public Integer call() throws Exception {
        SelectBenchmark.Options o;
        try {
            List<CovarianceType> types = new ArrayList<>();
            for (String c : covariances) {
                types.add(CovarianceType.parse(c));
            }
            if (iterations < 1 || rounds < 1) {
                throw new IllegalArgumentException("iterations and rounds must be >= 1");
            }
            InputSpec in = input.spec();
            in.effectiveFormat();
            o = new SelectBenchmark.Options(in, KList.parse(ks), types, iterations, rounds, seed, !noFits);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        SparkSession spark = Spark.session("bench-select");
        try {
            Outputs.Target outputFile = output.claim(spark);
            SelectBenchmark.Result r = SelectBenchmark.run(spark, o, LogProgress.LOG::info);
            System.out.printf(Locale.ROOT, "%n%d rows x %d features, %d partitions, %d candidates (k %s x %s)%n", r.rows(),
                    r.dim(), r.partitions(), r.candidates(), ks, String.join(",", covariances));
            System.out.printf(Locale.ROOT, "per iteration: lock-step %.4f s, candidates one by one %.4f s summed:"
                    + " ratio %.3f%n", r.batchPerIteration(), r.separatePerIteration(), r.iterationRatio());
            if (!noFits) {
                System.out.printf(Locale.ROOT, "end to end: one select %.1f s (%d passes), %d separate fits %.1f s:"
                        + " ratio %.3f%n", r.selectSeconds(), r.selectPasses(), r.candidates(), r.fitsSeconds(),
                        r.wallRatio());
            }
            if (outputFile != null) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("input", o.input().path());
                m.put("rows", r.rows());
                m.put("features", r.dim());
                m.put("partitions", r.partitions());
                m.put("cores", spark.sparkContext().defaultParallelism());
                m.put("k", ks);
                m.put("covariance", covariances);
                m.put("candidates", r.candidates());
                m.put("iterations", iterations);
                m.put("rounds", rounds);
                m.put("batchSecondsPerIteration", r.batchPerIteration());
                m.put("separateSecondsPerIterationSummed", r.separatePerIteration());
                m.put("iterationRatio", r.iterationRatio());
                if (!noFits) {
                    m.put("selectSeconds", r.selectSeconds());
                    m.put("selectPasses", r.selectPasses());
                    m.put("fitsSeconds", r.fitsSeconds());
                    m.put("wallRatio", r.wallRatio());
                }
                JsonOutput.write(outputFile, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(m));
            }
        } finally {
            Spark.stop(spark);
        }
        return 0;
    }
}
