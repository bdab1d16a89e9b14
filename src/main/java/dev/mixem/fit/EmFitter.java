package dev.mixem.fit;

import dev.mixem.config.FitConfig;
import dev.mixem.config.FitMethod;
import dev.mixem.config.MethodOptions;
import dev.mixem.family.MixtureFamily;
import dev.mixem.family.MixtureParams;
import dev.mixem.family.gaussian.GaussianFamily;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.init.Initializer;
import dev.mixem.math.Seeds;
import dev.mixem.source.BlockSource;
import dev.mixem.stats.MixtureStats;

import java.util.ArrayList;
import java.util.List;

/**
 * Full-batch EM (Dempster, Laird and Rubin 1977) with restarts and checkpoints, over any
 * {@link BlockSource} and any {@link MixtureFamily}: each restart is initialized with its own seed and run by
 * the one {@link FitLoop} (one distributed pass and a closed-form M-step per iteration, checked by
 * {@link EmGuard}); the restart with the highest log-likelihood is kept.
 * <p>
 * Convergence follows scikit-learn: stop when the mean per-row log-likelihood changes by less than tol
 * between two E-steps. Unlike scikit-learn, the reported log-likelihood is that of the returned parameters
 * (the last E-step is of the returned parameters, so no pass is wasted).
 */
public final class EmFitter {
    private final FitListener listener;

    /** How a family's restarts are initialized: parameters from (source, config, seed, restart). */
    @FunctionalInterface
    public interface Initialization<P> {
        MixtureFamily.Update<P> initialize(BlockSource source, FitConfig cfg, long seed, int restart);
    }

    /**
     * The family's initialization: the Gaussian family's centred hard-assignment M-step
     * ({@link Initializer#initialize(BlockSource, FitConfig, long, int)}), any other family's through its own
     * kernels and M-step ({@link Initializer#initialize(MixtureFamily, BlockSource, FitConfig, long, int)}).
     */
    @SuppressWarnings("unchecked")
    public static <P extends MixtureParams, S extends MixtureStats<S>> Initialization<P> initialization(
            MixtureFamily<P, S> family) {
        if (family instanceof GaussianFamily) {
            // Sparse blocks: the generic route, through the family's sparse kernel.
            Initialization<GaussianParams> g = (source, cfg, seed, restart) -> source.sparse()
                    ? Initializer.initialize((GaussianFamily) family, source, cfg, seed, restart)
                    : Initializer.initialize(source, cfg, seed, restart);
            return (Initialization<P>) (Initialization<?>) g;
        }
        return (source, cfg, seed, restart) -> Initializer.initialize(family, source, cfg, seed, restart);
    }

    /** EM of any family with its initialization ({@link #initialization}). */
    public <P extends MixtureParams, S extends MixtureStats<S>> FitResult<P> fit(
            MixtureFamily<P, S> family, BlockSource source, FitConfig cfg, Checkpointer<P> checkpoints) {
        return fit(family, initialization(family), source, cfg, checkpoints);
    }

    public EmFitter(FitListener listener) {
        this.listener = listener;
    }

    /** Gaussian EM with the configuration's covariance structure and initialization. */
    public FitResult<GaussianParams> fit(BlockSource source, FitConfig cfg) {
        return fit(source, cfg, Checkpointer.none());
    }

    /**
     * {@link #fit(BlockSource, FitConfig)}, saving its state through the checkpointer and, when the
     * checkpointer has one, continuing from a saved state: the result is then the one an uninterrupted fit
     * gives (the same parameters, log-likelihoods and iterations; only the seconds differ).
     */
    public FitResult<GaussianParams> fit(BlockSource source, FitConfig cfg, Checkpointer<GaussianParams> checkpoints) {
        return fit(GaussianFamily.of(cfg.covarianceType(), cfg.factors()), Initializer::initialize, source, cfg, checkpoints);
    }

