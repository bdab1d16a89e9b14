package dev.mixem.source;

import dev.mixem.math.RowBlock;
import dev.mixem.stats.Mergeable;

import java.util.ArrayList;
import java.util.List;

/**
 * Several passes as one: every block is handed to each pass in turn while it is in cache, so one Spark job
 * (one read of the cached blocks) serves them all. Each pass's statistics are computed exactly as they would
 * be alone (same blocks, same order, same merge), so the results are bit-for-bit those of separate passes.
 */
public final class MultiPass implements BlockPass<MultiPass.Stats> {
    private static final long serialVersionUID = 1L;

    private final List<BlockPass<?>> passes;

    public MultiPass(List<? extends BlockPass<?>> passes) {
        this.passes = List.copyOf(passes);
    }

    @Override
    public Stats empty() {
        List<Mergeable<?>> out = new ArrayList<>(passes.size());
        for (BlockPass<?> p : passes) {
            out.add(p.empty());
        }
        return new Stats(out);
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Accumulator<Stats> open() {
        List<Accumulator> accs = new ArrayList<>(passes.size());
        for (BlockPass<?> p : passes) {
            accs.add(p.open());
        }
        return (RowBlock block, Stats into) -> {
            for (int i = 0; i < accs.size(); i++) {
                accs.get(i).add(block, into.parts.get(i));
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
