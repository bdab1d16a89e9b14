package dev.mixem.cli;

import dev.mixem.data.InputReader;
import dev.mixem.data.InputSpec;
import dev.mixem.data.ModelStore;
import dev.mixem.job.Predictor;
import dev.mixem.model.GaussianMixtureModel;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Score rows with a fitted model: the input columns plus prediction, probability, logLikelihood, as Parquet.")
final class PredictCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory (from fit).")
    String model;

    @Option(names = "--input", required = true, paramLabel = "PATH", description = "Rows to score.")
    String input;

    @Option(names = "--output", required = true, paramLabel = "PATH", description = "Parquet output (overwritten).")
    String output;

    @Option(names = "--format", description = "Input format: csv, parquet, libsvm or orc (default: from the extension).")
    String format;

    @Option(names = "--missing", defaultValue = "marginalize",
            description = "marginalize: score rows with missing cells on their observed cells; fail: a missing cell is an error (default: ${DEFAULT-VALUE}).")
    String missing;

    @Option(names = "--impute", description = "Also write 'imputed': each row with its missing cells replaced by their conditional mean under the model.")
    boolean impute;

    @Override
    public Integer call() {
        dev.mixem.data.InputFormat fmt;
        boolean allowMissing;
        try {
            allowMissing = dev.mixem.config.MissingPolicy.parse(missing) == dev.mixem.config.MissingPolicy.MARGINALIZE;
            fmt = format == null ? dev.mixem.data.InputFormat.fromPath(input) : dev.mixem.data.InputFormat.parse(format);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        SparkSession spark = Spark.session("predict");
        try {
            GaussianMixtureModel m = ModelStore.load(spark.sparkContext().hadoopConfiguration(), model);
            run(spark, m, new InputSpec(input, fmt, m.featuresCol() == null ? m.featureNames() : List.of(),
                    m.featuresCol(), null, 0), output, allowMissing, impute);
        } finally {
            spark.stop();
        }
        return 0;
    }

    static long run(SparkSession spark, GaussianMixtureModel m, InputSpec in, String output) {
        return run(spark, m, in, output, true, false);
    }

    static long run(SparkSession spark, GaussianMixtureModel m, InputSpec in, String output, boolean allowMissing,
                    boolean impute) {
        InputReader.Loaded loaded = InputReader.read(spark, in);
        spark.sparkContext().setJobDescription("mixem: predict");
        Predictor.predict(m, loaded, allowMissing, impute).write().mode(SaveMode.Overwrite).parquet(output);
        long n = spark.read().parquet(output).count();
        System.out.printf(Locale.ROOT, "wrote %d scored rows to %s (columns: input, %s, %s, %s%s)%n", n, output,
                Predictor.PREDICTION, Predictor.PROBABILITY, Predictor.LOG_LIKELIHOOD,
                impute ? ", " + Predictor.IMPUTED : "");
        return n;
    }
}