    /** Runs {@code nInit} restarts of EM for the family, each initialized with its own seed, and keeps the best. */
    public <P extends MixtureParams, S extends MixtureStats<S>> FitResult<P> fit(
            MixtureFamily<P, S> family, Initialization<P> initialization, BlockSource source, FitConfig cfg,
            Checkpointer<P> checkpoints) {
        if (cfg.k() > source.rows()) {
            throw new IllegalArgumentException("k = " + cfg.k() + " is larger than the number of rows ("
                    + source.rows() + ")");
        }
        cfg = asEm(cfg);
        FitCheckpoint<P> resume = checkpoints.resume();
        FitResult<P> best = resume == null ? null : resume.best();
        List<Double> restartLls = new ArrayList<>(resume == null ? List.of() : resume.restartLogLikelihoods());
        for (int r = resume == null ? 0 : resume.restart(); r < cfg.nInit() && !(best != null && listener.stopRequested());
             r++) {
            FitResult<P> res;
            if (resume != null && r == resume.restart()) {
                res = run(family, source, cfg, r, resume.state(), checkpoints, best, restartLls);
            } else {
                long restartSeed = Seeds.mix(cfg.seed(), r);
                long t0 = System.nanoTime();
                MixtureFamily.Update<P> init = initialization.initialize(source, cfg, restartSeed, r);
                listener.onInitialized(r, (System.nanoTime() - t0) / 1e9, init.params().k());
                FitLoop.State<P> start = new FitLoop.State<>(0, init.params(), List.of(), Double.NaN,
                        Double.NEGATIVE_INFINITY, init.dropped().size());
                if (checkpoints.every() > 0) {
                    checkpoints.save(new FitCheckpoint<>(r, start, best, restartLls));
                }
                res = run(family, source, cfg, r, start, checkpoints, best, restartLls);
            }
            restartLls.add(res.avgLogLikelihood());
            if (best == null || res.avgLogLikelihood() > best.avgLogLikelihood()) {
                best = res;
            }
        }
        return new FitResult<>(best.params(), best.avgLogLikelihood(), best.iterations(), best.converged(),
                best.trace(), best.droppedComponents(), best.restart(), List.copyOf(restartLls), best.rows(),
                best.totalWeight());
    }

    /** Gaussian EM from the given initial parameters. */
    public FitResult<GaussianParams> run(BlockSource source, GaussianParams init, FitConfig cfg, int restart) {
        return run(GaussianFamily.of(init.type(), init.factors()), source, asEm(cfg), restart, FitLoop.State.start(init),
                Checkpointer.none(), null, List.of());
    }

    /** EM of any family from the given initial parameters (one restart, no checkpoints). */
    public <P extends MixtureParams, S extends MixtureStats<S>> FitResult<P> run(
            MixtureFamily<P, S> family, BlockSource source, P init, FitConfig cfg, int restart) {
        return run(family, source, asEm(cfg), restart, FitLoop.State.start(init), Checkpointer.none(), null, List.of());
    }

    /** The configuration with EM as its method (which max-iter and tol stop). */
    private static FitConfig asEm(FitConfig cfg) {
        if (cfg.method().method() == FitMethod.EM) {
            return cfg;
        }
        return cfg.withMethod(MethodOptions.defaults(FitMethod.EM, Double.POSITIVE_INFINITY));
    }

    /** EM of one restart from the state {@code from}, with checkpoints of it (and of the fit around it). */
    private <P extends MixtureParams, S extends MixtureStats<S>> FitResult<P> run(
            MixtureFamily<P, S> family, BlockSource source, FitConfig cfg, int restart, FitLoop.State<P> from,
            Checkpointer<P> checkpoints, FitResult<P> best, List<Double> restartLls) {
        FitLoop<P, S> loop = new FitLoop<>(family, source, cfg, listener, restart,
                "mixem EM restart " + (restart + 1) + "/" + cfg.nInit(), false);
        FitLoop.Outcome<P, S> out = loop.run(from, state -> {
            if (checkpoints.every() > 0 && state.iteration() % checkpoints.every() == 0) {
                checkpoints.save(new FitCheckpoint<>(restart, state, best, restartLls));
            }
        });
        S stats = out.lastStats();
        return new FitResult<>(out.params(), stats.avgLogLikelihood(), out.iterations(), out.converged(),
                out.trace(), out.dropped(), restart, List.of(stats.avgLogLikelihood()), stats.rows, stats.weight);
    }
}
