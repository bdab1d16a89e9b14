package dev.mixem.fit;

/**
 * One point of a method's trace.
 *
 * @param iteration           parameter updates done
 * @param avgLogLikelihood    mean log-likelihood of the parameters at that point, on the training rows (or
 *                            on the evaluation sample)
 * @param passes              passes over the data spent to reach them (a mini-batch of 1% counts 0.01);
 *                            evaluation is not counted
 * @param seconds             wall seconds spent to reach them, evaluation not counted
 * @param likelihoodDecreased whether the log-likelihood fell from the previous point by more than rounding
 * @param constraintsHeld     whether the weights summed to 1 within 1e-12 and every covariance was positive
 *                            definite
 */
public record MethodStep(int iteration, double avgLogLikelihood, double passes, double seconds,
                         boolean likelihoodDecreased, boolean constraintsHeld) {
}
