package dev.mixem.family.independent;

import dev.mixem.family.MixtureParams;

import java.util.Arrays;

/**
 * A mixture whose features are independent given the component (Bernoulli, Poisson): weights and each
 * component's per-feature means μ (probabilities or rates), {@code means[c*d + j]}. Immutable.
 */
public final class IndependentParams implements MixtureParams {
    private static final long serialVersionUID = 1L;

    private final Link link;
    private final int k;
    private final int d;
    private final double[] weights;
    private final double[] means;
    /** The categorical variables and levels (null for Bernoulli and Poisson). */
    private final Categories categories;

    public IndependentParams(Link link, int k, int d, double[] weights, double[] means) {
        this(link, k, d, weights, means, null);
    }

    /**
     * @param categories for {@link Link#CATEGORICAL}: the variables whose indicators the d features are (each
     *                   variable's probabilities must sum to 1); null otherwise
     */
    public IndependentParams(Link link, int k, int d, double[] weights, double[] means, Categories categories) {
        if (weights.length != k || means.length != k * d) {
            throw new IllegalArgumentException("parameters of k=" + k + ", d=" + d + " need " + k + " weights and "
                    + k * d + " " + link.field() + ", got " + weights.length + " and " + means.length);
        }
        for (int i = 0; i < means.length; i++) {
            if (!link.valid(means[i])) {
                throw new IllegalArgumentException(link.field() + " of component " + i / d + ", feature " + i % d
                        + " is " + means[i] + ", outside [" + Link.EPSILON + ", "
                        + (link == Link.BERNOULLI ? 1 - Link.EPSILON : Link.MAX_RATE) + "]");
            }
        }
        for (int c = 0; c < k; c++) {
            if (!(weights[c] > 0) || Double.isInfinite(weights[c])) {
                throw new IllegalArgumentException("weight of component " + c + " is " + weights[c]
                        + "; weights must be positive");
            }
        }
        if ((link == Link.CATEGORICAL) != (categories != null)) {
            throw new IllegalArgumentException("categorical parameters (and only they) name their variables and levels");
        }
        if (categories != null) {
            if (categories.dim() != d) {
                throw new IllegalArgumentException(categories.dim() + " levels in all for dimension " + d);
            }
            for (int c = 0; c < k; c++) {
                for (int v = 0; v < categories.variableCount(); v++) {
                    double sum = 0;
                    for (int l = 0, o = categories.offset(v); l < categories.size(v); l++) {
                        sum += means[c * d + o + l];
                    }
                    if (Math.abs(sum - 1) > 1e-9) {
                        throw new IllegalArgumentException("the probabilities of variable '"
                                + categories.variables().get(v) + "' in component " + c + " sum to " + sum + ", not 1");
                    }
                }
            }
        }
        this.categories = categories;
        this.link = link;
        this.k = k;
        this.d = d;
        this.weights = weights.clone();
        this.means = means.clone();
    }

    public Link link() {
        return link;
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
    public double weight(int c) {
        return weights[c];
    }

    public double[] weights() {
        return weights.clone();
    }

    /** Every component's means, {@code [c*d + j]} (a copy). */
    public double[] means() {
        return means.clone();
    }

    /** Component c's means (a copy). */
    public double[] mean(int c) {
        return Arrays.copyOfRange(means, c * d, (c + 1) * d);
    }

    double meanAt(int c, int j) {
        return means[c * d + j];
    }

    /** The categorical variables and levels, or null. */
    public Categories categories() {
        return categories;
    }

    @Override
    public IndependentFamily family() {
        return categories != null ? IndependentFamily.categorical(categories, 0) : IndependentFamily.of(link);
    }

    public IndependentScorer scorer() {
        return new IndependentScorer(this);
    }

    /** (k − 1) weights and k·d means (categorical: k·Σ(levels − 1), each variable's summing to 1). */
    public long freeParameters() {
        int perComponent = categories == null ? d : d - categories.variableCount();
        return (k - 1) + (long) k * perComponent;
    }
}
