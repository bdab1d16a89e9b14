package dev.mixem.fit;

/**
 * Told of every point of a fit's trace (every method, every restart), so a command line can print progress
 * and a notebook can plot it, and can ask a fit to stop: after a point for which {@link #stopRequested} is
 * true, the fit stops at the parameters just recorded (not converged), and the result is a normal one.
 */
@FunctionalInterface
public interface FitListener {

    FitListener NONE = (restart, entry) -> { };

    /**
     * @param restart 0-based restart index (0 for methods without restarts)
     * @param entry   the trace's new point
     */
    void onIteration(int restart, TraceEntry entry);

    /**
     * Asked after every {@link #onIteration}: true stops the current restart at the parameters whose point
     * was just recorded (and, with restarts, the later restarts too).
     */
    default boolean stopRequested() {
        return false;
    }

    /** Called once per restart when its initial parameters are ready. */
    default void onInitialized(int restart, double seconds, int components) {
    }
}
