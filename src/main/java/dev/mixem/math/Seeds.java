package dev.mixem.math;

/**
 * Derives independent seeds from a tuple such as (seed, restart, iteration, partition), so that every random
 * draw depends only on where it happens, never on which executor ran first or how often a task was retried.
 * Each part goes through the SplitMix64 finalizer (Steele, Lea and Flood 2014) before it is combined.
 */
public final class Seeds {

    private Seeds() {
    }

    public static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h = fmix(h ^ fmix(p + 0x9E3779B97F4A7C15L));
        }
        return h;
    }

    /** A uniform double in [0, 1) that depends only on the given parts. */
    public static double uniform(long... parts) {
        return (mix(parts) >>> 11) * 0x1.0p-53;
    }

    private static long fmix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
