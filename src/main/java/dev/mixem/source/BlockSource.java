package dev.mixem.source;

import dev.mixem.stats.Mergeable;

/**
 * Rows held as blocks somewhere (a Spark cluster, or local memory) that the fitters make passes over. A
 * source runs any {@link BlockPass} (a family's E-step, initialization's passes) and returns its merged
 * statistics, and draws seeded samples of its rows; it knows no family and no algorithm. The fitters only ever see merged statistics, so the same driver loop runs
 * on both kinds of source, and the Spark and local sources differ only in how they run a pass.
 */
public interface BlockSource {

    int dim();

    long rows();

    /** Σ of row weights (the number of rows when unweighted). */
    double totalWeight();

    /**
     * Whether the blocks are sparse ({@link dev.mixem.math.RowBlock#isSparse()}): only the kernels of
     * families whose features are independent given the component read them.
     */
    default boolean sparse() {
        return false;
    }

    /**
     * Per feature, the weighted mean of its observed (non-missing) cells: what initialization fills missing
     * cells with before it measures distances.
     */
    double[] observedMeans();

    /**
     * One distributed pass: the pass's statistics over every row, merged in a fixed order (partition by
     * partition), whatever ran where or was retried.
     */
    default <S extends Mergeable<S>> S aggregate(BlockPass<S> pass, String description) {
        return aggregate(pass, description, 1.0, 0);
    }

    /**
     * The pass over a mini-batch: the rows that {@link #sample} with this fraction and seed would pick (all
     * rows with fraction ≥ 1), drawn on the executors without collecting data to the driver.
     */
    <S extends Mergeable<S>> S aggregate(BlockPass<S> pass, String description, double fraction, long seed);

    /**
     * Rows chosen independently with probability {@code fraction} by a hash of (seed, global row index), in
     * input order: the same rows whatever the partitioning.
     */
    Sample sample(double fraction, long seed);

    /** A sample of rows (row-major, missing cells NaN) with their weights. */
    record Sample(double[][] rows, double[] weights) {
        /** The same rows with every missing cell replaced by {@code fill[j]} of its feature. */
        public Sample filled(double[] fill) {
            double[][] out = new double[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                out[i] = fillRow(rows[i], fill);
            }
            return new Sample(out, weights);
        }
    }

    /** The row, or a copy with its missing (NaN) cells replaced by {@code fill}. */
    static double[] fillRow(double[] row, double[] fill) {
        double[] out = row;
        for (int j = 0; j < row.length; j++) {
            if (Double.isNaN(row[j])) {
                if (out == row) {
                    out = row.clone();
                }
                out[j] = fill[j];
            }
        }
        return out;
    }

    /**
     * Weighted means of the observed cells of each feature over the blocks (sums then division), failing
     * for a feature with no observed cell of positive weight.
     */
    static double[] observedMeans(Iterable<dev.mixem.math.RowBlock> blocks, int dim) {
        double[] sum = new double[dim];
        double[] weight = new double[dim];
        for (dev.mixem.math.RowBlock b : blocks) {
            addObserved(b, sum, weight);
        }
        return means(sum, weight, null);
    }

    /** Adds Σ w x and Σ w over the observed cells of each feature of the block. */
    static void addObserved(dev.mixem.math.RowBlock b, double[] sum, double[] weight) {
        if (b.isSparse()) {
            // Every cell is observed: the zeros add weight, the non-zeros their values too.
            double total = 0;
            for (int i = 0; i < b.rows; i++) {
                double w = b.weight(i);
                total += w;
                for (int t = b.rowStart[i]; t < b.rowStart[i + 1]; t++) {
                    sum[b.cols[t]] += w * b.nonZeros[t];
                }
            }
            for (int j = 0; j < b.dim; j++) {
                weight[j] += total;
            }
            return;
        }
        for (int j = 0; j < b.dim; j++) {
            int col = j * b.rows;
            for (int i = 0; i < b.rows; i++) {
                double v = b.values[col + i];
                if (v == v) {
                    double w = b.weight(i);
                    sum[j] += w * v;
                    weight[j] += w;
                }
            }
        }
    }

    /** sum / weight per feature; a feature without observed weight is an error naming it. */
    static double[] means(double[] sum, double[] weight, java.util.List<String> names) {
        double[] out = new double[sum.length];
        for (int j = 0; j < sum.length; j++) {
            if (!(weight[j] > 0)) {
                String name = names != null && j < names.size() ? "'" + names.get(j) + "'" : String.valueOf(j);
                throw new IllegalArgumentException("feature " + name
                        + " has no observed value (every cell is missing or has zero weight); leave it out of the features");
            }
            out[j] = sum[j] / weight[j];
        }
        return out;
    }
}
