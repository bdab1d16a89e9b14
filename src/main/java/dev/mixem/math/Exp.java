package dev.mixem.math;

/**
 * exp(x) from additions, multiplications and fused multiply-adds only, so that every evaluation gives the
 * same bits: scalar or vectorized, interpreted or JIT-compiled, on any machine. (The Vector API's lanewise
 * EXP is not such a function: compiled, it calls a vector math library, and interpreted, Math.exp, and the
 * two differ in the last bit; a fit's result would then depend on when the JIT compiled which method.)
 * <p>
 * Cody-Waite reduction x = n ln 2 + r with n = rint(x / ln 2) and |r| ≤ ½ ln 2 (ln 2 split in two parts, as in
 * fdlibm), then the Taylor polynomial of degree 13 in Horner form (truncation below 5e-18 relative), then
 * the scale 2ⁿ built from its exponent bits. Within 2 ulp of the exact value on [-708, 709] (tested).
 * Below -708 the result is 0: exp(-708) ≈ 3e-308 is at the bottom of the normal doubles, and the E-step
 * only exponentiates log-probabilities shifted by their row's largest, whose own exponential is 1.
 */
public final class Exp {
    static final double MIN = -708.0;
    static final double MAX = 709.0;
    static final double LOG2E = 1.4426950408889634;
    /** 1.5·2⁵²: adding and subtracting it rounds a double below 2⁵¹ in magnitude to the nearest integer. */
    static final double SHIFTER = 0x1.8p52;
    static final double LN2_HI = 6.93147180369123816490e-01;
    static final double LN2_LO = 1.90821492927058770002e-10;
    /** 1/k! for k = 13 down to 2. */
    static final double[] INVERSE_FACTORIALS = {
            1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0,
            1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5};

    private Exp() {
    }

    public static double exp(double x) {
        if (x < MIN) {
            return 0.0;
        }
        if (x > MAX) {
            return x > 709.782712893384 ? Double.POSITIVE_INFINITY : Math.exp(x);
        }
        double n = Math.fma(x, LOG2E, SHIFTER) - SHIFTER;
        double r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        double p = INVERSE_FACTORIALS[0];
        for (int i = 1; i < INVERSE_FACTORIALS.length; i++) {
            p = Math.fma(p, r, INVERSE_FACTORIALS[i]);
        }
        p = Math.fma(p, r, 1.0);
        p = Math.fma(p, r, 1.0);
        return p * Double.longBitsToDouble(((long) n + 1023) << 52);
    }
}
