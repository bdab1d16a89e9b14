package dev.mixem.fit;

import dev.mixem.config.FitConfig;
import dev.mixem.config.MethodOptions;

import dev.mixem.config.FitMethod;

import dev.mixem.source.BlockSource;

import dev.mixem.family.MixtureFamily;
import dev.mixem.family.MixtureParams;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.stats.MixtureStats;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * EM against the other methods on the user's own data: every method from the same initial parameters, on
 * the same cached rows, within the same budget of passes; then how close each came to the best
 * log-likelihood any of them reached, and at what cost. Optionally a sweep of the learning rate of the
 * gradient methods, to show how sensitive they are to it.
 */
public final class Comparison {
    /** "Within reach": the mean log-likelihood is at most this below the best any method reached. */
    public static final double TARGET_GAP = 1e-3;
    /** Learning rates of the sweep, as multiples of each method's default. */
    public static final double[] SWEEP_FACTORS = {0.1, 0.3, 1, 3, 10};
    /** compare's defaults: passes per method, mini-batch fraction, passes between evaluations, sweep passes. */
    public static final double DEFAULT_BUDGET_PASSES = 20;
    public static final double DEFAULT_BATCH_FRACTION = 0.02;
    public static final double DEFAULT_EVAL_EVERY = 0.25;
    public static final double DEFAULT_SWEEP_PASSES = 5;
    public static final List<FitMethod> DEFAULT_METHODS = List.of(FitMethod.values());

    /**
     * compare's defaults for k components: fit's defaults, EM within the budget of passes (no max-iter, no
     * tol), and the mini-batch options above.
     */
    public static FitConfig defaults(int k) {
        FitConfig fit = FitConfig.defaults(k);
        return fit.withMaxIter(Integer.MAX_VALUE, 0.0).withMethod(new MethodOptions(FitMethod.EM, 0,
                DEFAULT_BATCH_FRACTION, 0, DEFAULT_BUDGET_PASSES, 0, DEFAULT_EVAL_EVERY));
    }

    /**
     * @param passesToTarget  passes spent when the method first came within {@link #TARGET_GAP} of the best,
     *                        or null if it never did
     * @param secondsToTarget the same in seconds, or null
     */
    public record MethodOutcome(MethodOptions options, MethodFitter.Result<? extends MixtureParams> result, Double passesToTarget,
                                Double secondsToTarget, int likelihoodDecreases, boolean constraintsHeld) {
        public double finalAvgLogLikelihood() {
            return result.finalAvgLogLikelihood();
        }
    }

    /** One run of the sweep: the final log-likelihood, or NaN with the reason when the method diverged. */
    public record SweepPoint(FitMethod method, double learningRate, double finalAvgLogLikelihood, String diverged) {
    }

    public record Outcome(double bestAvgLogLikelihood, List<MethodOutcome> methods, List<SweepPoint> sweep) {
    }

    private Comparison() {
    }

    /**
     * @param template budget, batch fraction, evaluation sample, seed and reg-covar shared by every method
     *                 (each method gets its own default learning rate and step decay), its method options
     * @param sweepBudget passes per run of the learning-rate sweep (0: no sweep)
     */
    public static Outcome run(BlockSource source, GaussianParams init, List<FitMethod> methods,
                              FitConfig template, double sweepBudget, Consumer<String> log) {
        return run(init.family(), source, init, methods, template, sweepBudget, log);
    }

    /** {@link #run(BlockSource, GaussianParams, List, FitConfig, double, Consumer)} for any family. */
    public static <P extends MixtureParams, S extends MixtureStats<S>> Outcome run(
            MixtureFamily<P, S> family, BlockSource source, P init, List<FitMethod> methods, FitConfig template,
            double sweepBudget, Consumer<String> log) {
        // Every method within the budget of passes alone: no max-iter, no tol.
        template = template.withMaxIter(Integer.MAX_VALUE, 0.0);
        List<MethodFitter.Result<P>> results = new ArrayList<>();
        List<MethodOptions> used = new ArrayList<>();
        for (FitMethod m : methods) {
            MethodOptions o = template.method().withMethod(m);
            long t0 = System.nanoTime();
            MethodFitter.Result<P> r = MethodFitter.run(family, source, init, template.withMethod(o),
                    FitListener.NONE);
            log.accept(String.format(java.util.Locale.ROOT, "%s: avgLogLikelihood %.8f after %.2f passes (%.1f s)%s",
                    m, r.finalAvgLogLikelihood(), r.trace().get(r.trace().size() - 1).passes(),
                    (System.nanoTime() - t0) / 1e9, r.diverged() != null ? "; diverged: " + r.diverged() : ""));
            results.add(r);
            used.add(o);
        }
        double best = Double.NEGATIVE_INFINITY;
        for (MethodFitter.Result<P> r : results) {
            for (TraceEntry s : r.trace()) {
                best = Math.max(best, s.avgLogLikelihood());
            }
        }
        List<MethodOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            MethodFitter.Result<P> r = results.get(i);
            Double passes = null;
            Double seconds = null;
            int falls = 0;
            boolean held = true;
            double elapsed = 0;
            for (TraceEntry s : r.trace()) {
                elapsed += s.seconds();
                if (passes == null && s.avgLogLikelihood() >= best - TARGET_GAP) {
                    passes = s.passes();
                    seconds = elapsed;
                }
                falls += s.likelihoodDecreased() ? 1 : 0;
                held &= s.constraintsHeld();
            }
            outcomes.add(new MethodOutcome(used.get(i), r, passes, seconds, falls, held));
        }
        List<SweepPoint> sweep = new ArrayList<>();
        if (sweepBudget > 0) {
            for (FitMethod m : List.of(FitMethod.SGD, FitMethod.ADAM, FitMethod.GD)) {
                for (double f : SWEEP_FACTORS) {
                    double lr = m.defaultLearningRate() * f;
                    MethodOptions o = template.method().withMethod(m).withLearningRate(lr).withBudget(sweepBudget)
                            .withEvalEvery(sweepBudget);
                    MethodFitter.Result<P> r = MethodFitter.run(family, source, init, template.withMethod(o),
                            FitListener.NONE);
                    double ll = r.diverged() != null ? Double.NaN : r.finalAvgLogLikelihood();
                    sweep.add(new SweepPoint(m, lr, ll, r.diverged()));
                    log.accept(String.format(java.util.Locale.ROOT, "sweep %s lr %.4g: %s", m, lr,
                            r.diverged() != null ? "diverged" : String.format(java.util.Locale.ROOT, "%.8f", ll)));
                }
            }
        }
        return new Outcome(best, outcomes, sweep);
    }
}
