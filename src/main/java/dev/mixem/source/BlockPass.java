package dev.mixem.source;

import dev.mixem.math.RowBlock;
import dev.mixem.stats.Mergeable;

import java.io.Serializable;

/**
 * What one distributed pass computes: a serializable description (broadcast to the executors as it is, so
 * a final class over arrays) that opens one accumulator per task, and the identity of its statistics. A
 * {@link BlockSource} runs it over every block (or a seeded mini-batch of rows) and merges the per-partition
 * statistics in a fixed order. The E-step of a family and the passes of initialization are passes; the
 * sources know nothing else about them.
 *
 * @param <S> the statistics, merged by addition
 */
public interface BlockPass<S extends Mergeable<S>> extends Serializable {

    /** The identity of the statistics' merge. */
    S empty();

    /** An accumulator for one task, owning its scratch space: called once per block, never per row. */
    Accumulator<S> open();

    /** Adds a block's contribution to the statistics. Not thread-safe. */
    @FunctionalInterface
    interface Accumulator<S> {
        void add(RowBlock block, S into);

        /** Called once after the task's last block, before its statistics are sent. */
        default void finish(S into) {
        }
    }
}
