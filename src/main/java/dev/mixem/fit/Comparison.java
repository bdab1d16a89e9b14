package dev.mixem.fit;

import dev.mixem.source.BlockSource;

import dev.mixem.family.gaussian.GaussianParams;

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

    /**
     * @param passesToTarget  passes spent when the method first came within {@link #TARGET_GAP} of the best,
     *                        or null if it never did
     * @param secondsToTarget the same in seconds, or null
     */
    public record MethodOutcome(MethodFitter.Options options, MethodFitter.Result result, Double passesToTarget,
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
     *                 (each method gets its own default learning rate and step decay)
     * @param sweepBudget passes per run of the learning-rate sweep (0: no sweep)
     */
    public static Outcome run(BlockSource source, GaussianParams init, List<FitMethod> methods,
                              MethodFitter.Options template, double sweepBudget, Consumer<String> log) {
        List<MethodFitter.Result> results = new ArrayList<>();
        List<MethodFitter.Options> used = new ArrayList<>();
        for (FitMethod m : methods) {
            MethodFitter.Options o = template.withMethod(m);
            long t0 = System.nanoTime();
            MethodFitter.Result r = MethodFitter.run(source, init, o, s -> { });
            log.accept(String.format(java.util.Locale.ROOT, "%s: avgLogLikelihood %.8f after %.2f passes (%.1f s)%s",
                    m, r.finalAvgLogLikelihood(), r.trace().get(r.trace().size() - 1).passes(),
                    (System.nanoTime() - t0) / 1e9, r.diverged() != null ? "; diverged: " + r.diverged() : ""));
            results.add(r);
            used.add(o);
        }
        double best = Double.NEGATIVE_INFINITY;
        for (MethodFitter.Result r : results) {
            for (MethodStep s : r.trace()) {
                best = Math.max(best, s.avgLogLikelihood());
            }
        }
        List<MethodOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            MethodFitter.Result r = results.get(i);
            Double passes = null;
            Double seconds = null;
            int falls = 0;
            boolean held = true;
            for (MethodStep s : r.trace()) {
                if (passes == null && s.avgLogLikelihood() >= best - TARGET_GAP) {
                    passes = s.passes();
                    seconds = s.seconds();
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
                    MethodFitter.Options o = template.withMethod(m).withLearningRate(lr).withBudget(sweepBudget)
                            .withEvalEvery(sweepBudget);
                    MethodFitter.Result r = MethodFitter.run(source, init, o, s -> { });
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
