package dev.mixem.family.studentt;

import dev.mixem.config.CovarianceType;
import dev.mixem.family.MixtureParams;
import dev.mixem.family.gaussian.GaussianParams;

import java.util.Arrays;

/**
 * Parameters of a mixture of multivariate Student-t distributions: weights, locations μ_k and scale matrices
 * Σ_k (stored as a {@link GaussianParams} of the same structure, so that every covariance structure and its
 * validation are the Gaussian family's) and degrees of freedom ν_k. Component k's density is
 * <pre>
 *   t(x; μ, Σ, ν) = Γ((ν+d)/2) / (Γ(ν/2) (νπ)^{d/2} |Σ|^{1/2}) · (1 + δ/ν)^{-(ν+d)/2},  δ = (x-μ)ᵀ Σ⁻¹ (x-μ),
 * </pre>
 * whose covariance is ν/(ν-2) Σ when ν &gt; 2. ν = +∞ is the Gaussian limit: initialization's parameters
 * use it, so that the first statistics are the Gaussian ones; every M-step gives ν in
 * [{@link Dof#MIN}, {@link Dof#MAX}]. Immutable.
 */
public final class StudentTParams implements MixtureParams {
    private static final long serialVersionUID = 1L;

    private final GaussianParams gaussian;
    private final double[] dof;
    /** The degrees of freedom every fit of this family holds fixed, or 0 when they are estimated. */
    private final double fixedDof;
    private transient StudentTScorer scorer;

    /**
     * @param gaussian the weights, locations and scale matrices (any structure but factor)
     * @param dof      ν_k, k values in [{@link Dof#MIN}, {@link Dof#MAX}] or +∞
     * @param fixedDof the fixed ν of the fit ({@code --dof}), or 0 when ν is estimated
     */
    public StudentTParams(GaussianParams gaussian, double[] dof, double fixedDof) {
        if (gaussian.type() == CovarianceType.FACTOR) {
            throw new IllegalArgumentException("the student-t family has full, diag, tied and spherical scale"
                    + " matrices, not factor");
        }
        if (dof.length != gaussian.k()) {
            throw new IllegalArgumentException("expected " + gaussian.k() + " degrees of freedom, got " + dof.length);
        }
        for (int c = 0; c < dof.length; c++) {
            if (!(dof[c] == Double.POSITIVE_INFINITY || (dof[c] >= Dof.MIN && dof[c] <= Dof.MAX))) {
                throw new IllegalArgumentException("degrees of freedom of component " + c + " is " + dof[c]
                        + "; expected a number in [" + Dof.MIN + ", " + Dof.MAX + "]");
            }
        }
        Dof.checkFixed(fixedDof);
        this.gaussian = gaussian;
        this.dof = dof.clone();
        this.fixedDof = fixedDof;
    }

    /** The weights, locations and scale matrices. */
    public GaussianParams gaussian() {
        return gaussian;
    }

    public CovarianceType type() {
        return gaussian.type();
    }

    /** ν_k of every component (a copy). */
    public double[] dof() {
        return dof.clone();
    }

    public double dof(int c) {
        return dof[c];
    }

    /** The fixed ν of the fit, or 0 when ν is estimated. */
    public double fixedDof() {
        return fixedDof;
    }

    @Override
    public int k() {
        return gaussian.k();
    }

    @Override
    public int dim() {
        return gaussian.dim();
    }

    @Override
    public double weight(int c) {
        return gaussian.weight(c);
    }

    @Override
    public StudentTFamily family() {
        return StudentTFamily.of(gaussian.type(), fixedDof);
    }

    /** The broadcast form, computed once. */
    public StudentTScorer scorer() {
        StudentTScorer s = scorer;
        if (s == null) {
            s = new StudentTScorer(this);
            scorer = s;
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof StudentTParams p)) {
            return false;
        }
        GaussianParams g = p.gaussian;
        return g.type() == gaussian.type() && g.k() == gaussian.k() && g.dim() == gaussian.dim()
                && Arrays.equals(g.means(), gaussian.means()) && Arrays.equals(g.covariances(), gaussian.covariances())
                && Arrays.equals(g.weights(), gaussian.weights()) && Arrays.equals(p.dof, dof) && p.fixedDof == fixedDof;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(gaussian.means()) + Arrays.hashCode(dof);
    }

    @Override
    public String toString() {
        return "StudentTParams{" + gaussian + ", dof=" + Arrays.toString(dof) + "}";
    }
}
