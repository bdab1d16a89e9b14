package dev.mixem.family.independent;

import dev.mixem.math.LogFactorial;

import java.util.SplittableRandom;

/**
 * The per-feature density of a family whose features are independent given the component, written as an
 * exponential family in its mean μ: log p(x | μ) = x η(μ) − a(μ) + h(x). For such a family log p(x | c) of a
 * row is one dot product x·η_c plus constants, so a block's log-densities are one GEMM, and the statistics
 * Σr and Σr x (per observed cell) are sufficient.
 */
public enum Link {
    /** x ∈ {0, 1}: η = log(μ / (1 − μ)), a = −log(1 − μ), h = 0; μ kept in [ε, 1 − ε]. */
    BERNOULLI("bernoulli", "probabilities") {
        @Override
        public double eta(double mu) {
            return Math.log(mu) - Math.log1p(-mu);
        }

        @Override
        public double a(double mu) {
            return -Math.log1p(-mu);
        }

        @Override
        public double mean(double eta) {
            return 1 / (1 + Math.exp(-eta));
        }

        @Override
        public double clamp(double mu) {
            return Math.min(Math.max(mu, EPSILON), 1 - EPSILON);
        }

        @Override
        public boolean valid(double mu) {
            return mu >= EPSILON && mu <= 1 - EPSILON;
        }

        @Override
        public double draw(SplittableRandom rng, double mu) {
            return rng.nextDouble() < mu ? 1 : 0;
        }
    },
    /**
     * One indicator per level of a categorical variable: η = log μ, a = 0, h = 0; μ kept in [ε, 1] and each
     * variable's μ summing to 1 (the family renormalizes; see {@link Categories}).
     */
    CATEGORICAL("categorical", "probabilities") {
        @Override
        public double eta(double mu) {
            return Math.log(mu);
        }

        @Override
        public double a(double mu) {
            return 0;
        }

        @Override
        public double mean(double eta) {
            return Math.exp(eta);
        }

        @Override
        public double clamp(double mu) {
            return Math.min(Math.max(mu, EPSILON), 1);
        }

        @Override
        public boolean valid(double mu) {
            return mu >= EPSILON && mu <= 1;
        }

        /** Categorical variables are drawn a variable at a time ({@link IndependentFamily#sampler}). */
        @Override
        public double draw(SplittableRandom rng, double mu) {
            throw new UnsupportedOperationException("categorical levels are drawn per variable");
        }
    },
    /** x ∈ {0, 1, 2, ...}: η = log μ, a = μ, h = −log x!; μ ≥ ε. */
    POISSON("poisson", "rates") {
        @Override
        public double eta(double mu) {
            return Math.log(mu);
        }

        @Override
        public double a(double mu) {
            return mu;
        }

        @Override
        public double mean(double eta) {
            return Math.exp(eta);
        }

        @Override
        public double clamp(double mu) {
            return Math.min(Math.max(mu, EPSILON), MAX_RATE);
        }

        @Override
        public boolean valid(double mu) {
            return mu >= EPSILON && mu <= MAX_RATE;
        }

        @Override
        public double logBase(double x) {
            return -LogFactorial.of(x);
        }

        @Override
        public boolean hasBase() {
            return true;
        }

        @Override
        public double draw(SplittableRandom rng, double mu) {
            return poisson(rng, mu);
        }
    };

    /**
     * Bound that keeps every probability and rate away from 0 (and probabilities from 1), so that log μ and
     * log(1 − μ) stay finite: a feature never seen in a component's rows costs a row that has it at most
     * log(1e-10) ≈ −23 per cell instead of −∞. A component's bound changes its log-likelihood by at most
     * 1e-10 per cell of a row that agrees with it.
     */
    public static final double EPSILON = 1e-10;
    /** Largest rate (a count's rate beyond it does not fit the doubles' counting range). */
    public static final double MAX_RATE = 1e15;

    private final String family;
    private final String field;

    Link(String family, String field) {
        this.family = family;
        this.field = field;
    }

    /** The family's name in model.json. */
    public String family() {
        return family;
    }

    /** The name of the per-component means in model.json ({@code probabilities} or {@code rates}). */
    public String field() {
        return field;
    }

    /** The natural parameter of mean μ. */
    public abstract double eta(double mu);

    /** The log-partition a(μ). */
    public abstract double a(double mu);

    /** The mean of natural parameter η. */
    public abstract double mean(double eta);

    /** μ moved into the range the family keeps it in. */
    public abstract double clamp(double mu);

    /** Whether μ is in the range the family keeps it in. */
    public abstract boolean valid(double mu);

    /** h(x), the part of log p(x | μ) that does not depend on μ (0 unless overridden). */
    public double logBase(double x) {
        return 0;
    }

    /** Whether h is not identically 0. */
    public boolean hasBase() {
        return false;
    }

    /** One draw of the feature given mean μ. */
    public abstract double draw(SplittableRandom rng, double mu);

    public static Link of(String family) {
        for (Link l : values()) {
            if (l.family.equals(family)) {
                return l;
            }
        }
        throw new IllegalArgumentException("no family of independent features named '" + family + "'");
    }

    /**
     * A Poisson draw: multiplication of uniforms below rate 10; above, Hörmann's transformed rejection
     * (PTRS, 1993), exact for every rate.
     */
    static double poisson(SplittableRandom rng, double lam) {
        if (lam < 10) {
            double limit = Math.exp(-lam);
            double prod = rng.nextDouble();
            int n = 0;
            while (prod > limit) {
                prod *= rng.nextDouble();
                n++;
            }
            return n;
        }
        double slam = Math.sqrt(lam);
        double loglam = Math.log(lam);
        double b = 0.931 + 2.53 * slam;
        double a = -0.059 + 0.02483 * b;
        double invAlpha = 1.1239 + 1.1328 / (b - 3.4);
        double vr = 0.9277 - 3.6224 / (b - 2);
        while (true) {
            double u = rng.nextDouble() - 0.5;
            double v = rng.nextDouble();
            double us = 0.5 - Math.abs(u);
            double k = Math.floor((2 * a / us + b) * u + lam + 0.43);
            if (us >= 0.07 && v <= vr) {
                return k;
            }
            if (k < 0 || (us < 0.013 && v > us)) {
                continue;
            }
            if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b)
                    <= -lam + k * loglam - LogFactorial.of(k)) {
                return k;
            }
        }
    }
}
