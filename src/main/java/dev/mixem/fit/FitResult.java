package dev.mixem.fit;


import java.util.List;

/**
 * The outcome of a fit: the kept restart's parameters and how it got there.
 *
 * @param params              final parameters (their log-likelihood is {@code avgLogLikelihood})
 * @param avgLogLikelihood    mean per-row log-likelihood of {@code params} on the training rows (natural log,
 *                            weighted by the row weights)
 * @param iterations          M-steps performed
 * @param converged           whether the change fell below tol before max-iter
 * @param trace               one entry per E-step of the kept restart
 * @param droppedComponents   components dropped by the collapse rule in the kept restart
 * @param restart             index of the kept restart
 * @param restartLogLikelihoods final mean log-likelihood of every restart
 * @param rows                number of training rows
 * @param totalWeight         Σ row weights
 */
public record FitResult<P>(P params, double avgLogLikelihood, int iterations, boolean converged,
                        List<TraceEntry> trace, int droppedComponents, int restart,
                        List<Double> restartLogLikelihoods, long rows, double totalWeight) {
}
