package dev.mixem.data;

import java.util.List;
import java.util.Objects;

/**
 * Where the rows come from and which columns are features.
 *
 * @param path        file or directory (any Hadoop file system)
 * @param format      null to take it from the path's extension
 * @param featureCols explicit scalar feature columns, or empty for every numeric column
 * @param featuresCol a vector column to use as the features, or null
 * @param weightCol   a non-negative numeric column of row weights, or null
 * @param partitions  number of partitions to spread the rows over (keeping input order), or 0 to keep the
 *                    reader's partitioning
 */
public record InputSpec(String path, InputFormat format, List<String> featureCols, String featuresCol,
                        String weightCol, int partitions) {

    public InputSpec {
        Objects.requireNonNull(path, "path");
        featureCols = featureCols == null ? List.of() : List.copyOf(featureCols);
        if (!featureCols.isEmpty() && featuresCol != null) {
            throw new IllegalArgumentException("give either --feature-cols or --features-col, not both");
        }
        if (partitions < 0) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
    }

    public static InputSpec of(String path) {
        return new InputSpec(path, null, List.of(), null, null, 0);
    }

    public InputFormat effectiveFormat() {
        return format != null ? format : InputFormat.fromPath(path);
    }

    public InputSpec withPartitions(int p) {
        return new InputSpec(path, format, featureCols, featuresCol, weightCol, p);
    }

    public InputSpec withFeatureCols(List<String> cols) {
        return new InputSpec(path, format, cols, featuresCol, weightCol, partitions);
    }

    public InputSpec withWeightCol(String col) {
        return new InputSpec(path, format, featureCols, featuresCol, col, partitions);
    }
}
