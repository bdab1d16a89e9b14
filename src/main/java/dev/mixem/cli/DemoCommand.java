package dev.mixem.cli;

import dev.mixem.job.FitJob;

import dev.mixem.config.FitConfig;
import dev.mixem.data.InputSpec;
import dev.mixem.model.GaussianMixtureModel;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate sample data, fit it and score it, all under one directory (the README's first command).")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--output", defaultValue = "target/demo", paramLabel = "DIR",
            description = "Where data, model and predictions go (default: ${DEFAULT-VALUE}).")
    String output;

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
        SparkSession spark = Spark.session("demo");
        try {
            String data = output + "/data.csv";
            GenerateCommand.write(spark, rows, dim, k, seed, data, "csv", 0, 5);
            FitConfig cfg = FitConfig.defaults(k).withSeed(seed);
            GaussianMixtureModel m = FitJob.run(spark, InputSpec.of(data), cfg, null, output + "/model");
            PredictCommand.run(spark, m, new InputSpec(data, null, m.featureNames(), null, null, 0),
                    output + "/predictions.parquet");
            System.out.println("compare the fitted model (" + output + "/model/model.json) with the truth ("
                    + data + ".truth.json)");
        } finally {
            spark.stop();
        }
        return 0;
    }
}
