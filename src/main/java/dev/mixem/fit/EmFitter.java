package dev.mixem.fit;

import dev.mixem.family.MixtureFamily;

import dev.mixem.family.MixturePass;

import dev.mixem.source.BlockSource;

import dev.mixem.config.FitConfig;
import dev.mixem.family.gaussian.GaussianMStep;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.family.NumericalException;
import dev.mixem.init.Initializer;
import dev.mixem.math.Seeds;
import dev.mixem.family.gaussian.GaussianStats;

import java.util.ArrayList;
import java.util.List;

/**
 * Full-batch EM for Gaussian mixtures (Dempster, Laird and Rubin 1977) over any {@link BlockSource}: each
 * iteration is one distributed pass (E-step and statistics) and a closed-form M-step on the driver.
 * <p>
 * Convergence follows scikit-learn: stop when the mean per-row log-likelihood changes by less than tol
 * between two E-steps. Unlike scikit-learn, the reported log-likelihood is that of the returned parameters
 * (the last E-step is of the returned parameters, so no pass is wasted).
 */
public final class EmFitter {
    private final FitListener listener;

    public EmFitter(FitListener listener) {
        this.listener = listener;
    }

    /** Runs {@code nInit} restarts, each initialized with its own seed, and keeps the best. */
    public FitResult fit(BlockSource source, FitConfig cfg) {
        return fit(source, cfg, Checkpointer.NONE);
    }

    /**
     * {@link #fit(BlockSource, FitConfig)}, saving its state through the checkpointer and, when the
     * checkpointer has one, continuing from a saved state: the result is then the one an uninterrupted fit
     * gives (the same parameters, log-likelihoods and iterations; only the seconds differ).
     */
    public FitResult fit(BlockSource source, FitConfig cfg, Checkpointer checkpoints) {
        if (cfg.k() > source.rows()) {
            throw new IllegalArgumentException("k = " + cfg.k() + " is larger than the number of rows ("
                    + source.rows() + ")");
        }
        FitCheckpoint resume = checkpoints.resume();
        FitResult best = resume == null ? null : resume.best();
        List<Double> restartLls = new ArrayList<>(resume == null ? List.of() : resume.restartLogLikelihoods());
        for (int r = resume == null ? 0 : resume.restart(); r < cfg.nInit() && !(best != null && listener.stopRequested());
             r++) {
            FitResult res;
            if (resume != null && r == resume.restart()) {
                res = run(source, cfg, r, resume, checkpoints, best, restartLls);
            } else {
                long restartSeed = Seeds.mix(cfg.seed(), r);
                long t0 = System.nanoTime();
                MixtureFamily.Update<GaussianParams> init = Initializer.initialize(source, cfg, restartSeed, r);
                listener.onInitialized(r, (System.nanoTime() - t0) / 1e9, init.params().k());
                FitCheckpoint start = new FitCheckpoint(r, 0, init.params(), List.of(), Double.NaN,
                        Double.NEGATIVE_INFINITY, init.dropped().size(), best, restartLls);
                if (checkpoints.every() > 0) {
                    checkpoints.save(start);
                }
                res = run(source, cfg, r, start, checkpoints, best, restartLls);
            }
            restartLls.add(res.avgLogLikelihood());
            if (best == null || res.avgLogLikelihood() > best.avgLogLikelihood()) {
                best = res;
            }
        }
        return new FitResult(best.params(), best.avgLogLikelihood(), best.iterations(), best.converged(),
                best.trace(), best.droppedComponents(), best.restart(), List.copyOf(restartLls), best.rows(),
                best.totalWeight());
    }

    /** EM from the given initial parameters. */
    public FitResult run(BlockSource source, GaussianParams init, FitConfig cfg, int restart) {
        return run(source, cfg, restart, new FitCheckpoint(restart, 0, init, List.of(), Double.NaN,
                Double.NEGATIVE_INFINITY, 0, null, List.of()), Checkpointer.NONE, null, List.of());
    }

    /** EM of one restart from the state {@code from}, with checkpoints of it (and of the fit around it). */
    private FitResult run(BlockSource source, FitConfig cfg, int restart, FitCheckpoint from,
                          Checkpointer checkpoints, FitResult best, List<Double> restartLls) {
        GaussianParams params = from.params();
        List<TraceEntry> trace = new ArrayList<>(from.trace());
        double prev = from.previousLogLikelihood();
        int dropped = from.dropped();
        int iteration = from.iteration();
        boolean converged = false;
        double guaranteed = from.guaranteedChange();
        long start = System.nanoTime();
        GaussianStats stats;
        while (true) {
            // E-step (and the statistics for the next M-step) under the current parameters.
            stats = MixturePass.eStep(source, params.scorer(), "mixem EM restart " + (restart + 1) + "/" + cfg.nInit() + " iteration " + iteration);
            double ll = stats.avgLogLikelihood();
            if (!Double.isFinite(ll)) {
                throw new NumericalException("mean log-likelihood became " + ll + " at iteration " + iteration);
            }
            double change = iteration == 0 ? Double.NaN : ll - prev;
            boolean decreased = iteration > 0 && EmGuard.fell(prev, ll);
            long now = System.nanoTime();
            double seconds = (now - start) / 1e9;
            start = now;
            trace.add(new TraceEntry(iteration, ll, seconds, decreased));
            listener.onIteration(new FitListener.IterationStatus(restart, iteration, ll, change, seconds, params.k()));
            if (iteration > 0) {
                EmGuard.check(prev, ll, guaranteed, "iteration " + iteration + " of restart " + (restart + 1));
            }
            if (iteration > 0 && Math.abs(change) < cfg.tol()) {
                converged = true;
                break;
            }
            if (iteration >= cfg.maxIter() || listener.stopRequested()) {
                break;
            }
            prev = ll;
            // M-step
            MixtureFamily.Update<GaussianParams> m = GaussianMStep.update(stats, params.means(), cfg.covarianceType(), cfg.regCovar());
            guaranteed = EmGuard.guaranteedChange(stats, params, m);
            dropped += m.dropped().size();
            params = m.params();
            iteration++;
            if (checkpoints.every() > 0 && iteration % checkpoints.every() == 0) {
                checkpoints.save(new FitCheckpoint(restart, iteration, params, trace, prev, guaranteed, dropped, best,
                        restartLls));
            }
        }
        return new FitResult(params, stats.avgLogLikelihood(), iteration, converged, List.copyOf(trace), dropped,
                restart, List.of(stats.avgLogLikelihood()), stats.rows, stats.weight);
    }
}
