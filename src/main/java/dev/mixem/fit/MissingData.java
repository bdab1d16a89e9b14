package dev.mixem.fit;

import dev.mixem.math.RowBlock;
import dev.mixem.math.Seeds;

/**
 * Block transformations for studying missing data: cells removed completely at random (MCAR), and the two
 * common work-arounds that marginalizing EM is compared with, complete-case deletion and per-feature mean
 * imputation.
 */
public final class MissingData {

    private MissingData() {
    }

    /**
     * The block with each cell made missing (NaN) independently with probability {@code fraction}, decided
     * by a hash of (seed, firstRow + i, j): the same cells whatever the blocking, for blocks whose firstRow
     * is a global row index.
     */
    public static RowBlock removeCompletelyAtRandom(RowBlock b, double fraction, long seed) {
        int n = b.rows;
        double[] v = b.values.clone();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < b.dim; j++) {
                if (Seeds.uniform(seed, b.firstRow + i, j) < fraction) {
                    v[i + j * n] = Double.NaN;
                }
            }
        }
        return new RowBlock(n, b.dim, b.firstRow, v, b.weights == null ? null : b.weights.clone(), b.skipped);
    }

    /** The rows of the block without any missing cell. */
    public static RowBlock completeCases(RowBlock b) {
        int n = b.rows;
        int kept = 0;
        for (int i = 0; i < n; i++) {
            kept += b.rowHasMissing(i) ? 0 : 1;
        }
        double[] v = new double[kept * b.dim];
        double[] w = b.weights == null ? null : new double[kept];
        int t = 0;
        for (int i = 0; i < n; i++) {
            if (b.rowHasMissing(i)) {
                continue;
            }
            for (int j = 0; j < b.dim; j++) {
                v[t + j * kept] = b.values[i + j * n];
            }
            if (w != null) {
                w[t] = b.weights[i];
            }
            t++;
        }
        return new RowBlock(kept, b.dim, b.firstRow, v, w, b.skipped);
    }

    /** The block with every missing cell replaced by {@code fill[j]} of its feature. */
    public static RowBlock imputed(RowBlock b, double[] fill) {
        int n = b.rows;
        double[] v = b.values.clone();
        for (int j = 0; j < b.dim; j++) {
            for (int i = 0; i < n; i++) {
                if (Double.isNaN(v[i + j * n])) {
                    v[i + j * n] = fill[j];
                }
            }
        }
        return new RowBlock(n, b.dim, b.firstRow, v, b.weights == null ? null : b.weights.clone(), b.skipped);
    }
}
