package dev.mixem.select;

import dev.mixem.source.BlockPass;
import dev.mixem.source.BlockSource;
import dev.mixem.source.MultiPass;
import dev.mixem.stats.Mergeable;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link BlockSource} shared by several fits that run in their own threads, so that they advance in
 * lock-step: a pass a fit asks for waits until every fit still running has asked for its own, then all of
 * them run as one {@link MultiPass} (one Spark job, each cached block read once and scored by every fit while
 * it is in cache). Each fit's statistics are those it would get alone. A fit that ends calls {@link #leave};
 * samples are drawn once per (fraction, seed) and shared.
 */
final class LockstepSource implements BlockSource {
    private final BlockSource inner;
    private final String label;
    private int live;
    private final List<Request<?>> pending = new ArrayList<>();
    private final Map<String, Sample> samples = new HashMap<>();
    private int jobs;
    private final java.util.function.Consumer<String> log;

    LockstepSource(BlockSource inner, int participants, String label) {
        this(inner, participants, label, m -> { });
    }

    /** @param log told of every lock-step pass (its number and how many candidates it serves) */
    LockstepSource(BlockSource inner, int participants, String label, java.util.function.Consumer<String> log) {
        this.inner = inner;
        this.live = participants;
        this.label = label;
        this.log = log;
    }

    private static final class Request<S extends Mergeable<S>> {
        final int participant;
        final BlockPass<S> pass;
        final double fraction;
        final long seed;
        S result;
        RuntimeException error;
        boolean done;

        Request(int participant, BlockPass<S> pass, double fraction, long seed) {
            this.participant = participant;
            this.pass = pass;
            this.fraction = fraction;
            this.seed = seed;
        }
    }

    /** The participant of the calling thread (set by the selection for each fit's thread). */
    static final ThreadLocal<Integer> PARTICIPANT = ThreadLocal.withInitial(() -> 0);

    @Override
    public <S extends Mergeable<S>> S aggregate(BlockPass<S> pass, String description, double fraction, long seed) {
        Request<S> r = new Request<>(PARTICIPANT.get(), pass, fraction, seed);
        synchronized (this) {
            pending.add(r);
            if (pending.size() >= live) {
                runPending();
            }
            while (!r.done) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the other candidates", e);
                }
            }
        }
        if (r.error != null) {
            throw r.error;
        }
        return r.result;
    }

    /** The calling fit has ended: the others no longer wait for it. */
    synchronized void leave() {
        live--;
        if (!pending.isEmpty() && pending.size() >= live) {
            runPending();
        }
    }

    /** Spark jobs run so far (one per lock-step pass). */
    synchronized int jobs() {
        return jobs;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void runPending() {
        pending.sort(java.util.Comparator.comparingInt(q -> q.participant));
        Map<String, List<Request<?>>> groups = new LinkedHashMap<>();
        for (Request<?> q : pending) {
            groups.computeIfAbsent(q.fraction + "/" + q.seed, x -> new ArrayList<>()).add(q);
        }
        for (List<Request<?>> g : groups.values()) {
            List<BlockPass<?>> passes = new ArrayList<>();
            for (Request<?> q : g) {
                passes.add(q.pass);
            }
            try {
                jobs++;
                MultiPass.Stats all = inner.aggregate(new MultiPass(passes),
                        label + ": one pass for " + g.size() + " candidate(s)", g.get(0).fraction, g.get(0).seed);
                for (int i = 0; i < g.size(); i++) {
                    ((Request) g.get(i)).result = all.part(i);
                }
                log.accept(label + ": pass " + jobs + " done for " + g.size() + " candidate(s)");
            } catch (Throwable e) {
                // Spark's job failures are checked exceptions that Scala throws undeclared: catch everything,
                // so that no candidate waits for a pass that will never come.
                PassFailedException failed = new PassFailedException(e);
                for (Request<?> q : g) {
                    q.error = failed;
                }
            }
        }
        for (Request<?> q : pending) {
            q.done = true;
        }
        pending.clear();
        notifyAll();
    }

    /** A lock-step pass failed as a whole (a Spark job failure): the selection stops, not one candidate. */
    static final class PassFailedException extends RuntimeException {
        PassFailedException(Throwable cause) {
            super("a pass over the data failed: " + cause, cause);
        }
    }

    @Override
    public synchronized Sample sample(double fraction, long seed) {
        return samples.computeIfAbsent(fraction + "/" + seed, x -> inner.sample(fraction, seed));
    }

    @Override
    public int dim() {
        return inner.dim();
    }

    @Override
    public long rows() {
        return inner.rows();
    }

    @Override
    public double totalWeight() {
        return inner.totalWeight();
    }

    @Override
    public double[] observedMeans() {
        return inner.observedMeans();
    }
}
