package dev.mixem.family.studentt;

import dev.mixem.math.Gamma;

/**
 * The degrees-of-freedom update of the Student-t M-step (Peel and McLachlan 2000). With τ the responsibilities
 * and u = (ν_t + d_o)/(ν_t + δ) the expected scales under the pass's ν_t, the M-step's ν for a component
 * solves
 * <pre>
 *   log(ν/2) - ψ(ν/2) + 1 + A = 0,   A = Σ τ (log u - u + ψ((ν_t + d_o)/2) - log((ν_t + d_o)/2)) / Σ τ,
 * </pre>
 * the stationarity of EM's auxiliary function in ν, which is concave in ν (ψ'(x) &gt; 1/x). The left side
 * decreases in ν, so the root is found by bisection on log ν, within [{@value #MIN}, {@value #MAX}]: when the
 * root lies outside, the bound on its side maximizes the auxiliary function over the interval, so EM's
 * likelihood still never falls. ν near {@value #MAX} is practically Gaussian.
 */
public final class Dof {
    /** Smallest degrees of freedom an M-step gives (heavier tails than Cauchy's ν = 1). */
    public static final double MIN = 0.5;
    /** Largest degrees of freedom an M-step gives (a nearly Gaussian component). */
    public static final double MAX = 200;

    /**
     * The degrees of freedom of initialization's M-step, whose statistics are Gaussian (u = 1) and say nothing
     * of the tails (R's teigen starts at 50; a start nearer the heavy tails of real data converges in fewer
     * iterations, and EM moves ν either way).
     */
    public static final double START = 30;

    private Dof() {
    }

    /** Checks a fixed ν (0: estimated). */
    static void checkFixed(double fixed) {
        if (fixed != 0 && !(fixed >= MIN && fixed <= MAX)) {
            throw new IllegalArgumentException("--dof must be in [" + MIN + ", " + MAX + "] (or 0 to estimate it),"
                    + " got " + fixed);
        }
    }

    /** The ν maximizing EM's auxiliary function in [MIN, MAX], for A = Σ τ (E[log u] - E[u]) / Σ τ. */
    public static double update(double a) {
        if (!(a == a)) {
            throw new dev.mixem.family.NumericalException("the degrees-of-freedom statistic is " + a);
        }
        if (equation(MAX, a) >= 0) {
            return MAX;
        }
        if (equation(MIN, a) <= 0) {
            return MIN;
        }
        double lo = Math.log(MIN);
        double hi = Math.log(MAX);
        // 60 halvings of an interval of width log(400) < 6 leave it under 1e-17 wide: the root to rounding.
        for (int it = 0; it < 60 && hi - lo > 1e-15; it++) {
            double mid = 0.5 * (lo + hi);
            if (equation(Math.exp(mid), a) > 0) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return Math.exp(0.5 * (lo + hi));
    }

    /** log(ν/2) - ψ(ν/2) + 1 + a: decreasing in ν. */
    static double equation(double nu, double a) {
        return Gamma.logMinusDigamma(0.5 * nu) + 1 + a;
    }

    /** ψ(x) - log(x) at x = (ν + o)/2: the correction of E[log u] for ν and o observed cells (0 when ν = ∞). */
    static double logCorrection(double nu, int o) {
        return nu == Double.POSITIVE_INFINITY ? 0 : -Gamma.logMinusDigamma(0.5 * (nu + o));
    }

    /**
     * The part of EM's auxiliary function that depends on ν, for a component with responsibility τ and
     * statistic b = Σ τ (E[log u] - E[u]): τ ((ν/2) log(ν/2) - log Γ(ν/2)) + (ν/2) b.
     */
    static double auxiliary(double nu, double tau, double b) {
        double h = 0.5 * nu;
        return tau * (h * Math.log(h) - Gamma.logGamma(h)) + h * b;
    }

    /** ∂/∂ν of {@link #auxiliary}: ½ (τ (log(ν/2) - ψ(ν/2) + 1) + b). */
    static double derivative(double nu, double tau, double b) {
        return 0.5 * (tau * (Gamma.logMinusDigamma(0.5 * nu) + 1) + b);
    }
}
