package dev.mixem.family;

import dev.mixem.math.RowBlock;
import dev.mixem.stats.MixtureStats;

/**
 * A family's E-step arithmetic on chunks of a block's rows, called by the generic {@link EStep} once per
 * chunk (never per row): the log-densities log p(x, z=c) of a chunk, then the chunk's statistics for the
 * responsibilities that the E-step derived from them. Both calls see the same chunk, so a kernel can keep what
 * the first computed (the Gaussian full kernel keeps its whitened rows for one {@code syrk}). One instance
 * per task, bound to one broadcast form, owning its scratch space; not thread-safe.
 * <p>
 * A kernel may present a block's rows in its own order (the missing-cell kernel groups rows by pattern):
 * {@link #rowWeights} and {@link #sourceRow} then follow that order; statistics are sums over rows, so the
 * order changes only the order of summation.
 *
 * @param <S> the family's statistics
 */
public interface ChunkKernel<S extends MixtureStats<S>> {

    /** Rows per chunk for a block of n rows (n: the whole block in one chunk). */
    int chunkRows(int n);

    /** Called once per block before its chunks (resets per-block sums, may reorder the rows). */
    default void beginBlock(RowBlock b) {
    }

    /** The row weights in the kernel's row order, or null when every weight is 1. */
    default double[] rowWeights(RowBlock b) {
        return b.weights;
    }

    /** The block row at position i of the kernel's row order (for error messages). */
    default int sourceRow(int i) {
        return i;
    }

    /** log p(x_i, z=c) of rows [r0, r0 + m), in the kernel's order, into {@code logp[c*m + i]}. */
    void logJoint(RowBlock b, int r0, int m, double[] logp);

    /**
     * Adds the statistics of rows [r0, r0 + m) for their weighted responsibilities {@code resp[c*m + i]}
     * (w_i r_ic), right after {@link #logJoint} of the same chunk.
     */
    void accumulate(RowBlock b, int r0, int m, double[] resp, S into);

    /** Called once per block after its chunks (moves per-block sums into the statistics). */
    default void endBlock(S into) {
    }

    /** log p(x_i, z=c) of every row of the block, in input order, into {@code out[i + c*n]}. */
    void blockLogJoint(RowBlock b, double[] out);
}
