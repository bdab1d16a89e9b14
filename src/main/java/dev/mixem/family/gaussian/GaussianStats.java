package dev.mixem.family.gaussian;

import dev.mixem.stats.MixtureStats;

import dev.mixem.config.CovarianceType;

/**
 * Sufficient statistics of a Gaussian mixture's E-step, centred on fixed reference means m_k (the means that
 * were broadcast for the pass), which avoids the catastrophic cancellation of raw moments when |μ| ≫ σ:
 * <pre>
 *   resp[k]          = Σ_i w_i r_ik
 *   first[k*d + a]   = Σ_i w_i r_ik (x_ia - m_ka)
 *   second (full)    = Σ_i w_i r_ik (x_i - m_k)(x_i - m_k)ᵀ, lower triangle of a column-major d x d block
 *                      at offset k*d*d (the strict upper triangle stays 0)
 *   second (diag, spherical) = Σ_i w_i r_ik (x_ia - m_ka)², at offset k*d
 *   second (tied)    = Σ_k Σ_i w_i r_ik (x_i - m_k)(x_i - m_k)ᵀ, one pooled lower triangle (d x d)
 * </pre>
 * with the totals of {@link MixtureStats}.
 * where w_i is the row weight (1 without a weight column). Merging is elementwise addition.
 */
public final class GaussianStats extends MixtureStats<GaussianStats> {
    private static final long serialVersionUID = 1L;

    public final int k;
    public final int d;
    public final CovarianceType type;
    /** Distance between components' second moments ({@link CovarianceType#statsStride}); 0 for tied. */
    public final int stride;
    public final double[] resp;
    public final double[] first;
    public final double[] second;

    private GaussianStats(int k, int d, CovarianceType type) {
        this.k = k;
        this.d = d;
        this.type = type;
        this.stride = type.statsStride(d);
        this.resp = new double[k];
        this.first = new double[k * d];
        this.second = new double[type.statsLength(k, d)];
    }

    /** The identity of {@link #mergeFrom}: every statistic zero. */
    public static GaussianStats empty(int k, int d, CovarianceType type) {
        return new GaussianStats(k, d, type);
    }

    @Override
    public GaussianStats mergeFrom(GaussianStats o) {
        if (o.k != k || o.d != d || o.type != type) {
            throw new IllegalArgumentException("cannot merge statistics of shape (k=" + o.k + ", d=" + o.d
                    + ", " + o.type + ") into (k=" + k + ", d=" + d + ", " + type + ")");
        }
        add(resp, o.resp);
        add(first, o.first);
        add(second, o.second);
        mergeTotals(o);
        return this;
    }

    public GaussianStats copy() {
        GaussianStats c = new GaussianStats(k, d, type);
        return c.mergeFrom(this);
    }

    @Override
    public int components() {
        return k;
    }

    /** resp, then first, then second. */
    @Override
    public double[] values() {
        double[] out = new double[resp.length + first.length + second.length];
        System.arraycopy(resp, 0, out, 0, resp.length);
        System.arraycopy(first, 0, out, resp.length, first.length);
        System.arraycopy(second, 0, out, resp.length + first.length, second.length);
        return out;
    }

    private static void add(double[] into, double[] from) {
        for (int i = 0; i < into.length; i++) {
            into[i] += from[i];
        }
    }
}
