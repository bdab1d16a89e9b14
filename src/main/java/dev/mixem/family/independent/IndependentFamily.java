package dev.mixem.family.independent;

import dev.mixem.family.MixtureFamily;
import dev.mixem.family.MixtureScorer;
import dev.mixem.family.NumericalException;
import dev.mixem.family.ParamsCodec;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Mixtures whose features are independent given the component, each an exponential family in its mean
 * ({@link Link}): Bernoulli (binary features, latent class analysis of yes/no items) and Poisson (counts).
 * <p>
 * M-step, with n_cj = Σ_i w_i r_ic o_ij the responsibility over the rows where feature j is observed:
 * w_c = Σr_c / Σr, μ_cj = Σ_i w_i r_ic o_ij x_ij / n_cj (Bernoulli with smoothing s: (Σ r x + s) / (n_cj + 2s), the
 * mode under a Beta(1 + s, 1 + s) prior), then kept in the link's range [ε, 1 − ε] or [ε, ∞). A missing cell
 * is integrated out exactly (features are independent given the component), so EM over the observed cells
 * is exact EM. A feature never observed among a component's rows keeps its previous mean.
 * <p>
 * Gradient coordinates: softmax logits log w_c, then the natural parameters η_cj (logits of probabilities,
 * log-rates); ∂ mean LL / ∂η_cj = (Σ r o x − μ_cj n_cj) / W.
 */
public final class IndependentFamily implements MixtureFamily<IndependentParams, IndependentStats> {
    private static final IndependentFamily BERNOULLI = new IndependentFamily(Link.BERNOULLI, 0);
    private static final IndependentFamily POISSON = new IndependentFamily(Link.POISSON, 0);

    private final Link link;
    private final double smoothing;
    /** Categorical: the variables and levels (null otherwise). */
    private final Categories categories;

    private IndependentFamily(Link link, double smoothing) {
        this(link, smoothing, null);
    }

    private IndependentFamily(Link link, double smoothing, Categories categories) {
        this.link = link;
        this.smoothing = smoothing;
        this.categories = categories;
    }

    /** The Bernoulli or Poisson family (categorical needs its variables: {@link #categorical}). */
    public static IndependentFamily of(Link link) {
        if (link == Link.CATEGORICAL) {
            throw new IllegalArgumentException("the categorical family needs its variables and levels");
        }
        return link == Link.BERNOULLI ? BERNOULLI : POISSON;
    }

    /**
     * Latent class analysis: a mixture of independent categorical variables, with a Dirichlet(1 + s) pseudo-count
     * s on every level's probability (s = 0: maximum likelihood).
     */
    public static IndependentFamily categorical(Categories categories, double smoothing) {
        if (!(smoothing >= 0) || Double.isInfinite(smoothing)) {
            throw new IllegalArgumentException("smoothing must be a finite number >= 0, got " + smoothing);
        }
        return new IndependentFamily(Link.CATEGORICAL, smoothing, java.util.Objects.requireNonNull(categories));
    }

    /** The categorical variables and levels, or null. */
    public Categories categories() {
        return categories;
    }

    /** Categorical: the variable of each feature (null otherwise). */
    private int[] groups() {
        return categories == null ? null : categories.groupOf();
    }

    /** The Bernoulli family with a Beta(1 + s, 1 + s) pseudo-count s on every probability (s = 0: maximum likelihood). */
    public static IndependentFamily bernoulli(double smoothing) {
        if (!(smoothing >= 0) || Double.isInfinite(smoothing)) {
            throw new IllegalArgumentException("smoothing must be a finite number >= 0, got " + smoothing);
        }
        return smoothing == 0 ? BERNOULLI : new IndependentFamily(Link.BERNOULLI, smoothing);
    }

    public Link link() {
        return link;
    }

    public double smoothing() {
        return smoothing;
    }

    @Override
    public String name() {
        return link.family();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IndependentFamily f && f.link == link && f.smoothing == smoothing
                && java.util.Objects.equals(f.categories, categories);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(link, smoothing, categories);
    }

    @Override
    public String structure() {
        return null;
    }

