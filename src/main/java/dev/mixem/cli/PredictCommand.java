package dev.mixem.cli;

import dev.mixem.data.InputReader;
import dev.mixem.data.InputSpec;
import dev.mixem.data.ModelStore;
import dev.mixem.data.Outputs;
import dev.mixem.job.Predictor;
import dev.mixem.model.MixtureModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Score rows with a fitted model: the input columns plus prediction, probability, logLikelihood (and"
                + " imputed), as Parquet, CSV or JSON.")
final class PredictCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory (from fit).")
    String model;

    @Option(names = "--input", required = true, paramLabel = "PATH", description = "Rows to score.")
    String input;

    @Option(names = "--output", required = true, paramLabel = "PATH",
            description = "Output directory; it must not exist unless --overwrite is given.")
    String output;

    @Option(names = "--output-format", defaultValue = "parquet", paramLabel = "FORMAT",
            description = "parquet (vector columns), csv (one column per component probability, probability_0, ...,"
                    + " and per imputed feature, imputed_NAME; other vector columns as text) or json (vectors as"
                    + " arrays) (default: ${DEFAULT-VALUE}).")
    String outputFormat;

    @Option(names = "--overwrite", description = "Replace the output if it exists. Only an earlier output is replaced:"
            + " a directory holding files other than Spark's part files is never deleted.")
    boolean overwrite;

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
        String outFormat = outputFormat.toLowerCase(Locale.ROOT);
        try {
            if (!List.of("parquet", "csv", "json").contains(outFormat)) {
                throw new IllegalArgumentException("--output-format must be parquet, csv or json, not " + outputFormat);
            }
            allowMissing = dev.mixem.config.MissingPolicy.parse(missing) == dev.mixem.config.MissingPolicy.MARGINALIZE;
            fmt = format == null ? dev.mixem.data.InputFormat.fromPath(input) : dev.mixem.data.InputFormat.parse(format);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        SparkSession spark = Spark.session("predict");
        try {
            MixtureModel m = ModelStore.load(spark.sparkContext().hadoopConfiguration(), model);
            run(spark, m, new InputSpec(input, fmt, m.featuresCol() == null ? m.inputColumns() : List.of(),
                    m.featuresCol(), null, 0), output, outFormat, overwrite, allowMissing, impute);
        } finally {
            Spark.stop(spark);
        }
        return 0;
    }

    static long run(SparkSession spark, MixtureModel m, InputSpec in, String output) {
        return run(spark, m, in, output, "parquet", false, true, false);
    }

    static long run(SparkSession spark, MixtureModel m, InputSpec in, String output, boolean allowMissing,
                    boolean impute) {
        return run(spark, m, in, output, "parquet", false, allowMissing, impute);
    }

    /** Scores the input and writes it to {@code output} in {@code format}, under {@link Outputs}' save modes. */
    static long run(SparkSession spark, MixtureModel m, InputSpec in, String output, String format,
                    boolean overwrite, boolean allowMissing, boolean impute) {
        Outputs.Target target = Outputs.claim(spark.sparkContext().hadoopConfiguration(), output,
                Outputs.Kind.DATASET, overwrite);
        InputReader.Loaded loaded = InputReader.read(spark, in);
        spark.sparkContext().setJobDescription("mixem: predict");
        org.apache.spark.util.LongAccumulator unseen = spark.sparkContext().longAccumulator("mixem unseen levels");
        Dataset<Row> scored = Predictor.forFormat(Predictor.predict(m, loaded, allowMissing, impute, unseen), format,
                m.params().k(), m.featureNames());
        target.write(tmp -> {
            var writer = scored.write().mode(SaveMode.ErrorIfExists).format(format);
            if (format.equals("csv")) {
                writer = writer.option("header", "true");
            }
            writer.save(tmp);
        });
        long n = spark.read().format(format).option("header", "true").load(target.path()).count();
        System.out.printf(Locale.ROOT, "wrote %d scored rows to %s as %s (columns: input, %s, %s, %s%s)%n", n, output,
                format,
                Predictor.PREDICTION, Predictor.PROBABILITY, Predictor.LOG_LIKELIHOOD,
                impute ? ", " + Predictor.IMPUTED : "");
        if (unseen.value() > 0) {
            System.out.printf(Locale.ROOT, "%d categorical values had a level the model was not fitted with; they"
                    + " were scored as missing%n", unseen.value());
        }
        return n;
    }
}
