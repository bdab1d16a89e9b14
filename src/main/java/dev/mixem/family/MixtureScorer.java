package dev.mixem.family;

import dev.mixem.stats.MixtureStats;

import java.io.Serializable;

/**
 * A family's broadcast form: what the driver ships to the executors for one pass (final arrays,
 * serializable as they are), and the kernels that score rows with it. The generic {@link EStep} sends
 * blocks without missing cells to the complete kernel and blocks with missing cells to the missing-cell
 * kernel, which scores rows on their observed cells.
 *
 * @param <S> the family's statistics
 */
public interface MixtureScorer<S extends MixtureStats<S>> extends Serializable {

    /** Number of components. */
    int k();

    /** Number of features. */
    int dim();

    /** The identity of the statistics' merge, shaped for these parameters. */
    S emptyStats();

    /** A new kernel (with its own scratch) for blocks without missing cells. */
    ChunkKernel<S> completeKernel();

    /** A new kernel (with its own scratch) for blocks with missing cells. */
    ChunkKernel<S> missingKernel();

    /** A new imputer (with its own scratch) of missing cells under these parameters. */
    Imputer imputer();

    /**
     * A new kernel (with its own scratch) for sparse blocks ({@link dev.mixem.math.RowBlock#isSparse()}):
     * O(non-zeros · k) per block beyond a per-component score of the all-zero row. Only families whose
     * features are independent given the component have one.
     *
     * @throws UnsupportedOperationException for the others
     */
    default ChunkKernel<S> sparseKernel() {
        throw new UnsupportedOperationException("this family reads dense rows only");
    }
}
