package dev.mixem.select;

import dev.mixem.family.EStep;
import dev.mixem.family.gaussian.GaussianScorer;
import dev.mixem.math.RowBlock;
import dev.mixem.source.BlockPass;
import dev.mixem.stats.Mergeable;

/**
 * ICL's classification term: E = −Σ_i w_i ln max_k z_ik, the entropy of the MAP classification under the
 * parameters (0 when every row belongs to one component with certainty). One pass.
 */
final class MapEntropyPass implements BlockPass<MapEntropyPass.Sum> {
    private static final long serialVersionUID = 1L;
    private final GaussianScorer scorer;

    MapEntropyPass(GaussianScorer scorer) {
        this.scorer = scorer;
    }

    @Override
    public Sum empty() {
        return new Sum();
    }

    @Override
    public Accumulator<Sum> open() {
        EStep<?> step = new EStep<>(scorer);
        int k = scorer.k;
        return new Accumulator<>() {
            double[] resp = new double[0];
            double[] ll = new double[0];

            @Override
            public void add(RowBlock b, Sum into) {
                if (resp.length < b.rows * k) {
                    resp = new double[b.rows * k];
                    ll = new double[b.rows];
                }
                step.posterior(b, resp, ll);
                for (int i = 0; i < b.rows; i++) {
                    double max = 0;
                    for (int c = 0; c < k; c++) {
                        max = Math.max(max, resp[i + c * b.rows]);
                    }
                    into.entropy -= b.weight(i) * Math.log(max);
                }
            }
        };
    }

    /** The sum E, merged by addition. */
    static final class Sum implements Mergeable<Sum> {
        private static final long serialVersionUID = 1L;
        double entropy;

        @Override
        public Sum mergeFrom(Sum other) {
            entropy += other.entropy;
            return this;
        }
    }
}
