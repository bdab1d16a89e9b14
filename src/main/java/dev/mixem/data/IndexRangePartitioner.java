package dev.mixem.data;

import org.apache.spark.Partitioner;

/**
 * Sends row g (its global index in input order) to partition g / ceil(total / P): consecutive ranges of
 * rows, so spreading rows over P partitions keeps their order.
 */
final class IndexRangePartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;

    private final int partitions;
    private final long chunk;

    IndexRangePartitioner(long total, int partitions) {
        this.partitions = partitions;
        this.chunk = Math.max(1, (total + partitions - 1) / partitions);
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public int getPartition(Object key) {
        return (int) Math.min(partitions - 1, (Long) key / chunk);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IndexRangePartitioner p && p.partitions == partitions && p.chunk == chunk;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(chunk) * 31 + partitions;
    }
}
