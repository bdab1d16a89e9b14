package dev.mixem.stats;

import java.io.Serializable;

/**
 * A statistic that can absorb another of the same kind. Merging must be elementwise addition (or another
 * associative, commutative operation up to rounding) with the empty statistic as identity, so that any split
 * of the rows into partitions gives the same result up to rounding.
 */
public interface Mergeable<T extends Mergeable<T>> extends Serializable {
    /** Adds {@code other} into this statistic and returns this. {@code other} is left unchanged. */
    T mergeFrom(T other);

    /**
     * The form in which the statistic travels from an executor (smaller where it can be, e.g. a symmetric
     * matrix as its triangle); {@link #unpacked} restores it bit for bit. Only unpacked statistics merge.
     */
    @SuppressWarnings("unchecked")
    default T packed() {
        return (T) this;
    }

    /** The statistic as it was before {@link #packed}. */
    @SuppressWarnings("unchecked")
    default T unpacked() {
        return (T) this;
    }
}
