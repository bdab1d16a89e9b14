package dev.mixem.family.studentt;

import dev.mixem.config.CovarianceType;
import dev.mixem.family.gaussian.GaussianStats;
import dev.mixem.stats.MixtureStats;

/**
 * Sufficient statistics of a Student-t mixture's E-step. With τ_ik the responsibilities, u_ik = E[u | x_i, k]
 * = (ν_k + d_o)/(ν_k + δ_ik) the expected scale of row i under component k (d_o its observed cells), and w_i
 * the row weight:
 * <pre>
 *   gaussian   = the Gaussian statistics (same structure, centred on the pass's locations) for the
 *                responsibilities w τ u: Σ wτu, Σ wτu (x - m), Σ wτu (x - m)(x - m)ᵀ, except that missing
 *                cells' conditional covariances are weighted by w τ (E[u · Cov(x_m | x_o, u)] = Cov(x_m | x_o))
 *   tau[k]     = Σ_i w τ_ik
 *   nuTerm[k]  = Σ_i w τ_ik (log u_ik - u_ik + ψ((ν_k + d_o)/2) - log((ν_k + d_o)/2)) = Σ w τ (E[log u] - E[u])
 * </pre>
 * with the totals of {@link MixtureStats}. Merging is elementwise addition.
 */
public final class StudentTStats extends MixtureStats<StudentTStats> {
    private static final long serialVersionUID = 1L;

    public final GaussianStats gaussian;
    public final double[] tau;
    public final double[] nuTerm;

    StudentTStats(GaussianStats gaussian, double[] tau, double[] nuTerm) {
        this.gaussian = gaussian;
        this.tau = tau;
        this.nuTerm = nuTerm;
    }

    /** The identity of {@link #mergeFrom}. */
    public static StudentTStats empty(int k, int d, CovarianceType type) {
        return new StudentTStats(GaussianStats.empty(k, d, type), new double[k], new double[k]);
    }

    @Override
    public StudentTStats mergeFrom(StudentTStats o) {
        if (o.tau.length != tau.length) {
            throw new IllegalArgumentException("cannot merge statistics of " + o.tau.length + " components into "
                    + tau.length);
        }
        gaussian.mergeFrom(o.gaussian);
        for (int c = 0; c < tau.length; c++) {
            tau[c] += o.tau[c];
            nuTerm[c] += o.nuTerm[c];
        }
        mergeTotals(o);
        return this;
    }

    /** The Gaussian part travels packed (full and tied second moments as triangles). */
    @Override
    public StudentTStats packed() {
        GaussianStats p = gaussian.packed();
        if (p == gaussian) {
            return this;
        }
        StudentTStats out = new StudentTStats(p, tau, nuTerm);
        out.mergeTotals(this);
        return out;
    }

    @Override
    public StudentTStats unpacked() {
        GaussianStats u = gaussian.unpacked();
        if (u == gaussian) {
            return this;
        }
        StudentTStats out = new StudentTStats(u, tau, nuTerm);
        out.mergeTotals(this);
        return out;
    }

    @Override
    public int components() {
        return tau.length;
    }

    /** tau, nuTerm, then the Gaussian statistics' values. */
    @Override
    public double[] values() {
        double[] g = gaussian.values();
        int k = tau.length;
        double[] out = new double[2 * k + g.length];
        System.arraycopy(tau, 0, out, 0, k);
        System.arraycopy(nuTerm, 0, out, k, k);
        System.arraycopy(g, 0, out, 2 * k, g.length);
        return out;
    }
}
