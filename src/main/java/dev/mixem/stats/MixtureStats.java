package dev.mixem.stats;

/**
 * What every family's E-step statistics share: the totals that the generic E-step fills in itself, whatever
 * the family's own sufficient statistics are.
 * <pre>
 *   logLikelihood = Σ_i w_i log p(x_i)   (natural log, under the parameters of the pass)
 *   weight        = Σ_i w_i,  rows = number of rows
 * </pre>
 * where w_i is the row weight (1 without a weight column).
 */
public abstract class MixtureStats<S extends MixtureStats<S>> implements Mergeable<S> {
    private static final long serialVersionUID = 1L;

    public double logLikelihood;
    public double weight;
    public long rows;

    /** Mean per-row log-likelihood, weighted by the row weights. */
    public double avgLogLikelihood() {
        return logLikelihood / weight;
    }

    /** Adds the other statistics' totals to these. */
    protected final void mergeTotals(MixtureStats<?> o) {
        logLikelihood += o.logLikelihood;
        weight += o.weight;
        rows += o.rows;
    }

    /** Number of components the statistics are for. */
    public abstract int components();

    /**
     * The family's own statistics (not the totals) as one array in a fixed order, merged by addition like
     * the statistics themselves: what merge laws and partition invariance are checked on.
     */
    public abstract double[] values();
}
