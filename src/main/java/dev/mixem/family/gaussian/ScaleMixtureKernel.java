package dev.mixem.family.gaussian;

import dev.mixem.family.ChunkKernel;
import dev.mixem.math.RowBlock;

/**
 * A Gaussian kernel that a Gaussian scale mixture (the Student-t family) builds on. A scale mixture's row
 * given its component and a latent scale u is Gaussian with covariance Σ/u, so its E-step needs each row's
 * Mahalanobis distance δ and the number of its observed cells d_o; both follow from the Gaussian log-density
 * the kernel already computes, log p(x_o, z=c) = {@link #logConst} - δ/2. Its statistics are the Gaussian
 * ones for responsibilities scaled by E[u], except that the conditional covariance of the missing cells
 * (E[u · Cov(x_m | x_o, u)] = Cov(x_m | x_o), whatever u) is weighted by the unscaled responsibilities, which
 * {@link #conditionalWeights} hands in.
 */
public interface ScaleMixtureKernel extends ChunkKernel<GaussianStats> {

    /** d_o of the row at position pos of the kernel's order (of the block last scored by logJoint). */
    int observed(int pos);

    /** log w_c - ½ d_o log 2π - ½ log det Σ_c,oo of the row at position pos of the kernel's order. */
    double logConst(int pos, int c);

    /** {@link #observed} of input row i of the block last scored by {@link #blockLogJoint}. */
    int observedInput(int i);

    /** {@link #logConst} of input row i of the block last scored by {@link #blockLogJoint}. */
    double logConstInput(int i, int c);

    /**
     * The weights ({@code w[c*m + i]}, like the responsibilities) of the missing cells' conditional covariances
     * in the next {@link #accumulate}; null weights them by the responsibilities (the Gaussian E-step).
     */
    void conditionalWeights(double[] w);

    /** A complete-row Gaussian kernel as a scale-mixture kernel: every row has d observed cells. */
    final class Complete implements ScaleMixtureKernel {
        private final ChunkKernel<GaussianStats> inner;
        private final GaussianScorer s;

        Complete(ChunkKernel<GaussianStats> inner, GaussianScorer s) {
            this.inner = inner;
            this.s = s;
        }

        @Override
        public int chunkRows(int n) {
            return inner.chunkRows(n);
        }

        @Override
        public void beginBlock(RowBlock b) {
            inner.beginBlock(b);
        }

        @Override
        public double[] rowWeights(RowBlock b) {
            return inner.rowWeights(b);
        }

        @Override
        public int sourceRow(int i) {
            return inner.sourceRow(i);
        }

        @Override
        public void logJoint(RowBlock b, int r0, int m, double[] logp) {
            inner.logJoint(b, r0, m, logp);
        }

        @Override
        public void accumulate(RowBlock b, int r0, int m, double[] resp, GaussianStats into) {
            inner.accumulate(b, r0, m, resp, into);
        }

        @Override
        public void endBlock(GaussianStats into) {
            inner.endBlock(into);
        }

        @Override
        public void blockLogJoint(RowBlock b, double[] out) {
            inner.blockLogJoint(b, out);
        }

        @Override
        public int observed(int pos) {
            return s.d;
        }

        @Override
        public double logConst(int pos, int c) {
            return s.logConst[c];
        }

        @Override
        public int observedInput(int i) {
            return s.d;
        }

        @Override
        public double logConstInput(int i, int c) {
            return s.logConst[c];
        }

        @Override
        public void conditionalWeights(double[] w) {
            // No missing cells.
        }
    }
}
