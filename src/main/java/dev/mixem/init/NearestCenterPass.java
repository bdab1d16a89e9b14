package dev.mixem.init;

import dev.mixem.config.CovarianceType;
import dev.mixem.family.GaussianEStep;
import dev.mixem.source.BlockPass;
import dev.mixem.stats.GaussianStats;

/**
 * Initialization's hard-assignment pass: every row to its nearest center, then the statistics of those
 * clusters centred on the centers, from which one M-step gives the initial parameters.
 */
final class NearestCenterPass implements BlockPass<GaussianStats> {
    private static final long serialVersionUID = 1L;

    private final double[] centers;
    private final int k;
    private final int d;
    private final CovarianceType type;

    NearestCenterPass(double[] centers, int k, int d, CovarianceType type) {
        this.centers = centers;
        this.k = k;
        this.d = d;
        this.type = type;
    }

    @Override
    public GaussianStats empty() {
        return GaussianStats.empty(k, d, type);
    }

    @Override
    public Accumulator<GaussianStats> open() {
        GaussianEStep step = new GaussianEStep(k, d, type);
        return (block, into) -> step.accumulateNearest(centers, block, into);
    }
}
