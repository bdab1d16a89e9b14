package dev.mixem.init;

import dev.mixem.config.CovarianceType;
import dev.mixem.family.ChunkKernel;
import dev.mixem.family.MixtureScorer;
import dev.mixem.math.RowBlock;
import dev.mixem.source.BlockPass;
import dev.mixem.stats.MixtureStats;

/**
 * Initialization's pass for any family: every row assigned to its nearest center ({@link NearestCenterPass}'s
 * rule, missing cells included), and the family's statistics gathered for those hard responsibilities by the
 * family's own kernels, so that the family's M-step gives the initial parameters.
 */
public final class HardAssignPass<S extends MixtureStats<S>> implements BlockPass<S> {
    private static final long serialVersionUID = 1L;

    private final double[] centers;
    private final MixtureScorer<S> scorer;

    /** @param scorer the scorer of parameters at the centers (its kernels gather the statistics) */
    public HardAssignPass(double[] centers, MixtureScorer<S> scorer) {
        this.centers = centers;
        this.scorer = scorer;
    }

    @Override
    public S empty() {
        return scorer.emptyStats();
    }

    @Override
    public Accumulator<S> open() {
        int k = scorer.k();
        int d = scorer.dim();
        NearestCenterPass.Assigner assigner = new NearestCenterPass.Assigner(centers, k, d, CovarianceType.SPHERICAL);
        return new Accumulator<>() {
            private ChunkKernel<S> complete;
            private ChunkKernel<S> missing;
            private ChunkKernel<S> sparse;
            private double[] logp = new double[0];

            @Override
            public void add(RowBlock b, S into) {
                int n = b.rows;
                if (n == 0) {
                    return;
                }
                int[] nearest = assigner.assign(b);
                ChunkKernel<S> kernel;
                if (b.isSparse()) {
                    kernel = sparse == null ? sparse = scorer.sparseKernel() : sparse;
                } else if (b.missing > 0) {
                    kernel = missing == null ? missing = scorer.missingKernel() : missing;
                } else {
                    kernel = complete == null ? complete = scorer.completeKernel() : complete;
                }
                int chunk = Math.min(n, kernel.chunkRows(n));
                if (logp.length < chunk * k) {
                    logp = new double[chunk * k];
                }
                kernel.beginBlock(b);
                double[] w = kernel.rowWeights(b);
                double total = 0;
                for (int r0 = 0; r0 < n; r0 += chunk) {
                    int m = Math.min(chunk, n - r0);
                    // Some kernels keep what logJoint computed for accumulate: call it as the E-step does.
                    kernel.logJoint(b, r0, m, logp);
                    java.util.Arrays.fill(logp, 0, m * k, 0.0);
                    for (int i = 0; i < m; i++) {
                        double wi = w == null ? 1.0 : w[r0 + i];
                        logp[nearest[kernel.sourceRow(r0 + i)] * m + i] = wi;
                        total += wi;
                    }
                    kernel.accumulate(b, r0, m, logp, into);
                }
                kernel.endBlock(into);
                into.weight += total;
                into.rows += n;
            }
        };
    }
}
