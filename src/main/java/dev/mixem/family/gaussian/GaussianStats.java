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
 *   second (factor)  = per component at offset k*stride, with u = x_i - m_k and z = E[z | x_i] under the
 *                      pass's parameters: Σ w r u∘u (d), Σ w r u zᵀ (d x q), Σ w r z (q), and
 *                      Σ w r E[z zᵀ | x_i] (q x q, the posterior covariance included): complete-data statistics
 *                      whose meaning does not depend on the parameters, so online EM may average them
 * </pre>
 * with the totals of {@link MixtureStats}.
 * where w_i is the row weight (1 without a weight column). Merging is elementwise addition.
 */
public final class GaussianStats extends MixtureStats<GaussianStats> {
    private static final long serialVersionUID = 1L;

    public final int k;
    public final int d;
    public final CovarianceType type;
    /** Factors per component (factor structure; 0 otherwise). */
    public final int q;
    /** Distance between components' second moments ({@link CovarianceType#statsStride}); 0 for tied. */
    public final int stride;
    public final double[] resp;
    public final double[] first;
    public final double[] second;
    /** Whether {@link #second} holds only the lower triangles, packed column by column ({@link #packed}). */
    private final boolean packedTriangles;

    private GaussianStats(int k, int d, CovarianceType type, int q) {
        this(k, d, type, q, new double[k], new double[k * d], new double[type.statsLength(k, d, q)], false);
    }

    private GaussianStats(int k, int d, CovarianceType type, int q, double[] resp, double[] first, double[] second,
                          boolean packedTriangles) {
        this.k = k;
        this.d = d;
        this.type = type;
        this.q = type.requireFactors(q);
        this.stride = type.statsStride(d, q);
        this.resp = resp;
        this.first = first;
        this.second = second;
        this.packedTriangles = packedTriangles;
    }

    /**
     * Full and tied statistics travel as the lower triangles of their second moments, d(d+1)/2 doubles per
     * matrix instead of d² (the strict upper triangles are zero by construction; if one is not, nothing is
     * packed, so unpacking is always exact).
     */
    @Override
    public GaussianStats packed() {
        if (packedTriangles || (type != CovarianceType.FULL && type != CovarianceType.TIED) || d == 1) {
            return this;
        }
        int mats = second.length / (d * d);
        double[] tri = new double[mats * d * (d + 1) / 2];
        int t = 0;
        for (int m = 0; m < mats; m++) {
            int base = m * d * d;
            for (int j = 0; j < d; j++) {
                for (int i = 0; i < j; i++) {
                    if (second[base + j * d + i] != 0) {
                        return this;
                    }
                }
                System.arraycopy(second, base + j * d + j, tri, t, d - j);
                t += d - j;
            }
        }
        GaussianStats p = new GaussianStats(k, d, type, q, resp, first, tri, true);
        p.mergeTotals(this);
        return p;
    }

    @Override
    public GaussianStats unpacked() {
        if (!packedTriangles) {
            return this;
        }
        double[] full = new double[type.statsLength(k, d)];
        int mats = full.length / (d * d);
        int t = 0;
        for (int m = 0; m < mats; m++) {
            int base = m * d * d;
            for (int j = 0; j < d; j++) {
                System.arraycopy(second, t, full, base + j * d + j, d - j);
                t += d - j;
            }
        }
        GaussianStats u = new GaussianStats(k, d, type, q, resp, first, full, false);
        u.mergeTotals(this);
        return u;
    }

    /** Doubles that travel per statistic: resp, first, second (as {@link #packed}), and the three totals. */
    public static long travellingDoubles(int k, int d, CovarianceType type) {
        return travellingDoubles(k, d, type, 0);
    }

    /** {@link #travellingDoubles(int, int, CovarianceType)} with q factors (factor structure). */
    public static long travellingDoubles(int k, int d, CovarianceType type, int q) {
        long second = type == CovarianceType.FULL ? (long) k * d * (d + 1) / 2
                : type == CovarianceType.TIED ? (long) d * (d + 1) / 2
                : (long) k * type.statsStride(d, q);
        return k + (long) k * d + second + 3;
    }

    /** The identity of {@link #mergeFrom}: every statistic zero. */
    public static GaussianStats empty(int k, int d, CovarianceType type) {
        return new GaussianStats(k, d, type, 0);
    }

    /** {@link #empty(int, int, CovarianceType)} with q factors (factor structure). */
    public static GaussianStats empty(int k, int d, CovarianceType type, int q) {
        return new GaussianStats(k, d, type, q);
    }

    @Override
    public GaussianStats mergeFrom(GaussianStats o) {
        if (packedTriangles || o.packedTriangles) {
            throw new IllegalStateException("packed statistics must be unpacked before they merge");
        }
        if (o.k != k || o.d != d || o.type != type || o.q != q) {
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
        GaussianStats c = new GaussianStats(k, d, type, q);
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
