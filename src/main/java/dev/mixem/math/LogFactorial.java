package dev.mixem.math;

/**
 * log(x!) of a count x: a table of exact running sums below {@value #TABLE}, Stirling's series beyond it
 * (whose first omitted term, 1/(1680 x⁷), is below 1e-24 there, far under a double's rounding).
 */
public final class LogFactorial {
    static final int TABLE = 1024;
    private static final double[] LOG_FACT = new double[TABLE];
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

    static {
        double s = 0;
        for (int i = 1; i < TABLE; i++) {
            s += Math.log(i);
            LOG_FACT[i] = s;
        }
    }

    private LogFactorial() {
    }

    /** log(x!) for a non-negative integer x (as a double). */
    public static double of(double x) {
        if (x < TABLE) {
            return LOG_FACT[(int) x];
        }
        double inv = 1 / x;
        double inv2 = inv * inv;
        // ln x! = ln Γ(x + 1) = x ln x − x + ½ ln(2πx) + 1/(12x) − 1/(360x³) + 1/(1260x⁵)
        return x * Math.log(x) - x + HALF_LOG_TWO_PI + 0.5 * Math.log(x)
                + inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 / 1260));
    }
}
