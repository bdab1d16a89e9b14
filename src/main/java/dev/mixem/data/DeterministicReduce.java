package dev.mixem.data;

import dev.mixem.stats.Mergeable;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * Merges one statistic per partition in a fixed order (partition index), so the result is bit-for-bit the
 * same whichever executor finished first and however often a task was retried. Spark's own
 * {@code treeAggregate} merges in completion order, which changes the rounding from run to run.
 * <p>
 * Up to {@code fanIn} partitions are collected and merged on the driver; beyond that, groups of
 * {@code fanIn} consecutive partitions are merged on the executors first (sorted by partition index inside
 * each group), so the driver receives at most about P / fanIn statistics. Statistics travel
 * {@link Mergeable#packed} and are unpacked before they merge.
 */
public final class DeterministicReduce {
    public static final int DEFAULT_FAN_IN = 32;

    private DeterministicReduce() {
    }

    /** @param perPartition an RDD with exactly one element per partition */
    public static <T extends Mergeable<T>> T reduce(JavaRDD<T> perPartition, int fanIn) {
        int p = perPartition.getNumPartitions();
        if (p <= fanIn) {
            return mergeInOrder(perPartition.map(Mergeable::packed).collect());
        }
        int groups = (p + fanIn - 1) / fanIn;
        JavaPairRDD<Integer, Tuple2<Integer, T>> keyed = perPartition.map(Mergeable::packed).mapPartitionsWithIndex(
                (idx, it) -> tagged(idx, it, fanIn), true).mapToPair(t -> t);
        List<Tuple2<Integer, T>> merged = new ArrayList<>(keyed.groupByKey(new HashPartitioner(groups))
                .mapValues(DeterministicReduce::mergeSorted)
                .collect());
        merged.sort(Comparator.comparing(Tuple2::_1));
        List<T> ordered = new ArrayList<>();
        for (Tuple2<Integer, T> t : merged) {
            ordered.add(t._2());
        }
        return mergeInOrder(ordered);
    }

    private static <T> Iterator<Tuple2<Integer, Tuple2<Integer, T>>> tagged(int idx, Iterator<T> it, int fanIn) {
        List<Tuple2<Integer, Tuple2<Integer, T>>> out = new ArrayList<>(1);
        while (it.hasNext()) {
            out.add(new Tuple2<>(idx / fanIn, new Tuple2<>(idx, it.next())));
        }
        return out.iterator();
    }

    private static <T extends Mergeable<T>> T mergeSorted(Iterable<Tuple2<Integer, T>> group) {
        List<Tuple2<Integer, T>> items = new ArrayList<>();
        group.forEach(items::add);
        items.sort(Comparator.comparing(Tuple2::_1));
        List<T> ordered = new ArrayList<>();
        for (Tuple2<Integer, T> t : items) {
            ordered.add(t._2());
        }
        return mergeInOrder(ordered).packed();
    }

    private static <T extends Mergeable<T>> T mergeInOrder(List<T> items) {
        if (items.isEmpty()) {
            throw new IllegalStateException("no partitions to merge");
        }
        T acc = items.get(0).unpacked();
        for (int i = 1; i < items.size(); i++) {
            acc = acc.mergeFrom(items.get(i).unpacked());
        }
        return acc;
    }
}
