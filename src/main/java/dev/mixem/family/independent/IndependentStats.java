package dev.mixem.family.independent;

import dev.mixem.stats.MixtureStats;

/**
 * Sufficient statistics of a mixture of independent features (Bernoulli, Poisson), with w_i the row weight
 * and o_ij whether cell (i, j) is observed:
 * <pre>
 *   resp[c]              = Σ_i w_i r_ic
 *   sumX[c*d + j]        = Σ_i w_i r_ic o_ij x_ij
 *   missingResp[c*d + j] = Σ_i w_i r_ic (1 − o_ij)      (so Σ_i w_i r_ic o_ij = resp[c] − missingResp[c*d + j])
 * </pre>
 * with the totals of {@link MixtureStats}. They do not depend on the parameters they were gathered under.
 * Merging is elementwise addition.
 */
public final class IndependentStats extends MixtureStats<IndependentStats> {
    private static final long serialVersionUID = 1L;

    public final int k;
    public final int d;
    public final double[] resp;
    public final double[] sumX;
    public final double[] missingResp;

    public IndependentStats(int k, int d) {
        this.k = k;
        this.d = d;
        this.resp = new double[k];
        this.sumX = new double[k * d];
        this.missingResp = new double[k * d];
    }

    /** Σ_i w_i r_ic o_ij: component c's responsibility over the rows where feature j is observed. */
    public double observed(int c, int j) {
        return resp[c] - missingResp[c * d + j];
    }

    /** Doubles that travel per statistic: resp, sumX, missingResp and the three totals. */
    public static long travellingDoubles(int k, int d) {
        return k + 2L * k * d + 3;
    }

    @Override
    public IndependentStats mergeFrom(IndependentStats o) {
        if (o.k != k || o.d != d) {
            throw new IllegalArgumentException("cannot merge statistics of shape (k=" + o.k + ", d=" + o.d
                    + ") into (k=" + k + ", d=" + d + ")");
        }
        add(resp, o.resp);
        add(sumX, o.sumX);
        add(missingResp, o.missingResp);
        mergeTotals(o);
        return this;
    }

    public IndependentStats copy() {
        return new IndependentStats(k, d).mergeFrom(this);
    }

    @Override
    public int components() {
        return k;
    }

    /** resp, then sumX, then missingResp. */
    @Override
    public double[] values() {
        double[] out = new double[k + 2 * k * d];
        System.arraycopy(resp, 0, out, 0, k);
        System.arraycopy(sumX, 0, out, k, k * d);
        System.arraycopy(missingResp, 0, out, k + k * d, k * d);
        return out;
    }

    private static void add(double[] into, double[] from) {
        for (int i = 0; i < into.length; i++) {
            into[i] += from[i];
        }
    }
}
