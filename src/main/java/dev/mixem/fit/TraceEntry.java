package dev.mixem.fit;

/**
 * One E-step of a fit.
 *
 * @param iteration          M-steps done before this E-step (0 = initial parameters)
 * @param avgLogLikelihood   mean per-row log-likelihood (natural log) of the parameters at that point
 * @param seconds            wall seconds of this iteration (M-step plus E-step pass)
 * @param likelihoodDecreased whether the log-likelihood fell from the previous entry by more than rounding
 */
public record TraceEntry(int iteration, double avgLogLikelihood, double seconds, boolean likelihoodDecreased) {
}