    @Override
    public MixtureScorer<IndependentStats> scorer(IndependentParams params) {
        check(params);
        return params.scorer();
    }

    /** The collapse rule of the Gaussian family (a component with no share of the responsibility is dropped). */
    @Override
    public Update<IndependentParams> mStep(IndependentStats s, IndependentParams before, double regCovar) {
        check(before);
        dev.mixem.family.Collapse.Survivors sv = dev.mixem.family.Collapse.survivors(s.resp);
        List<Integer> kept = sv.kept();
        int kk = kept.size();
        int d = s.d;
        int[] groupOf = groups();
        double[] weights = new double[kk];
        double[] means = new double[kk * d];
        for (int t = 0; t < kk; t++) {
            int c = kept.get(t);
            weights[t] = s.resp[c] / sv.keptTotal();
            for (int j = 0; j < d; j++) {
                double n = s.observed(c, j);
                double mu;
                if (n > dev.mixem.family.Collapse.SHARE * s.resp[c]) {
                    // Beta(1 + s, 1 + s) for a probability; Dirichlet(1 + s) over a variable's L levels.
                    double levels = categories == null ? 2 : categories.size(groupOf[j]);
                    mu = (s.sumX[c * d + j] + smoothing) / (n + levels * smoothing);
                } else {
                    mu = before.meanAt(c, j);
                }
                if (!Double.isFinite(mu)) {
                    throw new NumericalException(link.field() + " of component " + c + ", feature " + j + " is "
                            + mu + " (statistics Σrx = " + s.sumX[c * d + j] + ", Σr = " + n + ")");
                }
                means[t * d + j] = link.clamp(mu);
            }
            normalize(means, t * d);
        }
        return new Update<>(new IndependentParams(link, kk, d, weights, means, categories), sv.dropped());
    }

    /**
     * Q(θ'|θ) − Q(θ|θ), Q(θ) = Σ_c Σr_c log w_c + Σ_cj (Σ r o x η_cj − n_cj a_cj), per unit weight; the M-step
     * maximizes it over the link's range (≥ 0) except with smoothing, which maximizes it plus the prior.
     */
    @Override
    public double guaranteedChange(IndependentStats stats, IndependentParams before, Update<IndependentParams> step) {
        if (!step.dropped().isEmpty()) {
            return Double.NEGATIVE_INFINITY;
        }
        return (auxiliary(stats, step.params()) - auxiliary(stats, before)) / stats.weight;
    }

    /**
     * Categorical: each variable's probabilities of one component (at {@code off}) divided by their sum, so they
     * sum to 1 after the bound (which moves them by at most ε each); the bound holds again after it.
     */
    private void normalize(double[] means, int off) {
        if (categories == null) {
            return;
        }
        for (int v = 0; v < categories.variableCount(); v++) {
            int o = off + categories.offset(v);
            int size = categories.size(v);
            double sum = 0;
            for (int l = 0; l < size; l++) {
                sum += means[o + l];
            }
            for (int l = 0; l < size; l++) {
                means[o + l] = link.clamp(means[o + l] / sum);
            }
        }
    }

    private double auxiliary(IndependentStats s, IndependentParams p) {
        double q = 0;
        int d = s.d;
        for (int c = 0; c < s.k; c++) {
            q += s.resp[c] * Math.log(p.weight(c));
            for (int j = 0; j < d; j++) {
                double mu = p.meanAt(c, j);
                q += s.sumX[c * d + j] * link.eta(mu) - s.observed(c, j) * link.a(mu);
            }
        }
        return q;
    }

    @Override
    public long freeParameters(IndependentParams params) {
        return params.freeParameters();
    }

    @Override
    public double[] toVector(IndependentParams p) {
        check(p);
        int k = p.k();
        int d = p.dim();
        double[] v = new double[k + k * d];
        for (int c = 0; c < k; c++) {
            v[c] = Math.log(p.weight(c));
            for (int j = 0; j < d; j++) {
                v[k + c * d + j] = link.eta(p.meanAt(c, j));
            }
        }
        return v;
    }

