package dev.mixem.math;

/**
 * log Γ(x) and the digamma function ψ(x) = d log Γ(x)/dx for x > 0, as the Student-t family needs them
 * (its density's constant and its degrees-of-freedom update). Both shift x up to at least 10 by the
 * recurrences Γ(x+1) = xΓ(x) and ψ(x+1) = ψ(x) + 1/x, then sum the asymptotic (Stirling) series, whose
 * first omitted term is below 1e-16 from 16 on (at 10 it was 2e-14).
 */
public final class Gamma {
    private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
    private static final double SHIFT = 16;

    private Gamma() {
    }

    /** log Γ(x) for x > 0 (NaN otherwise). */
    public static double logGamma(double x) {
        if (!(x > 0)) {
            return Double.NaN;
        }
        if (x == Double.POSITIVE_INFINITY) {
            return x;
        }
        double shift = 0;
        while (x < SHIFT) {
            shift += Math.log(x);
            x += 1;
        }
        double inv = 1 / x;
        double inv2 = inv * inv;
        // Stirling: (x - ½) log x - x + ½ log 2π + 1/(12x) - 1/(360x³) + 1/(1260x⁵) - 1/(1680x⁷) + 1/(1188x⁹).
        double series = inv * (1.0 / 12 + inv2 * (-1.0 / 360 + inv2 * (1.0 / 1260 + inv2 * (-1.0 / 1680
                + inv2 * (1.0 / 1188)))));
        return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + series - shift;
    }

    /** ψ(x) = Γ'(x)/Γ(x) for x > 0 (NaN otherwise). */
    public static double digamma(double x) {
        if (!(x > 0)) {
            return Double.NaN;
        }
        if (x == Double.POSITIVE_INFINITY) {
            return x;
        }
        double shift = 0;
        while (x < SHIFT) {
            shift += 1 / x;
            x += 1;
        }
        double inv2 = 1 / (x * x);
        // ψ(x) ~ log x - 1/(2x) - 1/(12x²) + 1/(120x⁴) - 1/(252x⁶) + 1/(240x⁸) - 1/(132x¹⁰).
        double series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240
                - inv2 * (1.0 / 132)))));
        return Math.log(x) - 0.5 / x - series - shift;
    }

    /**
     * log x - ψ(x) for x > 0, without the cancellation of the difference at large x (it tends to 1/(2x)):
     * the Student-t degrees-of-freedom update solves an equation in it.
     */
    public static double logMinusDigamma(double x) {
        if (!(x > 0)) {
            return Double.NaN;
        }
        if (x < 1e4) {
            return Math.log(x) - digamma(x);
        }
        double inv2 = 1 / (x * x);
        return 0.5 / x + inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 / 252));
    }
}
