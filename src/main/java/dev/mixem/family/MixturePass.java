package dev.mixem.family;

import dev.mixem.source.BlockPass;
import dev.mixem.source.BlockSource;
import dev.mixem.stats.MixtureStats;

/**
 * A family's E-step as a {@link BlockPass}: responsibilities under the broadcast scorer and the family's
 * statistics, one {@link EStep} (and its scratch) per task.
 */
public final class MixturePass<S extends MixtureStats<S>> implements BlockPass<S> {
    private static final long serialVersionUID = 1L;

    private final MixtureScorer<S> scorer;

    private MixturePass(MixtureScorer<S> scorer) {
        this.scorer = scorer;
    }

    public static <S extends MixtureStats<S>> MixturePass<S> of(MixtureScorer<S> scorer) {
        return new MixturePass<>(scorer);
    }

    @Override
    public S empty() {
        return scorer.emptyStats();
    }

    @Override
    public Accumulator<S> open() {
        EStep<S> step = new EStep<>(scorer);
        return step::accumulate;
    }

    /** One E-step pass over all rows of the source. */
    public static <S extends MixtureStats<S>> S eStep(BlockSource source, MixtureScorer<S> scorer,
                                                      String description) {
        return source.aggregate(of(scorer), description);
    }

    /** One E-step pass over the mini-batch of rows that a hash of (seed, global row index) picks. */
    public static <S extends MixtureStats<S>> S eStep(BlockSource source, MixtureScorer<S> scorer,
                                                      String description, double fraction, long seed) {
        return source.aggregate(of(scorer), description, fraction, seed);
    }
}
