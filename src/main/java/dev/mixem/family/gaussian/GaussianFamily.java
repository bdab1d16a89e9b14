package dev.mixem.family.gaussian;

import dev.mixem.config.CovarianceType;
import dev.mixem.family.MixtureFamily;
import dev.mixem.family.MixtureScorer;
import dev.mixem.family.ParamsCodec;
import dev.mixem.math.Linalg;

import java.util.List;

/**
 * The Gaussian family with one covariance structure: the {@link MixtureFamily} the generic fitters run. Its
 * arithmetic lives in {@link GaussianMStep} (M-step and EM's auxiliary function), {@link GaussianGradient}
 * (unconstrained coordinates), the {@link Covariance} strategies and the kernels that
 * {@link GaussianScorer} opens.
 */
public final class GaussianFamily implements MixtureFamily<GaussianParams, GaussianStats> {
    private static final GaussianFamily[] INSTANCES = new GaussianFamily[CovarianceType.values().length];

    static {
        for (CovarianceType t : CovarianceType.values()) {
            if (t != CovarianceType.FACTOR) {
                INSTANCES[t.ordinal()] = new GaussianFamily(t, 0);
            }
        }
    }

    private final CovarianceType type;
    /** Factors per component (factor structure; 0 otherwise). */
    private final int q;

    private GaussianFamily(CovarianceType type, int q) {
        this.type = type;
        this.q = q;
    }

    /** The family of a structure without factors (factor needs {@link #of(CovarianceType, int)}). */
    public static GaussianFamily of(CovarianceType type) {
        return of(type, 0);
    }

    /** The family of any structure; q is the number of factors of the factor structure, ignored otherwise. */
    public static GaussianFamily of(CovarianceType type, int q) {
        if (type == CovarianceType.FACTOR) {
            return new GaussianFamily(type, type.requireFactors(q));
        }
        return INSTANCES[type.ordinal()];
    }

    /** The family's factors per component (factor structure; 0 otherwise). */
    public int factors() {
        return q;
    }


    public CovarianceType covarianceType() {
        return type;
    }

    @Override
    public String name() {
        return GaussianCodec.INSTANCE.family();
    }

    @Override
    public String structure() {
        return type.serializedName();
    }

    @Override
    public MixtureScorer<GaussianStats> scorer(GaussianParams params) {
        check(params);
        return params.scorer();
    }

    @Override
    public Update<GaussianParams> mStep(GaussianStats stats, GaussianParams before, double regCovar) {
        check(before);
        if (type == CovarianceType.FACTOR) {
            return FactorMStep.update(stats, before, regCovar);
        }
        return GaussianMStep.update(stats, before.means(), type, regCovar);
    }

    @Override
    public double guaranteedChange(GaussianStats stats, GaussianParams before, Update<GaussianParams> step) {
        if (!step.dropped().isEmpty()) {
            return Double.NEGATIVE_INFINITY;
        }
        if (type == CovarianceType.FACTOR) {
            return FactorMStep.auxiliary(stats, before, step.params()) - FactorMStep.auxiliary(stats, before, before);
        }
        return GaussianMStep.auxiliary(stats, before.means(), step.params())
                - GaussianMStep.auxiliary(stats, before.means(), before);
    }

    @Override
    public long freeParameters(GaussianParams params) {
        return type.freeParameters(params.k(), params.dim(), params.factors());
    }

    @Override
    public double[] toVector(GaussianParams params) {
        check(params);
        return GaussianGradient.toVector(params);
    }

    @Override
    public GaussianParams fromVector(double[] v, GaussianParams shape) {
        return GaussianGradient.fromVector(v, type, q, shape.k(), shape.dim());
    }

    @Override
    public double[] gradient(GaussianStats stats, GaussianParams params) {
        return GaussianGradient.gradient(stats, params);
    }

    @Override
    public GaussianStats scaled(GaussianStats s, double f) {
        GaussianStats out = s.copy();
        for (int i = 0; i < out.resp.length; i++) {
            out.resp[i] *= f;
        }
        for (int i = 0; i < out.first.length; i++) {
            out.first[i] *= f;
        }
        for (int i = 0; i < out.second.length; i++) {
            out.second[i] *= f;
        }
        out.weight *= f;
        out.logLikelihood *= f;
        return out;
    }