    @Override
    public IndependentParams fromVector(double[] v, IndependentParams shape) {
        int k = shape.k();
        int d = shape.dim();
        if (v.length != k + k * d) {
            throw new IllegalArgumentException("expected " + (k + k * d) + " coordinates, got " + v.length);
        }
        for (double x : v) {
            if (!Double.isFinite(x)) {
                throw new NumericalException("a parameter became " + x + "; lower the learning rate");
            }
        }
        double[] w = dev.mixem.math.LogSumExp.softmax(v, k);
        double[] means = new double[k * d];
        if (categories != null) {
            // A softmax per variable of its levels' coordinates.
            for (int c = 0; c < k; c++) {
                for (int g = 0; g < categories.variableCount(); g++) {
                    int o = c * d + categories.offset(g);
                    double[] eta = java.util.Arrays.copyOfRange(v, k + o, k + o + categories.size(g));
                    double[] p = dev.mixem.math.LogSumExp.softmax(eta, eta.length);
                    System.arraycopy(p, 0, means, o, p.length);
                }
                normalize(means, c * d);
            }
            return new IndependentParams(link, k, d, w, means, categories);
        }
        for (int i = 0; i < k * d; i++) {
            means[i] = link.clamp(link.mean(v[k + i]));
        }
        return new IndependentParams(link, k, d, w, means);
    }

    @Override
    public double[] gradient(IndependentStats s, IndependentParams p) {
        int k = p.k();
        int d = p.dim();
        double w = s.weight;
        double[] g = new double[k + k * d];
        for (int c = 0; c < k; c++) {
            g[c] = (s.resp[c] - w * p.weight(c)) / w;
            for (int j = 0; j < d; j++) {
                g[k + c * d + j] = (s.sumX[c * d + j] - p.meanAt(c, j) * s.observed(c, j)) / w;
            }
        }
        return g;
    }

    @Override
    public IndependentStats scaled(IndependentStats s, double f) {
        IndependentStats out = s.copy();
        for (int i = 0; i < out.resp.length; i++) {
            out.resp[i] *= f;
        }
        for (int i = 0; i < out.sumX.length; i++) {
            out.sumX[i] *= f;
            out.missingResp[i] *= f;
        }
        out.weight *= f;
        out.logLikelihood *= f;
        return out;
    }

    /** The statistics do not depend on the parameters: only the dropped components are removed. */
    @Override
    public IndependentStats recentred(IndependentStats s, IndependentParams before, Update<IndependentParams> step) {
        if (step.dropped().isEmpty()) {
            return s;
        }
        int d = s.d;
        IndependentStats out = new IndependentStats(s.k - step.dropped().size(), d);
        for (int c = 0, t = 0; c < s.k; c++) {
            if (step.dropped().contains(c)) {
                continue;
            }
            out.resp[t] = s.resp[c];
            System.arraycopy(s.sumX, c * d, out.sumX, t * d, d);
            System.arraycopy(s.missingResp, c * d, out.missingResp, t * d, d);
            t++;
        }
        out.weight = s.weight;
        out.logLikelihood = s.logLikelihood;
        out.rows = s.rows;
        return out;
    }

    @Override
    public boolean constraintsHold(IndependentParams p) {
        double sum = 0;
        for (int c = 0; c < p.k(); c++) {
            if (!(p.weight(c) > 0)) {
                return false;
            }
            sum += p.weight(c);
            for (int j = 0; j < p.dim(); j++) {
                if (!link.valid(p.meanAt(c, j))) {
                    return false;
                }
            }
            if (categories != null) {
                for (int g = 0; g < categories.variableCount(); g++) {
                    double total = 0;
                    for (int l = 0, o = categories.offset(g); l < categories.size(g); l++) {
                        total += p.meanAt(c, o + l);
                    }
                    if (Math.abs(total - 1) > 1e-12) {
                        return false;
                    }
                }
            }
        }
        return Math.abs(sum - 1) <= 1e-12;
    }

    @Override
    public ParamsCodec<IndependentParams> codec() {
        return link == Link.BERNOULLI ? BERNOULLI_CODEC : link == Link.POISSON ? POISSON_CODEC : CATEGORICAL_CODEC;
    }

