package dev.mixem.fit;

import dev.mixem.family.MixtureFamily;

import dev.mixem.family.gaussian.GaussianMStep;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.family.NumericalException;
import dev.mixem.family.gaussian.GaussianStats;

import java.util.Locale;

/**
 * EM's monotonicity guard, shared by every full-batch EM loop. An EM step from θ_t to θ_{t+1} guarantees
 * LL(θ_{t+1}) - LL(θ_t) ≥ Q(θ_{t+1} | θ_t) - Q(θ_t | θ_t) (Dempster, Laird and Rubin 1977): at least 0
 * without reg-covar, slightly below 0 with it. A fall below that guarantee (beyond a relative 1e-9 of
 * rounding) means the statistics were wrong (numerical trouble, or a fault that corrupted a partition's
 * result), so the fit stops rather than write a model from them.
 */
public final class EmGuard {
    /** Rounding allowed beyond EM's guarantee: relative to the log-likelihood, at least 1 in absolute. */
    public static final double TOLERANCE = 1e-9;

    private EmGuard() {
    }

    /**
     * Q(θ_{t+1} | θ_t) - Q(θ_t | θ_t) for the M-step {@code m} made from {@code stats} (the E-step under
     * {@code before}); no guarantee (-∞) when components were dropped, since θ_{t+1} then has fewer.
     */
    public static double guaranteedChange(GaussianStats stats, GaussianParams before, MixtureFamily.Update<GaussianParams> m) {
        if (!m.dropped().isEmpty()) {
            return Double.NEGATIVE_INFINITY;
        }
        return GaussianMStep.auxiliary(stats, before.means(), m.params())
                - GaussianMStep.auxiliary(stats, before.means(), before);
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
