package dev.mixem.cli;

import dev.mixem.job.FitJob;

import dev.mixem.bench.TruthComparison;
import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.config.InvalidPolicy;
import dev.mixem.config.MissingPolicy;
import dev.mixem.data.Outputs;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.data.InputSpec;
import dev.mixem.model.MixtureModel;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate sample data, fit it and score it, all under one directory (the README's first command).")
final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static final String DEFAULT_OUTPUT = "target/demo";

    @Option(names = "--output", defaultValue = DEFAULT_OUTPUT, paramLabel = "DIR",
            description = "Where data, model and predictions go (default: ${DEFAULT-VALUE}, which each run replaces;"
                    + " another directory must not hold an earlier demo unless --overwrite is given).")
    String output;

    @Option(names = "--overwrite", description = "Replace an earlier demo in --output (never a file the demo did not write).")
    boolean overwrite;

    @Option(names = "--rows", defaultValue = "200000", description = "Rows to generate (default: ${DEFAULT-VALUE}).")
    long rows;

    @Option(names = "--dim", defaultValue = "5", description = "Features (default: ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--k", defaultValue = "4", description = "Components (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        // target/demo is the project's scratch space: the demo replaces its own earlier run there.
        boolean replace = overwrite || !spec.commandLine().getParseResult().hasMatchedOption("--output");
        SparkSession spark = Spark.session("demo");
        try {
            Outputs.claim(spark.sparkContext().hadoopConfiguration(), output, Outputs.Kind.DEMO, replace);
            String dir = output.replaceAll("(?<=.)/+$", "");
            String data = dir + "/data.csv";
            double separation = 5;
            GaussianParams truth = GenerateCommand.write(spark, CovarianceType.FULL, rows, dim, k, seed, data, "csv",
                    0, separation, 0.0, replace);
            FitConfig cfg = FitConfig.defaults(k).withSeed(seed);
            MixtureModel m = FitJob.run(spark, InputSpec.of(data), cfg, null, dir + "/model",
                    InvalidPolicy.FAIL, MissingPolicy.MARGINALIZE, null, replace);
            PredictCommand.run(spark, m, new InputSpec(data, null, m.featureNames(), null, null, 0),
                    dir + "/predictions.parquet", "parquet", replace, true, false);
            TruthComparison c = TruthComparison.of(truth, m.gaussian(), m.summary().rows());
            System.out.println(c.describe());
            System.out.println("the model is " + dir + "/model/model.json, the truth " + data + ".truth.json");
        } finally {
            Spark.stop(spark);
        }
        return 0;
    }
}
