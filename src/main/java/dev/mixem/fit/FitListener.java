package dev.mixem.fit;

/**
 * Receives one status per E-step, so a command line can print progress and a notebook can plot it, and
 * can ask a fit to stop: after a status for which {@link #stopRequested} is true, EM stops at the
 * parameters just scored (not converged), and the result is a normal one.
 */
@FunctionalInterface
public interface FitListener {

    FitListener NONE = status -> { };

    void onIteration(IterationStatus status);

    /**
     * Asked after every {@link #onIteration}: true stops the current restart at the parameters whose status
     * was just reported (and, with restarts, the later restarts too).
     */
    default boolean stopRequested() {
        return false;
    }

    /** Called once per restart when its initial parameters are ready. */
    default void onInitialized(int restart, double seconds, int components) {
    }

    /**
     * @param restart          0-based restart index
     * @param iteration        number of M-steps done before this E-step (0 = initial parameters)
     * @param avgLogLikelihood mean per-row log-likelihood (natural log) of the parameters after
     *                         {@code iteration} M-steps
     * @param change           change from the previous E-step (NaN at iteration 0)
     * @param seconds          wall seconds of this iteration (M-step plus E-step pass)
     * @param components       number of components alive
     */
    record IterationStatus(int restart, int iteration, double avgLogLikelihood, double change, double seconds,
                           int components) {
    }
}