    /**
     * The surviving components' statistics, re-centred from the old means m to the new means m':
     * with Δ = m - m', f' = f + N Δ and S' = S + f Δᵀ + Δ fᵀ + N Δ Δᵀ (per structure:
     * {@link Covariance#recentre}).
     */
    @Override
    public GaussianStats recentred(GaussianStats s, GaussianParams before, Update<GaussianParams> step) {
        GaussianStats kept = dropComponents(s, step.dropped());
        double[] from = dropMeans(before.means(), step.dropped(), before.dim());
        double[] to = step.params().means();
        GaussianStats out = kept.copy();
        int d = kept.d;
        double[] delta = new double[kept.k * d];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = from[i] - to[i];
        }
        for (int c = 0; c < kept.k; c++) {
            for (int a = 0; a < d; a++) {
                out.first[c * d + a] = kept.first[c * d + a] + kept.resp[c] * delta[c * d + a];
            }
        }
        if (type == CovarianceType.FACTOR) {
            // u' = u + Δ: Σ r u'² = Σ r u² + 2Δ Σ r u + N Δ², Σ r u' zᵀ = Σ r u zᵀ + Δ (Σ r z)ᵀ; the factors' own
            // statistics do not move.
            int q = kept.q;
            for (int c = 0; c < kept.k; c++) {
                int so = c * kept.stride;
                for (int a = 0; a < d; a++) {
                    double dl = delta[c * d + a];
                    out.second[so + a] = kept.second[so + a] + 2 * dl * kept.first[c * d + a] + kept.resp[c] * dl * dl;
                    for (int t = 0; t < q; t++) {
                        out.second[so + d + a + t * d] += dl * kept.second[so + d + d * q + t];
                    }
                }
            }
            return out;
        }
        Covariance.of(kept.type).recentre(kept, delta, out.second);
        return out;
    }

    /** Weights on the simplex within 1e-12 and every covariance positive definite (a Cholesky factor exists). */
    @Override
    public boolean constraintsHold(GaussianParams p) {
        double sum = 0;
        for (int c = 0; c < p.k(); c++) {
            if (!(p.weight(c) > 0)) {
                return false;
            }
            sum += p.weight(c);
        }
        if (Math.abs(sum - 1) > 1e-12) {
            return false;
        }
        if (p.type() == CovarianceType.FACTOR) {
            for (int c = 0; c < p.k(); c++) {
                for (double v : p.uniquenesses(c)) {
                    if (!(v > 0)) {
                        return false;
                    }
                }
            }
            return true;
        }
        // Tied has one matrix for all components: factor it once.
        int distinct = p.type() == CovarianceType.TIED ? 1 : p.k();
        for (int c = 0; c < distinct; c++) {
            if (p.type().matrix()) {
                if (Linalg.choleskyLower(p.covariance(c), 0, p.dim()) == null) {
                    return false;
                }
            } else {
                for (double v : p.covariance(c)) {
                    if (!(v > 0)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    @Override
    public ParamsCodec<GaussianParams> codec() {
        return GaussianCodec.INSTANCE;
    }

    /** Equal weights, the centers as means, and unit covariances (factor: Ψ = I, Λ = 0). */
    @Override
    public GaussianParams atCenters(double[] centers, int k, int d) {
        double[] w = new double[k];
        java.util.Arrays.fill(w, 1.0 / k);
        double[] cov = new double[type.paramLength(k, d, q)];
        int mats = type == CovarianceType.TIED ? 1 : k;
        switch (type) {
            case FULL, TIED -> {
                for (int c = 0; c < mats; c++) {
                    for (int j = 0; j < d; j++) {
                        cov[c * d * d + j * d + j] = 1;
                    }
                }
            }
            case DIAG, SPHERICAL -> java.util.Arrays.fill(cov, 1.0);
            case FACTOR -> {
                for (int c = 0; c < k; c++) {
                    java.util.Arrays.fill(cov, c * d * (q + 1), c * d * (q + 1) + d, 1.0);
                }
            }
        }
        return new GaussianParams(type, q, k, d, w, centers.clone(), cov);
    }

    @Override
    public GaussianParams planted(int k, int d, double separation, long seed) {
        return SyntheticMixture.random(type, q, k, d, separation, seed);
    }

    @Override
    public RowSampler sampler(GaussianParams params) {
        return new SyntheticMixture.Sampler(params)::draw;
    }

    private void check(GaussianParams p) {
        if (p.type() != type || p.factors() != q) {
            throw new IllegalArgumentException("parameters with " + p.type().serializedName()
                    + " covariance given to the Gaussian family with " + type.serializedName() + " covariance");
        }
    }

    static GaussianStats dropComponents(GaussianStats s, List<Integer> dropped) {
        if (dropped.isEmpty()) {
            return s;
        }
        int k = s.k - dropped.size();
        int d = s.d;
        GaussianStats out = GaussianStats.empty(k, d, s.type, s.q);
        int per = s.stride;
        if (per == 0) {
            System.arraycopy(s.second, 0, out.second, 0, s.second.length);
        }
        for (int c = 0, t = 0; c < s.k; c++) {
            if (dropped.contains(c)) {
                continue;
            }
            out.resp[t] = s.resp[c];
            System.arraycopy(s.first, c * d, out.first, t * d, d);
            System.arraycopy(s.second, c * per, out.second, t * per, per);
            t++;
        }
        out.weight = s.weight;
        out.logLikelihood = s.logLikelihood;
        out.rows = s.rows;
        return out;
    }

    static double[] dropMeans(double[] means, List<Integer> dropped, int d) {
        if (dropped.isEmpty()) {
            return means;
        }
        int k = means.length / d;
        double[] out = new double[(k - dropped.size()) * d];
        for (int c = 0, t = 0; c < k; c++) {
            if (!dropped.contains(c)) {
                System.arraycopy(means, c * d, out, t * d, d);
                t++;
            }
        }
        return out;
    }
}
