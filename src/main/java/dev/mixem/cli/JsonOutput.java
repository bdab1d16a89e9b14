package dev.mixem.cli;

import dev.mixem.data.Outputs;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/** The benchmark commands' {@code --output FILE.json [--overwrite]}, under {@link Outputs}' save modes. */
final class JsonOutput {
    @Option(names = "--output", paramLabel = "FILE.json",
            description = "Write the numbers as JSON; the file must not exist unless --overwrite is given.")
    String output;

    @Option(names = "--overwrite", description = "Replace the --output file if it exists.")
    boolean overwrite;

    /** Checks the path before the work (null without --output). */
    Outputs.Target claim(SparkSession spark) {
        return output == null ? null
                : Outputs.claim(spark.sparkContext().hadoopConfiguration(), output, Outputs.Kind.FILE, overwrite);
    }

    /** Writes the JSON to a claimed target, if any, and says so. */
    static void write(Outputs.Target target, String json) {
        if (target != null) {
            target.writeString(json);
            System.out.println("wrote " + target.path());
        }
    }
}
