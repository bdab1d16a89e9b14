package dev.mixem.cli;

import dev.mixem.data.InputFormat;
import dev.mixem.data.InputSpec;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** Options naming the input rows, shared by the subcommands that read data. */
final class InputOptions {
    @Option(names = "--input", required = true, paramLabel = "PATH",
            description = "Input file or directory (any Hadoop file system).")
    String path;

    @Option(names = "--format", paramLabel = "FMT",
            description = "csv, parquet, libsvm or orc (default: from the file extension).")
    String format;

    @Option(names = "--feature-cols", split = ",", paramLabel = "COLS",
            description = "Comma-separated feature columns (default: every numeric column).")
    List<String> featureCols = new ArrayList<>();

    @Option(names = "--features-col", paramLabel = "NAME", description = "A vector column holding the features.")
    String featuresCol;

    @Option(names = "--weight-col", paramLabel = "NAME", description = "A non-negative numeric column of row weights.")
    String weightCol;

    @Option(names = "--partitions", paramLabel = "P", defaultValue = "0",
            description = "Spread the rows over P partitions, keeping input order (default: as read).")
    int partitions;

    InputSpec spec() {
        return new InputSpec(path, format == null ? null : InputFormat.parse(format), featureCols, featuresCol,
                weightCol, partitions);
    }
}
