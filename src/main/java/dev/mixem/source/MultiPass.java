package dev.mixem.source;

import dev.mixem.math.RowBlock;
import dev.mixem.stats.Mergeable;

import java.util.ArrayList;
import java.util.List;

/**
 * Several passes as one: one Spark job (one read of the cached blocks) serves them all. A task gathers its
 * blocks in groups of about {@link #GROUP_BYTES} and hands each group to each pass in turn. Each pass's statistics are computed exactly as they would
 * be alone (same blocks, same order, same merge), so the results are bit-for-bit those of separate passes.
 */
public final class MultiPass implements BlockPass<MultiPass.Stats> {
    private static final long serialVersionUID = 1L;

    /** A plain ArrayList: Kryo, which executors may deserialize broadcasts with, cannot rebuild List.of's. */
    private final ArrayList<BlockPass<?>> passes;

    public MultiPass(List<? extends BlockPass<?>> passes) {
        this.passes = new ArrayList<>(passes);
    }

    @Override
    public Stats empty() {
        List<Mergeable<?>> out = new ArrayList<>(passes.size());
        for (BlockPass<?> p : passes) {
            out.add(p.empty());
        }
        return new Stats(out);
    }

    /**
     * Blocks a task gathers before handing them to each pass in turn (pass-major within the group, so a
     * pass's kernels and scratch stay hot across the group's blocks). 0: every block to every pass at once.
     */
    static final long GROUP_BYTES = Long.getLong("mixem.multipass.groupBytes", 16L << 20);

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Accumulator<Stats> open() {
        List<Accumulator> accs = new ArrayList<>(passes.size());
        for (BlockPass<?> p : passes) {
            accs.add(p.open());
        }
        List<RowBlock> group = new ArrayList<>();
        long[] bytes = {0};
        return new Accumulator<>() {
            @Override
            public void add(RowBlock block, Stats into) {
                group.add(block);
                bytes[0] += block.isSparse() ? 12L * block.nonZeros.length : 8L * block.values.length;
                if (bytes[0] >= GROUP_BYTES) {
                    flush(into);
                }
            }

            @Override
            public void finish(Stats into) {
                flush(into);
                for (int i = 0; i < accs.size(); i++) {
                    accs.get(i).finish(into.parts.get(i));
                }
            }

            private void flush(Stats into) {
                for (int i = 0; i < accs.size(); i++) {
                    for (RowBlock b : group) {
                        accs.get(i).add(b, into.parts.get(i));
                    }
                }
                group.clear();
                bytes[0] = 0;
            }
        };
    }

    /** One statistic per pass, merged pass by pass. */
    public static final class Stats implements Mergeable<Stats> {
        private static final long serialVersionUID = 1L;
        private final List<Mergeable<?>> parts;

        Stats(List<Mergeable<?>> parts) {
            this.parts = new ArrayList<>(parts);
        }

        /** The statistic of the i-th pass. */
        @SuppressWarnings("unchecked")
        public <S extends Mergeable<S>> S part(int i) {
            return (S) parts.get(i);
        }

        public int size() {
            return parts.size();
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Stats mergeFrom(Stats other) {
            for (int i = 0; i < parts.size(); i++) {
                parts.set(i, (Mergeable<?>) ((Mergeable) parts.get(i)).mergeFrom(other.parts.get(i)));
            }
            return this;
        }

        @Override
        public Stats packed() {
            List<Mergeable<?>> out = new ArrayList<>(parts.size());
            for (Mergeable<?> m : parts) {
                out.add((Mergeable<?>) m.packed());
            }
            return new Stats(out);
        }

        @Override
        public Stats unpacked() {
            List<Mergeable<?>> out = new ArrayList<>(parts.size());
            for (Mergeable<?> m : parts) {
                out.add((Mergeable<?>) m.unpacked());
            }
            return new Stats(out);
        }
    }
}
