package dev.mixem.family.studentt;

import dev.mixem.config.CovarianceType;
import dev.mixem.family.Collapse;
import dev.mixem.family.MixtureFamily;
import dev.mixem.family.MixtureScorer;
import dev.mixem.family.NumericalException;
import dev.mixem.family.ParamsCodec;
import dev.mixem.family.gaussian.Covariance;
import dev.mixem.family.gaussian.GaussianFamily;
import dev.mixem.family.gaussian.GaussianGradient;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.family.gaussian.GaussianScorer;
import dev.mixem.family.gaussian.GaussianStats;
import dev.mixem.family.gaussian.SyntheticMixture;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Mixtures of multivariate Student-t distributions (Peel and McLachlan 2000) with full, diag, tied or
 * spherical scale matrices: the Gaussian family's structures and kernels, with each row's latent scale
 * u ~ Gamma(ν/2, ν/2) integrated by EM. From the statistics of {@link StudentTStats} (τ, the Gaussian ones for
 * τ·u, and Σ τ (E[log u] - E[u])), the M-step is
 * <pre>
 *   w_k = Στ_k / Σ_j Στ_j,   μ_k = Σ τu x / Σ τu,   Σ_k = Σ τu (x - μ_k)(x - μ_k)ᵀ / Σ τ_k + reg·I
 *   (tied: the pooled scatter over Σ_k Στ_k; diag and spherical: its diagonal, its mean),
 *   ν_k by {@link Dof#update}, or fixed with {@code --dof}.
 * </pre>
 * EM's auxiliary function (per unit of row weight, up to terms of the pass's parameters alone) is
 * Σ_k [Στ_k (log w_k - ½ d log 2π - ½ log det Σ_k) - ½ tr(Σ_k⁻¹ S_k(μ_k)) + Στ_k ((ν/2) log(ν/2) - log Γ(ν/2))
 * + (ν/2) Σ τ (E[log u] - E[u])] / W, with S_k the τu-weighted scatter; the guard checks each step against
 * it, as for the Gaussian family. The collapse rule is the shared one, on Στ (and a component whose Σ τu is 0
 * is dropped too). Unconstrained coordinates: the Gaussian family's, then log ν_k when ν is estimated.
 */
public final class StudentTFamily implements MixtureFamily<StudentTParams, StudentTStats> {
    public static final String NAME = "student-t";

    private final CovarianceType type;
    private final double fixedDof;

    private StudentTFamily(CovarianceType type, double fixedDof) {
        this.type = type;
        this.fixedDof = fixedDof;
    }

    /**
     * The family with a scale structure (full, diag, tied, spherical), estimating ν per component
     * ({@code fixedDof} 0) or holding every ν at {@code fixedDof}.
     */
    public static StudentTFamily of(CovarianceType type, double fixedDof) {
        if (type == CovarianceType.FACTOR) {
            throw new IllegalArgumentException("--family student-t takes --covariance full, diag, tied or"
                    + " spherical, not factor");
        }
        Dof.checkFixed(fixedDof);
        return new StudentTFamily(type, fixedDof);
    }

    /** The family's codec, whatever its structure. */
    public static ParamsCodec<StudentTParams> paramsCodec() {
        return StudentTCodec.INSTANCE;
    }

    public CovarianceType covarianceType() {
        return type;
    }

    /** The fixed ν, or 0 when ν is estimated. */
    public double fixedDof() {
        return fixedDof;
    }

