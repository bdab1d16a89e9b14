package dev.mixem.family;

import java.util.ArrayList;
import java.util.List;

/**
 * Every family's collapse rule: a component whose share of the total responsibility is at most
 * {@value #SHARE} (no row gives it any weight that double precision can see) is dropped by the M-step, and the
 * survivors' weights renormalized, so that no saved parameter is a ratio of zeros.
 */
public final class Collapse {
    /** Components with at most this share of the total responsibility are dropped. */
    public static final double SHARE = 1e-12;

    private Collapse() {
    }

    /** The components the collapse rule keeps and drops, and the kept components' total responsibility. */
    public record Survivors(List<Integer> kept, List<Integer> dropped, double keptTotal) {
    }

    /** The collapse rule on the statistics' responsibilities. */
    public static Survivors survivors(double[] resp) {
        double total = 0;
        for (double r : resp) {
            total += r;
        }
        if (!(total > 0)) {
            throw new NumericalException("the rows carry no weight (total responsibility " + total + ")");
        }
        List<Integer> kept = new ArrayList<>();
        List<Integer> dropped = new ArrayList<>();
        for (int c = 0; c < resp.length; c++) {
            if (resp[c] > SHARE * total) {
                kept.add(c);
            } else {
                dropped.add(c);
            }
        }
        double keptTotal = 0;
        for (int c : kept) {
            keptTotal += resp[c];
        }
        return new Survivors(kept, dropped, keptTotal);
    }
}
