package dev.mixem.fit;

/**
 * One point of a fit's trace, for every method: the parameters after {@code iteration} updates and what
 * reaching them cost.
 *
 * @param iteration           parameter updates done (EM: M-steps) before these parameters (0 = initial)
 * @param avgLogLikelihood    mean per-row log-likelihood (natural log, weighted by the row weights) of the
 *                            parameters, on every row (or on the fixed evaluation sample)
 * @param change              change from the previous point (NaN for the first)
 * @param passes              passes over the data spent to reach these parameters (EM: one per iteration; a
 *                            mini-batch of 1% counts 0.01); evaluation is not counted
 * @param seconds             wall seconds spent to get from the previous point to this one: the passes of
 *                            the updates between them and the updates themselves (EM: the E-step of the
 *                            previous parameters and one M-step; 0 for the first point); evaluation not
 *                            counted
 * @param likelihoodDecreased whether the log-likelihood fell from the previous point by more than rounding
 * @param constraintsHeld     whether the weights summed to 1 within 1e-12 and every component was valid
 *                            (e.g. its covariance positive definite)
 */
public record TraceEntry(int iteration, double avgLogLikelihood, double change, double passes, double seconds,
                         boolean likelihoodDecreased, boolean constraintsHeld) {

    /** An entry read back from a file, which stores no change (the reader derives it from the previous). */
    public static TraceEntry read(TraceEntry previous, int iteration, double avgLogLikelihood, double passes,
                                  double seconds, boolean likelihoodDecreased, boolean constraintsHeld) {
        double change = previous == null ? Double.NaN : avgLogLikelihood - previous.avgLogLikelihood();
        return new TraceEntry(iteration, avgLogLikelihood, change, passes, seconds, likelihoodDecreased,
                constraintsHeld);
    }
}