    private static final IndependentCodec BERNOULLI_CODEC = new IndependentCodec(Link.BERNOULLI);
    private static final IndependentCodec POISSON_CODEC = new IndependentCodec(Link.POISSON);
    private static final IndependentCodec CATEGORICAL_CODEC = new IndependentCodec(Link.CATEGORICAL);

    /** The codec of a family's name in model.json. */
    public static IndependentCodec codec(Link link) {
        return link == Link.BERNOULLI ? BERNOULLI_CODEC : link == Link.POISSON ? POISSON_CODEC : CATEGORICAL_CODEC;
    }

    /** Equal weights and the centers as means (kept in the link's range). */
    @Override
    public IndependentParams atCenters(double[] centers, int k, int d) {
        double[] w = new double[k];
        java.util.Arrays.fill(w, 1.0 / k);
        requireDim(d);
        double[] means = new double[k * d];
        for (int i = 0; i < means.length; i++) {
            means[i] = link.clamp(centers[i]);
        }
        for (int c = 0; c < k; c++) {
            normalize(means, c * d);
        }
        return new IndependentParams(link, k, d, w, means, categories);
    }

    /**
     * A random mixture: weights ∝ 1 + u (u uniform on [0, 1)), and for each component and feature the natural
     * parameter 0.4·separation·z (z standard normal) around a base (probability ½; rate 5): at the default
     * separation 5, logits (or log-rates) of standard deviation 2, so that two components differ in most
     * features.
     */
    @Override
    public IndependentParams planted(int k, int d, double separation, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] w = new double[k];
        double sum = 0;
        for (int c = 0; c < k; c++) {
            w[c] = 1 + rng.nextDouble();
            sum += w[c];
        }
        for (int c = 0; c < k; c++) {
            w[c] /= sum;
        }
        requireDim(d);
        double base = link == Link.POISSON ? Math.log(5) : 0;
        double[] means = new double[k * d];
        for (int i = 0; i < means.length; i++) {
            double mu = link.mean(base + 0.4 * separation * gaussian(rng));
            // Categorical: exp(η), which normalize() turns into a softmax per variable.
            means[i] = categories != null ? mu : link.clamp(mu);
        }
        for (int c = 0; c < k; c++) {
            normalize(means, c * d);
        }
        return new IndependentParams(link, k, d, w, means, categories);
    }

    private static double gaussian(SplittableRandom rng) {
        double u = rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
    }

    @Override
    public RowSampler sampler(IndependentParams params) {
        int k = params.k();
        int d = params.dim();
        double[] cumulative = new double[k];
        double s = 0;
        for (int c = 0; c < k; c++) {
            s += params.weight(c);
            cumulative[c] = s;
        }
        double[] means = params.means();
        return (rng, out) -> {
            double u = rng.nextDouble() * cumulative[k - 1];
            int c = 0;
            while (c < k - 1 && u >= cumulative[c]) {
                c++;
            }
            if (categories != null) {
                java.util.Arrays.fill(out, 0, d, 0.0);
                for (int g = 0; g < categories.variableCount(); g++) {
                    int o = categories.offset(g);
                    int size = categories.size(g);
                    double x = rng.nextDouble();
                    int l = 0;
                    double acc = means[c * d + o];
                    while (l < size - 1 && x >= acc) {
                        l++;
                        acc += means[c * d + o + l];
                    }
                    out[o + l] = 1;
                }
                return c;
            }
            for (int j = 0; j < d; j++) {
                out[j] = link.draw(rng, means[c * d + j]);
            }
            return c;
        };
    }

    /** Categorical: d must be the variables' number of levels in all. */
    private void requireDim(int d) {
        if (categories != null && categories.dim() != d) {
            throw new IllegalArgumentException("the categorical family has " + categories.dim()
                    + " levels in all, not " + d);
        }
    }

    private void check(IndependentParams p) {
        if (p.link() != link || !java.util.Objects.equals(p.categories(), categories)) {
            throw new IllegalArgumentException(p.link().family() + " parameters given to the " + link.family()
                    + " family");
        }
    }
}
