package dev.mixem.family.studentt;

import dev.mixem.family.ChunkKernel;
import dev.mixem.family.Imputer;
import dev.mixem.family.MixtureScorer;
import dev.mixem.family.gaussian.GaussianImputer;
import dev.mixem.family.gaussian.GaussianScorer;
import dev.mixem.math.Gamma;

/**
 * What the executors need to score rows under a Student-t mixture: the Gaussian scorer of the locations and
 * scale matrices (whose kernels give each row's Mahalanobis distance δ), and per component and number of
 * observed cells o = 0..d the t's extra constant and the correction of E[log u]:
 * <pre>
 *   log t(x_o; k) = log N(x_o; μ_o, Σ_oo) + δ/2 + lgamma((ν+o)/2) - lgamma(ν/2) - (o/2) log(ν/2)
 *                   - ((ν+o)/2) log(1 + δ/ν)
 * </pre>
 * (a component with ν = ∞ scores as the Gaussian). Tables of k·(d+1) doubles, computed once on the driver.
 */
public final class StudentTScorer implements MixtureScorer<StudentTStats> {
    private static final long serialVersionUID = 1L;

    final GaussianScorer gaussian;
    final int k;
    final int d;
    final double[] dof;
    /** Component c is Gaussian (ν = ∞). */
    final boolean[] gaussianComponent;
    /** [c*(d+1) + o]: lgamma((ν+o)/2) - lgamma(ν/2) - (o/2) log(ν/2). */
    final double[] tConst;
    /** [c*(d+1) + o]: ψ((ν+o)/2) - log((ν+o)/2). */
    final double[] logCorrection;

    StudentTScorer(StudentTParams p) {
        this.gaussian = p.gaussian().scorer();
        this.k = p.k();
        this.d = p.dim();
        this.dof = p.dof();
        this.gaussianComponent = new boolean[k];
        this.tConst = new double[k * (d + 1)];
        this.logCorrection = new double[k * (d + 1)];
        for (int c = 0; c < k; c++) {
            double nu = dof[c];
            gaussianComponent[c] = nu == Double.POSITIVE_INFINITY;
            if (gaussianComponent[c]) {
                continue;
            }
            double lgHalf = Gamma.logGamma(0.5 * nu);
            double logHalf = Math.log(0.5 * nu);
            for (int o = 0; o <= d; o++) {
                tConst[c * (d + 1) + o] = Gamma.logGamma(0.5 * (nu + o)) - lgHalf - 0.5 * o * logHalf;
                logCorrection[c * (d + 1) + o] = Dof.logCorrection(nu, o);
            }
        }
    }

    @Override
    public int k() {
        return k;
    }

    @Override
    public int dim() {
        return d;
    }

    @Override
    public StudentTStats emptyStats() {
        return StudentTStats.empty(k, d, gaussian.type);
    }

    @Override
    public ChunkKernel<StudentTStats> completeKernel() {
        return new StudentTKernel(this, gaussian.scaleMixtureKernel(false));
    }

    @Override
    public ChunkKernel<StudentTStats> missingKernel() {
        return new StudentTKernel(this, gaussian.scaleMixtureKernel(true));
    }

    /** A missing cell's conditional mean given the observed cells is the Gaussian one: E[x_m | x_o, u, k] does not depend on u. */
    @Override
    public Imputer imputer() {
        return new GaussianImputer(gaussian);
    }

    /** log t(x_o, z=c) from the Gaussian log p(x_o, z=c) {@code logN} of a row with o observed cells and constant lc. */
    double logJoint(int c, double logN, double lc, int o) {
        if (gaussianComponent[c]) {
            return logN;
        }
        double nu = dof[c];
        double delta = Math.max(0.0, 2 * (lc - logN));
        return lc + tConst[c * (d + 1) + o] - 0.5 * (nu + o) * Math.log1p(delta / nu);
    }
}
