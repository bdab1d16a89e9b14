package dev.mixem.source;

import dev.mixem.math.RowBlock;
import dev.mixem.math.Seeds;
import dev.mixem.stats.Mergeable;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows in local memory, as blocks: the same passes as on Spark, in one thread, for data that fits on one
 * machine and for tests of the driver loops.
 */
public final class LocalBlockSource implements BlockSource {
    private final List<RowBlock> blocks;
    private final int dim;
    private final long rows;
    private final double totalWeight;
    private double[] observedMeans;

    public LocalBlockSource(List<RowBlock> blocks) {
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("no rows");
        }
        this.blocks = List.copyOf(blocks);
        this.dim = blocks.get(0).dim;
        long n = 0;
        double w = 0;
        for (RowBlock b : blocks) {
            if (b.dim != dim) {
                throw new IllegalArgumentException("blocks of dimension " + b.dim + " and " + dim);
            }
            n += b.rows;
            for (int i = 0; i < b.rows; i++) {
                w += b.weight(i);
            }
        }
        this.rows = n;
        this.totalWeight = w;
    }

    /** Splits row-major rows (and optional weights) into blocks of at most {@code blockRows} rows. */
    public static LocalBlockSource of(double[][] data, double[] weights, int blockRows) {
        List<RowBlock> out = new ArrayList<>();
        for (int start = 0; start < data.length; start += blockRows) {
            int end = Math.min(data.length, start + blockRows);
            double[][] part = java.util.Arrays.copyOfRange(data, start, end);
            double[] w = weights == null ? null : java.util.Arrays.copyOfRange(weights, start, end);
            out.add(RowBlock.ofRows(part, w, start));
        }
        return new LocalBlockSource(out);
    }

    public List<RowBlock> blocks() {
        return blocks;
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public long rows() {
        return rows;
    }

    @Override
    public double totalWeight() {
        return totalWeight;
    }

    @Override
    public double[] observedMeans() {
        if (observedMeans == null) {
            observedMeans = BlockSource.observedMeans(blocks, dim);
        }
        return observedMeans.clone();
    }

    @Override
    public <S extends Mergeable<S>> S aggregate(BlockPass<S> pass, String description, double fraction, long seed) {
        BlockPass.Accumulator<S> acc = pass.open();
        S stats = pass.empty();
        for (RowBlock b : blocks) {
            acc.add(b.sample(fraction, seed, 0), stats);
        }
        acc.finish(stats);
        return stats;
    }

    @Override
    public Sample sample(double fraction, long seed) {
        List<double[]> picked = new ArrayList<>();
        List<Double> w = new ArrayList<>();
        for (RowBlock b : blocks) {
            for (int i = 0; i < b.rows; i++) {
                if (Seeds.uniform(seed, b.firstRow + i) < fraction) {
                    double[] r = new double[dim];
                    b.row(i, r);
                    picked.add(r);
                    w.add(b.weight(i));
                }
            }
        }
        return new Sample(picked.toArray(new double[0][]), w.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
