package dev.mixem.fit;

import dev.mixem.family.NumericalException;

import java.util.Locale;

/**
 * EM's monotonicity guard, applied by the fit loop to every full-batch EM step. An EM step from θ_t to
 * θ_{t+1} guarantees LL(θ_{t+1}) - LL(θ_t) ≥ Q(θ_{t+1} | θ_t) - Q(θ_t | θ_t) (Dempster, Laird and Rubin 1977;
 * the family computes it, {@link dev.mixem.family.MixtureFamily#guaranteedChange}): at least 0 without
 * reg-covar, slightly below 0 with it. A fall below that guarantee (beyond a relative 1e-9 of rounding)
 * means the statistics were wrong (numerical trouble, or a fault that corrupted a partition's result), so
 * the fit stops rather than write a model from them.
 */
public final class EmGuard {
    /** Rounding allowed beyond EM's guarantee: relative to the log-likelihood, at least 1 in absolute. */
    public static final double TOLERANCE = 1e-9;

    private EmGuard() {
    }

    /** True when the change from {@code prev} to {@code ll} is a fall beyond rounding. */
    public static boolean fell(double prev, double ll) {
        return ll - prev < -TOLERANCE * Math.max(1, Math.abs(prev));
    }

    /**
     * Throws when the mean log-likelihood went from {@code prev} to {@code ll} by less than EM guaranteed.
     *
     * @param where names the step for the message, e.g. "iteration 7 of restart 2"
     */
    public static void check(double prev, double ll, double guaranteed, String where) {
        if (ll - prev < Math.min(0, guaranteed) - TOLERANCE * Math.max(1, Math.abs(prev))) {
            throw new NumericalException(String.format(Locale.ROOT,
                    "the mean log-likelihood fell from %.12g to %.12g at %s, more than EM allows (its step"
                            + " guarantees a change of at least %.3g); the statistics were corrupted (numerical"
                            + " trouble or a fault), and no model is written",
                    prev, ll, where, guaranteed));
        }
    }
}
