package dev.mixem.family.gaussian;

import dev.mixem.math.RowBlock;

/**
 * Fills the missing cells of rows with their conditional mean given the observed cells,
 * Σ_c r_ic E[x_m | x_o, c], for the rows' posterior responsibilities (from
 * {@link dev.mixem.family.EStep#posterior}). One instance per task, bound to one scorer; not thread-safe.
 */
public final class GaussianImputer implements dev.mixem.family.Imputer {
    private final GaussianScorer scorer;
    private Imputing kernel;

    /** The missing-cell kernels' imputation. */
    interface Imputing {
        void impute(RowBlock b, double[] resp, double[] out);
    }

    public GaussianImputer(GaussianScorer scorer) {
        this.scorer = scorer;
    }

    /**
     * Each row of the block with its missing cells replaced by their conditional mean, for the row's
     * posterior {@code resp[i + c*n]}; column-major n x d into {@code out}. Complete rows are copied.
     */
    @Override
    public void impute(RowBlock b, double[] resp, double[] out) {
        if (b.dim != scorer.d) {
            throw new IllegalArgumentException("imputation for d=" + scorer.d + " got rows of dimension " + b.dim);
        }
        if (b.missing == 0) {
            System.arraycopy(b.values, 0, out, 0, b.rows * b.dim);
            return;
        }
        if (kernel == null) {
            kernel = scorer.type == dev.mixem.config.CovarianceType.FACTOR ? new FactorMissingKernel(scorer)
                    : scorer.matrix ? new MissingFullKernel(scorer) : new MissingDiagKernel(scorer);
        }
        kernel.impute(b, resp, out);
    }
}
