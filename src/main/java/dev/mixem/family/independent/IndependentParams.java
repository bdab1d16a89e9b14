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

    public IndependentParams(Link link, int k, int d, double[] weights, double[] means) {
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

    @Override
    public IndependentFamily family() {
        return IndependentFamily.of(link);
    }

    public IndependentScorer scorer() {
        return new IndependentScorer(this);
    }

    /** (k − 1) weights and k·d means. */
    public long freeParameters() {
        return (k - 1) + (long) k * d;
    }
}
