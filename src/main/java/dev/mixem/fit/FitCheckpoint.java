package dev.mixem.fit;

import java.util.List;

/**
 * Everything a fit needs to continue exactly where it was: taken just before the E-step of
 * {@code iteration} in {@code restart}, whose parameters are {@code params}. Every random draw of a fit is
 * derived from (seed, restart, row index), so the restart index is the whole position of its random
 * streams.
 *
 * @param restart               0-based restart the fit is in
 * @param iteration             M-steps done in this restart ({@code params} are the result of the last one)
 * @param params                the parameters whose E-step comes next
 * @param trace                 the trace of this restart so far (iterations 0 .. iteration-1)
 * @param previousLogLikelihood mean log-likelihood of iteration-1 (NaN at iteration 0)
 * @param guaranteedChange      the least change of the mean log-likelihood that the last EM step guarantees
 *                              (-∞ when there is none)
 * @param dropped               components dropped so far in this restart
 * @param best                  the best completed restart so far, or null
 * @param restartLogLikelihoods final mean log-likelihood of every completed restart
 */
public record FitCheckpoint<P>(int restart, int iteration, P params, List<TraceEntry> trace,
                               double previousLogLikelihood, double guaranteedChange, int dropped, FitResult<P> best,
                               List<Double> restartLogLikelihoods) {
    public FitCheckpoint {
        trace = List.copyOf(trace);
        restartLogLikelihoods = List.copyOf(restartLogLikelihoods);
    }

    FitCheckpoint(int restart, FitLoop.State<P> state, FitResult<P> best, List<Double> restartLogLikelihoods) {
        this(restart, state.iteration(), state.params(), state.trace(), state.previousLogLikelihood(),
                state.guaranteedChange(), state.dropped(), best, restartLogLikelihoods);
    }

    /** Where the restart's loop continues. */
    FitLoop.State<P> state() {
        return new FitLoop.State<>(iteration, params, trace, previousLogLikelihood, guaranteedChange, dropped);
    }
}
