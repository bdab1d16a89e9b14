package dev.mixem.family.registry;

import dev.mixem.family.MixtureFamily;
import dev.mixem.family.MixtureParams;
import dev.mixem.family.MixtureScorer;
import dev.mixem.family.ParamsCodec;

import dev.mixem.config.Family;
import dev.mixem.config.FitConfig;
import dev.mixem.family.gaussian.GaussianCodec;
import dev.mixem.family.gaussian.GaussianFamily;
import dev.mixem.family.independent.IndependentFamily;
import dev.mixem.family.independent.Link;
import dev.mixem.family.studentt.StudentTFamily;
import dev.mixem.stats.MixtureStats;

/** The families mixem fits, by configuration and by their name in {@code model.json}. */
public final class Families {
    private Families() {
    }

    /** The family (with its structure and options) a configuration fits. */
    public static MixtureFamily<?, ?> of(FitConfig cfg) {
        return switch (cfg.family()) {
            case GAUSSIAN -> GaussianFamily.of(cfg.covarianceType(), cfg.factors());
            case BERNOULLI -> IndependentFamily.bernoulli(cfg.smoothing());
            case POISSON -> IndependentFamily.of(Link.POISSON);
            case CATEGORICAL -> throw new IllegalArgumentException("the categorical family needs its variables'"
                    + " levels, which the data gives: of(cfg, categories)");
            case STUDENT_T -> StudentTFamily.of(cfg.covarianceType(), cfg.dof());
        };
    }

    /** The family of a configuration, with the categorical variables' levels (null for other families). */
    public static MixtureFamily<?, ?> of(FitConfig cfg, dev.mixem.family.independent.Categories categories) {
        return cfg.family() == Family.CATEGORICAL ? IndependentFamily.categorical(categories, cfg.smoothing())
                : of(cfg);
    }

    /** The family of a model's parameters, as the configuration names it. */
    public static Family kind(MixtureParams params) {
        return Family.parse(params.family().name());
    }

    /** The codec of a family's name in {@code model.json}. */
    public static ParamsCodec<? extends MixtureParams> codec(String family) {
        return switch (Family.parse(family)) {
            case GAUSSIAN -> GaussianCodec.INSTANCE;
            case BERNOULLI -> IndependentFamily.codec(Link.BERNOULLI);
            case POISSON -> IndependentFamily.codec(Link.POISSON);
            case CATEGORICAL -> IndependentFamily.codec(Link.CATEGORICAL);
            case STUDENT_T -> StudentTFamily.paramsCodec();
        };
    }

    /** The codec of the parameters' family. */
    @SuppressWarnings("unchecked")
    public static <P extends MixtureParams> ParamsCodec<P> codecOf(P params) {
        return (ParamsCodec<P>) params.family().codec();
    }

    /** The broadcast form of any family's parameters. */
    public static MixtureScorer<?> scorer(MixtureParams params) {
        return scorer(params.family(), params);
    }

    @SuppressWarnings("unchecked")
    private static <P extends MixtureParams, S extends MixtureStats<S>> MixtureScorer<S> scorer(
            MixtureFamily<P, S> family, MixtureParams params) {
        return family.scorer((P) params);
    }

    /** Number of free parameters of any family's parameters. */
    public static long freeParameters(MixtureParams params) {
        return freeParameters(params.family(), params);
    }

    @SuppressWarnings("unchecked")
    private static <P extends MixtureParams, S extends MixtureStats<S>> long freeParameters(
            MixtureFamily<P, S> family, MixtureParams params) {
        return family.freeParameters((P) params);
    }
}
