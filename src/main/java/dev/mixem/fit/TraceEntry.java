package dev.mixem.fit;

/**
 * One E-step of a fit.
 *
 * @param iteration          M-steps done before this E-step (0 = initial parameters)
 * @param avgLogLikelihood   mean per-row log-likelihood (natural log) of the parameters at that point
 * @param seconds            wall seconds of this iteration (M-step plus E-step pass)
 * @param likelihoodDecreased whether the log-likelihood fell from the previous entry by more than rounding
 * @param passes             passes over the data spent to reach these parameters (EM: one per iteration;
 *                           a mini-batch of 1% counts 0.01)
 */
public record TraceEntry(int iteration, double avgLogLikelihood, double seconds, boolean likelihoodDecreased,
                         double passes) {
    /** An entry of EM, which spends one pass per iteration. */
    public TraceEntry(int iteration, double avgLogLikelihood, double seconds, boolean likelihoodDecreased) {
        this(iteration, avgLogLikelihood, seconds, likelihoodDecreased, iteration);
    }
}