    private boolean estimated() {
        return fixedDof == 0;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String structure() {
        return type.serializedName();
    }

    @Override
    public MixtureScorer<StudentTStats> scorer(StudentTParams params) {
        check(params);
        return params.scorer();
    }

    @Override
    public Update<StudentTParams> mStep(StudentTStats s, StudentTParams before, double regCovar) {
        check(before);
        GaussianStats g = s.gaussian;
        int k = s.tau.length;
        int d = g.d;
        // Shares on Στ; a component whose rows all have u = 0 in double precision has no location to estimate.
        double[] share = new double[k];
        for (int c = 0; c < k; c++) {
            share[c] = g.resp[c] > 0 ? s.tau[c] : 0;
        }
        Collapse.Survivors sv = Collapse.survivors(share);
        int kk = sv.kept().size();
        int[] kept = new int[kk];
        double[] weights = new double[kk];
        double[] means = new double[kk * d];
        double[] delta = new double[kk * d];
        double[] dof = new double[kk];
        double[] reference = before.gaussian().means();
        double scaledTotal = 0;
        double tauTotal = 0;
        for (int t = 0; t < kk; t++) {
            int c = sv.kept().get(t);
            kept[t] = c;
            weights[t] = s.tau[c] / sv.keptTotal();
            for (int a = 0; a < d; a++) {
                delta[t * d + a] = g.first[c * d + a] / g.resp[c];
                means[t * d + a] = reference[c * d + a] + delta[t * d + a];
            }
            // From Gaussian statistics (initialization's, u = 1) the update would give MAX: start at START.
            dof[t] = !estimated() ? fixedDof
                    : before.dof(c) == Double.POSITIVE_INFINITY ? Dof.START : Dof.update(s.nuTerm[c] / s.tau[c]);
            scaledTotal += g.resp[c];
            tauTotal += s.tau[c];
        }
        // The Gaussian M-step divides the τu-weighted scatter by Σ τu; the t's divides it by Σ τ.
        double[] cov = Covariance.of(type).mStep(g, kept, delta, 0.0);
        switch (type) {
            case FULL -> {
                for (int t = 0; t < kk; t++) {
                    double f = g.resp[kept[t]] / s.tau[kept[t]];
                    for (int i = t * d * d; i < (t + 1) * d * d; i++) {
                        cov[i] *= f;
                    }
                    for (int a = 0; a < d; a++) {
                        cov[t * d * d + a + a * d] += regCovar;
                    }
                }
            }
            case TIED -> {
                double f = scaledTotal / tauTotal;
                for (int i = 0; i < d * d; i++) {
                    cov[i] *= f;
                }
                for (int a = 0; a < d; a++) {
                    cov[a + a * d] += regCovar;
                }
            }
            case DIAG -> {
                for (int t = 0; t < kk; t++) {
                    double f = g.resp[kept[t]] / s.tau[kept[t]];
                    for (int a = 0; a < d; a++) {
                        cov[t * d + a] = cov[t * d + a] * f + regCovar;
                    }
                }
            }
            case SPHERICAL -> {
                for (int t = 0; t < kk; t++) {
                    cov[t] = cov[t] * (g.resp[kept[t]] / s.tau[kept[t]]) + regCovar;
                }
            }
            case FACTOR -> throw new IllegalStateException("no factor structure");
        }
        GaussianParams gp = new GaussianParams(type, kk, d, weights, means, cov);
        return new Update<>(new StudentTParams(gp, dof, fixedDof), sv.dropped());
    }

    @Override
    public double guaranteedChange(StudentTStats s, StudentTParams before, Update<StudentTParams> step) {
        if (!step.dropped().isEmpty()) {
            return Double.NEGATIVE_INFINITY;
        }
        for (int c = 0; c < before.k(); c++) {
            if (before.dof(c) == Double.POSITIVE_INFINITY) {
                return Double.NEGATIVE_INFINITY;
            }
        }
        return auxiliary(s, before, step.params()) - auxiliary(s, before, before);
    }

    /** EM's auxiliary function Q(θ | θ_t) per unit of row weight, up to terms of θ_t alone (see the class). */
    static double auxiliary(StudentTStats s, StudentTParams before, StudentTParams p) {
        GaussianStats g = s.gaussian;
        int k = s.tau.length;
        int d = g.d;
        if (p.k() != k || p.dim() != d) {
            throw new IllegalArgumentException("statistics of k=" + k + ", d=" + d + " for parameters of k=" + p.k()
                    + ", d=" + p.dim());
        }
        GaussianScorer sc = p.gaussian().scorer();
        double[] reference = before.gaussian().means();
        double[] dev = new double[k * d];
        for (int i = 0; i < k * d; i++) {
            dev[i] = sc.means[i] - reference[i];
        }
        double q = 0;
        for (int c = 0; c < k; c++) {
            q += s.tau[c] * sc.logConst[c];
            if (s.tau[c] > 0) {
                q += Dof.auxiliary(p.dof(c), s.tau[c], s.nuTerm[c]);
            }
        }
        q -= 0.5 * Covariance.of(p.type()).trace(g, dev, sc);
        return q / s.weight;
    }

    @Override
    public long freeParameters(StudentTParams p) {
        return p.type().freeParameters(p.k(), p.dim(), 0) + (estimated() ? p.k() : 0);
    }

    @Override
    public double[] toVector(StudentTParams p) {
        check(p);
        double[] g = GaussianGradient.toVector(p.gaussian());
        if (!estimated()) {
            return g;
        }
        double[] v = Arrays.copyOf(g, g.length + p.k());
        for (int c = 0; c < p.k(); c++) {
            v[g.length + c] = Math.log(p.dof(c));
        }
        return v;
    }

    /** The Gaussian coordinates, then log ν clamped into [log MIN, log MAX] when ν is estimated. */
    @Override
    public StudentTParams fromVector(double[] v, StudentTParams shape) {
        int k = shape.k();
        int d = shape.dim();
        int size = GaussianGradient.size(type, k, d);
        GaussianParams g = GaussianGradient.fromVector(Arrays.copyOf(v, size), type, k, d);
        double[] dof = new double[k];
        for (int c = 0; c < k; c++) {
            if (estimated()) {
                double x = v[size + c];
                if (!Double.isFinite(x)) {
                    throw new NumericalException("a parameter became " + x + "; lower the learning rate");
                }
                dof[c] = Math.min(Dof.MAX, Math.max(Dof.MIN, Math.exp(x)));
            } else {
                dof[c] = fixedDof;
            }
        }
        return new StudentTParams(g, dof, fixedDof);
    }

    /**
     * The Gaussian family's gradient from the statistics with Στ in place of the responsibilities (Fisher's
     * identity on the t's complete-data likelihood: the scatter is τu-weighted, the log-determinants and the
     * weights τ-weighted), then ∂/∂log ν = ν ∂Q/∂ν / W.
     */
    @Override
    public double[] gradient(StudentTStats s, StudentTParams p) {
        GaussianStats g = s.gaussian;
        GaussianStats shifted = GaussianStats.empty(g.k, g.d, g.type);
        System.arraycopy(s.tau, 0, shifted.resp, 0, s.tau.length);
        System.arraycopy(g.first, 0, shifted.first, 0, g.first.length);
        System.arraycopy(g.second, 0, shifted.second, 0, g.second.length);
        shifted.weight = s.weight;
        double[] gg = GaussianGradient.gradient(shifted, p.gaussian());
        if (!estimated()) {
            return gg;
        }
        double[] out = Arrays.copyOf(gg, gg.length + p.k());
        for (int c = 0; c < p.k(); c++) {
            double nu = p.dof(c);
            out[gg.length + c] = nu * Dof.derivative(nu, s.tau[c], s.nuTerm[c]) / s.weight;
        }
        return out;
    }

    @Override
    public StudentTStats scaled(StudentTStats s, double f) {
        GaussianStats g = GaussianFamily.of(type).scaled(s.gaussian, f);
        double[] tau = s.tau.clone();
        double[] nu = s.nuTerm.clone();
        for (int c = 0; c < tau.length; c++) {
            tau[c] *= f;
            nu[c] *= f;
        }
        StudentTStats out = new StudentTStats(g, tau, nu);
        out.weight = s.weight * f;
        out.logLikelihood = s.logLikelihood * f;
        out.rows = s.rows;
        return out;
    }

    @Override
    public StudentTStats recentred(StudentTStats s, StudentTParams before, Update<StudentTParams> step) {
        GaussianStats g = GaussianFamily.of(type).recentred(s.gaussian, before.gaussian(),
                new Update<>(step.params().gaussian(), step.dropped()));
        int kk = step.params().k();
        double[] tau = new double[kk];
        double[] nu = new double[kk];
        for (int c = 0, t = 0; c < s.tau.length; c++) {
            if (!step.dropped().contains(c)) {
                tau[t] = s.tau[c];
                nu[t] = s.nuTerm[c];
                t++;
            }
        }
        StudentTStats out = new StudentTStats(g, tau, nu);
        out.weight = s.weight;
        out.logLikelihood = s.logLikelihood;
        out.rows = s.rows;
        return out;
    }

    /** The Gaussian family's constraints on the weights and scale matrices, and ν in [MIN, MAX]. */
    @Override
    public boolean constraintsHold(StudentTParams p) {
        for (int c = 0; c < p.k(); c++) {
            if (!(p.dof(c) >= Dof.MIN && p.dof(c) <= Dof.MAX)) {
                return false;
            }
        }
        return GaussianFamily.of(type).constraintsHold(p.gaussian());
    }

    @Override
    public ParamsCodec<StudentTParams> codec() {
        return StudentTCodec.INSTANCE;
    }

    /**
     * Equal weights, the centers as locations, unit scale matrices, and ν = ∞: initialization's statistics are
     * then the Gaussian ones (u = 1), and its M-step gives the first ν.
     */
    @Override
    public StudentTParams atCenters(double[] centers, int k, int d) {
        double[] dof = new double[k];
        Arrays.fill(dof, Double.POSITIVE_INFINITY);
        return new StudentTParams(GaussianFamily.of(type).atCenters(centers, k, d), dof, fixedDof);
    }

    /**
     * A planted Gaussian mixture's parameters as locations and scales, with ν_k = 3, 6, 12, 3, ... (or the fixed
     * ν), its locations √3 times further apart: separation counts standard deviations of a ν = 3 component,
     * whose covariance is 3 Σ.
     */
    @Override
    public StudentTParams planted(int k, int d, double separation, long seed) {
        GaussianParams g = SyntheticMixture.random(type, k, d, separation * Math.sqrt(3), seed);
        double[] dof = new double[k];
        for (int c = 0; c < k; c++) {
            dof[c] = estimated() ? 3 << (c % 3) : fixedDof;
        }
        return new StudentTParams(g, dof, fixedDof);
    }

    /** x = μ + (z - μ)/√g with z a draw of the Gaussian component and g ~ Gamma(ν/2, rate ν/2). */
    @Override
    public RowSampler sampler(StudentTParams params) {
        SyntheticMixture.Sampler gaussian = new SyntheticMixture.Sampler(params.gaussian());
        double[] means = params.gaussian().means();
        double[] dof = params.dof();
        int d = params.dim();
        return (rng, out) -> {
            int c = gaussian.draw(rng, out);
            double nu = dof[c];
            if (nu == Double.POSITIVE_INFINITY) {
                return c;
            }
            double scale = 1 / Math.sqrt(gamma(rng, 0.5 * nu) / (0.5 * nu));
            for (int j = 0; j < d; j++) {
                out[j] = means[c * d + j] + (out[j] - means[c * d + j]) * scale;
            }
            return c;
        };
    }

    /** A Gamma(shape, 1) draw (Marsaglia and Tsang 2000; shape &lt; 1 through Gamma(shape + 1) · U^(1/shape)). */
    static double gamma(SplittableRandom rng, double shape) {
        if (shape < 1) {
            double u = rng.nextDouble();
            return gamma(rng, shape + 1) * Math.pow(u, 1 / shape);
        }
        double dd = shape - 1.0 / 3;
        double cc = 1 / Math.sqrt(9 * dd);
        while (true) {
            double x = rng.nextGaussian();
            double v = 1 + cc * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = rng.nextDouble();
            if (Math.log(u) < 0.5 * x * x + dd - dd * v + dd * Math.log(v)) {
                return dd * v;
            }
        }
    }

    private void check(StudentTParams p) {
        if (p.type() != type || p.fixedDof() != fixedDof) {
            throw new IllegalArgumentException("parameters of the student-t family with "
                    + p.type().serializedName() + " scale given to the one with " + type.serializedName());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StudentTFamily f && f.type == type && f.fixedDof == fixedDof;
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + Double.hashCode(fixedDof);
    }

    @Override
    public String toString() {
        return NAME + " " + type.serializedName() + (estimated() ? "" : " dof=" + fixedDof);
    }
}
