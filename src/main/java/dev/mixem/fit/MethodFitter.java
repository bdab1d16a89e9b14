package dev.mixem.fit;

import dev.mixem.config.FitConfig;
import dev.mixem.config.FitMethod;
import dev.mixem.config.MethodOptions;
import dev.mixem.family.MixtureFamily;
import dev.mixem.family.MixtureParams;
import dev.mixem.family.MixturePass;
import dev.mixem.family.NumericalException;
import dev.mixem.family.gaussian.GaussianFamily;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.math.Seeds;
import dev.mixem.source.BlockSource;
import dev.mixem.stats.MixtureStats;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs one fitting method from given initial parameters within a budget of passes over the data, for
 * {@code compare} and {@code fit --method}: em, online-em, gd, sgd and adam by the one {@link FitLoop};
 * lbfgs by Breeze's driver on the same pass, trace record and listener. A method that leaves the
 * representable parameters stops early and says why ({@link Result#diverged}) instead of failing.
 */
public final class MethodFitter {

    /**
     * @param diverged why the method stopped early (a parameter left the representable range), or null
     */
    public record Result<P>(FitMethod method, P params, List<TraceEntry> trace, String diverged) {
        public double finalAvgLogLikelihood() {
            return trace.get(trace.size() - 1).avgLogLikelihood();
        }
    }

    private MethodFitter() {
    }

    /** The Gaussian family with the parameters' covariance structure. */
    public static Result<GaussianParams> run(BlockSource source, GaussianParams init, FitConfig cfg,
                                             FitListener listener) {
        return run(GaussianFamily.of(init.type(), init.factors()), source, init, cfg, listener);
    }

    /**
     * Runs the configuration's method (and its options) from {@code init} until it has spent its budget of
     * passes: EM here ignores max-iter and tol, so that every method gets the same budget.
     */
    public static <P extends MixtureParams, S extends MixtureStats<S>> Result<P> run(
            MixtureFamily<P, S> family, BlockSource source, P init, FitConfig cfg, FitListener listener) {
        cfg = cfg.withMaxIter(Integer.MAX_VALUE, 0.0);
        MethodOptions o = cfg.method();
        if (o.method() == FitMethod.LBFGS) {
            return lbfgs(family, source, init, cfg, listener);
        }
        FitLoop<P, S> loop = new FitLoop<>(family, source, cfg, listener, 0, o.method().serializedName(), true);
        FitLoop.Outcome<P, S> out = loop.run(FitLoop.State.start(init), state -> { });
        return new Result<>(o.method(), out.params(), out.trace(), out.diverged());
    }

    /**
     * lbfgs: Breeze's L-BFGS on -LL in the unconstrained coordinates; every evaluation of the objective
     * (line-search trials included) is one pass. Stops at the first iterate at or past the budget.
     */
    private static <P extends MixtureParams, S extends MixtureStats<S>> Result<P> lbfgs(
            MixtureFamily<P, S> family, BlockSource source, P init, FitConfig cfg, FitListener listener) {
        MethodOptions o = cfg.method();
        long evalSeed = Seeds.mix(cfg.seed(), FitLoop.EVAL_SALT);
        List<TraceEntry> trace = new ArrayList<>();
        double[] passes = {0};
        double[][] lastX = {null};
        double[] lastLl = {Double.NaN};
        java.util.function.Function<double[], double[]> objective = x -> {
            double[] out = new double[x.length + 1];
            P p;
            try {
                p = family.fromVector(x, init);
            } catch (NumericalException | IllegalArgumentException e) {
                // Outside the representable parameters: an infinitely bad point for the line search.
                out[0] = Double.POSITIVE_INFINITY;
                return out;
            }
            S st = MixturePass.eStep(source, family.scorer(p), "lbfgs pass " + (int) (passes[0] + 1));
            passes[0] += 1;
            double[] g = family.gradient(st, p);
            out[0] = -st.avgLogLikelihood();
            for (int i = 0; i < g.length; i++) {
                out[i + 1] = -g[i];
            }
            lastX[0] = x.clone();
            lastLl[0] = st.avgLogLikelihood();
            return out;
        };
        java.util.function.ToDoubleFunction<P> evaluate = p -> (o.evalSample() > 0
                ? MixturePass.eStep(source, family.scorer(p), "lbfgs evaluation", o.evalSample(), evalSeed)
                : MixturePass.eStep(source, family.scorer(p), "lbfgs evaluation")).avgLogLikelihood();
        P params = init;
        int iteration = 0;
        String diverged = null;
        record(family, trace, listener, iteration, evaluate.applyAsDouble(params), 0, 0, params);
        long t0 = System.nanoTime();
        try {
            java.util.Iterator<double[]> it = new BreezeLbfgs(10).iterates(objective, family.toVector(params),
                    Integer.MAX_VALUE);
            it.next(); // the starting point
            while (passes[0] < o.budgetPasses() && it.hasNext()) {
                double[] x = it.next();
                params = family.fromVector(x, init);
                double seconds = (System.nanoTime() - t0) / 1e9;
                iteration++;
                // The accepted point is usually the line search's last evaluation: reuse its log-likelihood.
                double ll = o.evalSample() == 0 && java.util.Arrays.equals(x, lastX[0]) ? lastLl[0]
                        : evaluate.applyAsDouble(params);
                record(family, trace, listener, iteration, ll, passes[0], seconds, params);
                if (listener.stopRequested()) {
                    break;
                }
                t0 = System.nanoTime();
            }
        } catch (RuntimeException e) {
            diverged = "L-BFGS stopped: " + e.getMessage();
        }
        return new Result<>(FitMethod.LBFGS, params, List.copyOf(trace), diverged);
    }

    private static <P extends MixtureParams> void record(MixtureFamily<P, ?> family, List<TraceEntry> trace,
                                                         FitListener listener, int iteration, double ll,
                                                         double passes, double seconds, P params) {
        TraceEntry last = trace.isEmpty() ? null : trace.get(trace.size() - 1);
        TraceEntry e = new TraceEntry(iteration, ll, last == null ? Double.NaN : ll - last.avgLogLikelihood(),
                passes, seconds, last != null && EmGuard.fell(last.avgLogLikelihood(), ll),
                family.constraintsHold(params));
        trace.add(e);
        listener.onIteration(0, e);
    }
}
