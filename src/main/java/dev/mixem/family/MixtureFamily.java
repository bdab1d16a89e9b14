package dev.mixem.family;

import dev.mixem.stats.MixtureStats;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A mixture family (with its structure, e.g. Gaussian with tied covariance): everything the generic fitters
 * need beyond the generic E-step. The fitters see only this interface, the family's parameters {@code P} and
 * its statistics {@code S}; a new family implements it, its {@link MixtureScorer} and {@link ChunkKernel}s,
 * and passes the family conformance suite.
 *
 * @param <P> the parameters
 * @param <S> the E-step's statistics, merged by addition
 */
public interface MixtureFamily<P extends MixtureParams, S extends MixtureStats<S>> {

    /** The family's name in {@code model.json}, e.g. {@code gaussian}. */
    String name();

    /** The structure's name in {@code model.json}, e.g. {@code tied}. */
    String structure();

    /** The broadcast form of the parameters: what one E-step pass ships to the executors. */
    MixtureScorer<S> scorer(P params);

    /**
     * The closed-form M-step from statistics gathered under {@code before}, with the collapse rule: components
     * whose share of the responsibility is too small to estimate are dropped (their indices into
     * {@code before} are returned) and the survivors' weights renormalized.
     *
     * @throws NumericalException when the statistics cannot give valid parameters
     */
    Update<P> mStep(S stats, P before, double regCovar);

    /**
     * EM's guaranteed change Q(θ′|θ) − Q(θ|θ) of the M-step {@code step} made from {@code stats} (gathered
     * under θ = {@code before}), per unit of row weight: the log-likelihood rises by at least this much (0
     * without regularization). −∞ when components were dropped (θ′ then has fewer, and no bound holds).
     */
    double guaranteedChange(S stats, P before, Update<P> step);

    /** Number of free parameters (for BIC and AIC). */
    long freeParameters(P params);

    /** The parameters in unconstrained coordinates, for the gradient methods. */
    double[] toVector(P params);

    /** The parameters of unconstrained coordinates, shaped like {@code shape} (same k and d). */
    P fromVector(double[] v, P shape);

    /** ∂(mean log-likelihood)/∂(unconstrained coordinates) at {@code params}, from the E-step under them. */
    double[] gradient(S stats, P params);

    /** The statistics times f (online EM's running average). */
    S scaled(S stats, double f);

    /**
     * Online EM: the statistics gathered under {@code before} as the statistics the M-step {@code step}'s
     * parameters would reference (the dropped components removed, re-centred on the new reference), so they
     * can be averaged with the next mini-batch's.
     */
    S recentred(S stats, P before, Update<P> step);

    /** Weights on the simplex within 1e-12 and every component's parameters valid (e.g. positive definite). */
    boolean constraintsHold(P params);

    /** The codec of the parameters' {@code params} object in {@code model.json}. */
    ParamsCodec<P> codec();

    /**
     * Parameters with equal weights whose components sit at the given centers ({@code centers[c*d + j]}): what
     * initialization scores and assigns rows with before its first M-step.
     */
    P atCenters(double[] centers, int k, int d);

    /** A random well-separated mixture of this family (a planted mixture for tests and benchmarks). */
    P planted(int k, int d, double separation, long seed);

    /** Draws rows from the mixture. */
    RowSampler sampler(P params);

    /** Draws one row into {@code out} and returns its component. */
    @FunctionalInterface
    interface RowSampler {
        int draw(SplittableRandom rng, double[] out);
    }

    /** The parameters of an M-step and the indices (into the previous parameters) of the components dropped. */
    record Update<P>(P params, List<Integer> dropped) {
        public Update {
            dropped = List.copyOf(dropped);
        }
    }
}
