package dev.mixem.fit;

import dev.mixem.config.FitConfig;
import dev.mixem.config.FitMethod;
import dev.mixem.config.MethodOptions;
import dev.mixem.family.MixtureFamily;
import dev.mixem.family.MixtureParams;
import dev.mixem.family.MixturePass;
import dev.mixem.family.NumericalException;
import dev.mixem.math.Seeds;
import dev.mixem.source.BlockSource;
import dev.mixem.stats.MixtureStats;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The one fit loop of every method but L-BFGS, for any {@link MixtureFamily}: score the parameters, record a
 * trace point, update, repeat. The methods differ only in the statistics an update sees and in the update:
 * <ul>
 *   <li>em: the closed-form M-step on the statistics of all rows, checked by {@link EmGuard};</li>
 *   <li>online-em: running statistics S ← (1-γ_t) S + γ_t S(mini-batch), γ_t = (t + 2)^-κ, then the M-step
 *       (Cappé and Moulines 2009); the running statistics are re-centred on each step's parameters;</li>
 *   <li>gd, sgd, adam: ascent on the gradient of all rows or of a mini-batch, in the family's unconstrained
 *       coordinates, learning rate lr / (1 + decay·t).</li>
 * </ul>
 * A full-batch update uses the E-step that scored the parameters, so an EM iteration is one pass. A
 * mini-batch holds the rows whose hash of (seed, step, global row index) falls below the batch fraction,
 * drawn on the executors, and the parameters are scored about every {@link MethodOptions#evalEveryPasses}
 * (on all rows or on a fixed sample; evaluation is not counted in passes or seconds). EM stops when the mean
 * log-likelihood changes by less than tol (scikit-learn's rule) or after max-iter M-steps; every method
 * stops when the next update would exceed the budget of passes, or when the listener asks.
 */
final class FitLoop<P extends MixtureParams, S extends MixtureStats<S>> {
    /** Salt of the evaluation sample's seed. */
    static final long EVAL_SALT = 0x4556414CL;

    /**
     * Where a loop starts (and what a checkpoint keeps): the parameters after {@code iteration} updates, the
     * trace so far, the previous full-data log-likelihood (NaN at iteration 0), the change the last EM step
     * guarantees (-∞ when none) and the components dropped so far.
     */
    record State<P>(int iteration, P params, List<TraceEntry> trace, double previousLogLikelihood,
                    double guaranteedChange, int dropped) {
        State {
            trace = List.copyOf(trace);
        }

        static <P> State<P> start(P params) {
            return new State<>(0, params, List.of(), Double.NaN, Double.NEGATIVE_INFINITY, 0);
        }
    }

    /**
     * How a loop ended.
     *
     * @param lastStats the last full-data E-step, under {@code params} (null for mini-batch methods)
     * @param diverged  why the method stopped early (a parameter left the representable range), or null
     */
    record Outcome<P, S>(P params, List<TraceEntry> trace, int iterations, boolean converged, int dropped,
                         S lastStats, String diverged) {
    }

    private final MixtureFamily<P, S> family;
    private final BlockSource source;
    private final FitConfig cfg;
    private final MethodOptions o;
    private final FitMethod method;
    private final FitListener listener;
    private final int restart;
    private final String label;
    /** Whether a numerical failure ends the method as diverged (compare) rather than failing the fit. */
    private final boolean tolerant;
    // Adam's moments and online EM's running statistics.
    private double[] m1;
    private double[] m2;
    private S running;
    private double guaranteed;
    private int dropped;

    FitLoop(MixtureFamily<P, S> family, BlockSource source, FitConfig cfg, FitListener listener, int restart,
            String label, boolean tolerant) {
        this.family = family;
        this.source = source;
        this.cfg = cfg;
        this.o = cfg.method();
        this.method = o.method();
        if (method == FitMethod.LBFGS) {
            throw new IllegalArgumentException("lbfgs has its own driver (MethodFitter)");
        }
        this.listener = listener;
        this.restart = restart;
        this.label = label;
        this.tolerant = tolerant;
    }

    /**
     * Runs from {@code from} until the method stops; {@code afterUpdate} sees the state after every update
     * (EM's checkpoints).
     */
    Outcome<P, S> run(State<P> from, Consumer<State<P>> afterUpdate) {
        boolean full = !method.miniBatch();
        boolean em = method == FitMethod.EM;
        double fraction = full ? 1.0 : o.batchFraction();
        double budget = o.budgetPasses();
        int maxUpdates = em ? cfg.maxIter() : Integer.MAX_VALUE;
        int evalEvery = full ? 1 : Math.max(1, (int) Math.round(o.evalEveryPasses() / fraction));
        long evalSeed = Seeds.mix(cfg.seed(), EVAL_SALT);

        P params = from.params();
        List<TraceEntry> trace = new ArrayList<>(from.trace());
        int iteration = from.iteration();
        double prev = from.previousLogLikelihood();
        guaranteed = from.guaranteedChange();
        dropped = from.dropped();
        boolean converged = false;
        String diverged = null;
        S stats = null;
        double seconds = 0;
        while (true) {
            boolean canStep = (iteration + 1) * fraction <= budget + 1e-9 && iteration < maxUpdates;
            boolean record = full || iteration == from.iteration() || iteration % evalEvery == 0 || !canStep;
            double ll = Double.NaN;
            // A full-batch pass scores these parameters and gathers the statistics of the next update: like
            // the passes, its seconds count towards the next point (so the first point costs nothing, as
            // for every method).
            double passSeconds = 0;
            try {
                if (full) {
                    long t0 = System.nanoTime();
                    stats = MixturePass.eStep(source, family.scorer(params), label + " pass " + (iteration + 1));
                    passSeconds = (System.nanoTime() - t0) / 1e9;
                    ll = stats.avgLogLikelihood();
                    if (!Double.isFinite(ll)) {
                        throw new NumericalException("mean log-likelihood became " + ll + " at iteration " + iteration);
                    }
                }
                if (record) {
                    double shown = full && o.evalSample() == 0 ? ll : evaluate(params, evalSeed);
                    TraceEntry last = trace.isEmpty() ? null : trace.get(trace.size() - 1);
                    double change = last == null ? Double.NaN : shown - last.avgLogLikelihood();
                    TraceEntry entry = new TraceEntry(iteration, shown, change, iteration * fraction, seconds,
                            last != null && EmGuard.fell(last.avgLogLikelihood(), shown),
                            family.constraintsHold(params));
                    seconds = 0;
                    trace.add(entry);
                    listener.onIteration(restart, entry);
                }
                seconds += passSeconds;
            } catch (NumericalException e) {
                if (!tolerant) {
                    throw e;
                }
                diverged = e.getMessage();
                break;
            }
            if (em && iteration > 0 && !Double.isNaN(prev)) {
                EmGuard.check(prev, ll, guaranteed, "iteration " + iteration + " of restart " + (restart + 1));
                if (Math.abs(ll - prev) < cfg.tol()) {
                    converged = true;
                    break;
                }
            }
            if (!canStep || (record && listener.stopRequested())) {
                break;
            }
            prev = ll;
            long t1 = System.nanoTime();
            try {
                S batch = full ? stats : MixturePass.eStep(source, family.scorer(params),
                        label + " step " + (iteration + 1), fraction, Seeds.mix(cfg.seed(), iteration));
                if (full || batch.weight > 0) {
                    params = update(batch, params, iteration);
                }
            } catch (NumericalException e) {
                if (!tolerant) {
                    throw e;
                }
                diverged = e.getMessage();
                break;
            }
            seconds += (System.nanoTime() - t1) / 1e9;
            iteration++;
            afterUpdate.accept(new State<>(iteration, params, trace, prev, guaranteed, dropped));
        }
        return new Outcome<>(params, List.copyOf(trace), iteration, converged, dropped, full ? stats : null, diverged);
    }

    /** The mean log-likelihood of p on every row, or on the fixed evaluation sample. */
    private double evaluate(P p, long evalSeed) {
        S s = o.evalSample() > 0
                ? MixturePass.eStep(source, family.scorer(p), label + " evaluation", o.evalSample(), evalSeed)
                : MixturePass.eStep(source, family.scorer(p), label + " evaluation");
        return s.avgLogLikelihood();
    }

    private P update(S s, P params, int t) {
        switch (method) {
            case EM: {
                MixtureFamily.Update<P> m = family.mStep(s, params, cfg.regCovar());
                guaranteed = family.guaranteedChange(s, params, m);
                dropped += m.dropped().size();
                return m.params();
            }
            case ONLINE_EM:
                return onlineEm(s, params, t);
            case GD:
                return ascend(s, params, o.learningRate());
            case SGD:
                return ascend(s, params, o.learningRate() / (1 + o.stepDecay() * t));
            case ADAM:
                return adam(s, params, o.learningRate() / (1 + o.stepDecay() * t), t + 1);
            default:
                throw new IllegalStateException("method " + method + " is not run here");
        }
    }

    private P ascend(S s, P params, double lr) {
        double[] v = family.toVector(params);
        double[] g = family.gradient(s, params);
        for (int i = 0; i < v.length; i++) {
            v[i] += lr * g[i];
        }
        return family.fromVector(v, params);
    }

    private P adam(S s, P params, double lr, int t) {
        double[] v = family.toVector(params);
        double[] g = family.gradient(s, params);
        if (m1 == null) {
            m1 = new double[v.length];
            m2 = new double[v.length];
        }
        double b1 = 0.9;
        double b2 = 0.999;
        for (int i = 0; i < v.length; i++) {
            m1[i] = b1 * m1[i] + (1 - b1) * g[i];
            m2[i] = b2 * m2[i] + (1 - b2) * g[i] * g[i];
            double mh = m1[i] / (1 - Math.pow(b1, t));
            double vh = m2[i] / (1 - Math.pow(b2, t));
            v[i] += lr * mh / (Math.sqrt(vh) + 1e-8);
        }
        return family.fromVector(v, params);
    }

    /** S ← (1-γ) S + γ S_batch (both per unit of weight, about the current parameters), then the M-step. */
    private P onlineEm(S batch, P params, int t) {
        double gamma = Math.pow(t + 2, -o.stepDecay());
        S scaled = family.scaled(batch, 1.0 / batch.weight);
        if (running == null) {
            running = scaled;
        } else {
            running = family.scaled(running, 1 - gamma).mergeFrom(family.scaled(scaled, gamma));
        }
        MixtureFamily.Update<P> m = family.mStep(running, params, cfg.regCovar());
        dropped += m.dropped().size();
        // Keep the running statistics of the surviving components, about the new parameters.
        running = family.recentred(running, params, m);
        return m.params();
    }
}
