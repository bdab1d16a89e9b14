package dev.mixem.family;

import dev.mixem.source.BlockPass;
import dev.mixem.source.BlockSource;
import dev.mixem.stats.GaussianStats;

/**
 * The Gaussian family's E-step as a {@link BlockPass}: responsibilities under the broadcast scorer and the
 * statistics centred on its means, one {@link GaussianEStep} (and its scratch) per task.
 */
public final class GaussianPass implements BlockPass<GaussianStats> {
    private static final long serialVersionUID = 1L;

    private final GaussianScorer scorer;

    private GaussianPass(GaussianScorer scorer) {
        this.scorer = scorer;
    }

    public static GaussianPass of(GaussianScorer scorer) {
        return new GaussianPass(scorer);
    }

    @Override
    public GaussianStats empty() {
        return GaussianStats.empty(scorer.k, scorer.d, scorer.type);
    }

    @Override
    public Accumulator<GaussianStats> open() {
        GaussianEStep step = new GaussianEStep(scorer.k, scorer.d, scorer.type);
        return (block, into) -> step.accumulate(scorer, block, into);
    }

    /** One E-step pass over all rows of the source. */
    public static GaussianStats eStep(BlockSource source, GaussianParams params, String description) {
        return source.aggregate(of(params.scorer()), description);
    }

    /** One E-step pass over the mini-batch of rows that a hash of (seed, global row index) picks. */
    public static GaussianStats eStep(BlockSource source, GaussianParams params, String description, double fraction,
                                      long seed) {
        return source.aggregate(of(params.scorer()), description, fraction, seed);
    }
}
