package dev.mixem.fit;

import dev.mixem.family.MixtureFamily;

import dev.mixem.family.MixturePass;

import dev.mixem.source.BlockSource;

import dev.mixem.config.CovarianceType;
import dev.mixem.family.gaussian.GaussianGradient;
import dev.mixem.family.gaussian.GaussianMStep;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.family.NumericalException;
import dev.mixem.math.Seeds;
import dev.mixem.family.gaussian.GaussianStats;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs one fitting method from given initial parameters within a budget of passes over the data, every
 * method on the same {@link dev.mixem.family.MixturePass} statistics; only the update differs:
 * <ul>
 *   <li>em: the closed-form M-step on the statistics of all rows;</li>
 *   <li>online-em: running statistics S ← (1-γ_t) S + γ_t S(mini-batch), γ_t = (t + 2)^-κ, then the M-step
 *       (Cappé and Moulines 2009); the running statistics are re-centred on each step's means;</li>
 *   <li>gd, sgd, adam: ascent on the gradient ({@link GaussianGradient}) of all rows or of a mini-batch, in
 *       unconstrained coordinates, learning rate lr / (1 + decay·t).</li>
 * </ul>
 * A mini-batch holds the rows whose hash of (seed, step, global row index) falls below the batch fraction,
 * drawn on the executors. The trace records the mean log-likelihood on all rows (or on a fixed sample) of
 * the parameters after each update (mini-batch methods: about every 0.1 pass), the passes and the seconds
 * spent to reach them (evaluation not counted), whether the likelihood fell and whether the constraints
 * held.
 */
public final class MethodFitter {

    /**
     * @param learningRate  gd, sgd, adam
     * @param batchFraction online-em, sgd, adam: fraction of rows per step
     * @param stepDecay     sgd, adam: lr / (1 + decay·t); online-em: κ in (0.5, 1]
     * @param budgetPasses  passes over the data to spend
     * @param evalSample    0 to evaluate on every row, else the fraction of rows (fixed sample) to evaluate on
     */
    public record Options(FitMethod method, double learningRate, double batchFraction, double stepDecay,
                          double budgetPasses, double evalSample, double regCovar, long seed, double evalEveryPasses) {
        public Options(FitMethod method, double learningRate, double batchFraction, double stepDecay,
                       double budgetPasses, double evalSample, double regCovar, long seed) {
            this(method, learningRate, batchFraction, stepDecay, budgetPasses, evalSample, regCovar, seed, 0.1);
        }

        public Options {
            if (!(budgetPasses > 0)) {
                throw new IllegalArgumentException("the budget of passes must be > 0, got " + budgetPasses);
            }
            if (method.miniBatch() && !(batchFraction > 0 && batchFraction <= 1)) {
                throw new IllegalArgumentException("batch-fraction must be in (0, 1], got " + batchFraction);
            }
            if (method.hasLearningRate() && !(learningRate > 0)) {
                throw new IllegalArgumentException("learning-rate must be > 0, got " + learningRate);
            }
            if (method == FitMethod.ONLINE_EM && !(stepDecay > 0.5 && stepDecay <= 1)) {
                throw new IllegalArgumentException("online-em needs --step-decay (κ) in (0.5, 1], got " + stepDecay);
            }
            if (!(evalSample >= 0 && evalSample <= 1)) {
                throw new IllegalArgumentException("eval-sample must be in [0, 1], got " + evalSample);
            }
        }

        /** The method's documented defaults. */
        public static Options defaults(FitMethod method, double budgetPasses, long seed) {
            return new Options(method, method.defaultLearningRate(), 0.01, method.defaultStepDecay(), budgetPasses,
                    0.0, dev.mixem.config.FitConfig.DEFAULT_REG_COVAR, seed);
        }

        public Options withLearningRate(double lr) {
            return new Options(method, lr, batchFraction, stepDecay, budgetPasses, evalSample, regCovar, seed,
                    evalEveryPasses);
        }

        public Options withBatchFraction(double f) {
            return new Options(method, learningRate, f, stepDecay, budgetPasses, evalSample, regCovar, seed,
                    evalEveryPasses);
        }

        public Options withStepDecay(double decay) {
            return new Options(method, learningRate, batchFraction, decay, budgetPasses, evalSample, regCovar, seed,
                    evalEveryPasses);
        }

        public Options withEvalSample(double f) {
            return new Options(method, learningRate, batchFraction, stepDecay, budgetPasses, f, regCovar, seed,
                    evalEveryPasses);
        }

        public Options withBudget(double passes) {
            return new Options(method, learningRate, batchFraction, stepDecay, passes, evalSample, regCovar, seed,
                    evalEveryPasses);
        }

        /** Mini-batch methods: evaluate about every this many passes (and at the end). */
        public Options withEvalEvery(double passes) {
            return new Options(method, learningRate, batchFraction, stepDecay, budgetPasses, evalSample, regCovar, seed,
                    passes);
        }

        public Options withMethod(FitMethod m) {
            return new Options(m, m.hasLearningRate() ? m.defaultLearningRate() : learningRate, batchFraction,
                    m.defaultStepDecay(), budgetPasses, evalSample, regCovar, seed, evalEveryPasses);
        }
    }

    /**
     * @param diverged why the method stopped early (a parameter left the representable range), or null
     */
    public record Result(FitMethod method, GaussianParams params, List<MethodStep> trace, String diverged) {
        public double finalAvgLogLikelihood() {
            return trace.get(trace.size() - 1).avgLogLikelihood();
        }
    }

    private MethodFitter() {
    }

    public static Result run(BlockSource source, GaussianParams init, Options o, Consumer<MethodStep> progress) {
        Run r = new Run(source, init, o, progress);
        if (o.method() == FitMethod.LBFGS) {
            return r.lbfgs();
        }
        return o.method().miniBatch() ? r.miniBatch() : r.fullBatch();
    }

    private static final class Run {
        final BlockSource source;
        final Options o;
        final Consumer<MethodStep> progress;
        final CovarianceType type;
        final List<MethodStep> trace = new ArrayList<>();
        final long evalSeed;
        GaussianParams params;
        double passes;
        double seconds;
        int iteration;
        String diverged;
        // Adam's moments and online EM's running statistics.
        double[] m1;
        double[] m2;
        GaussianStats running;

        Run(BlockSource source, GaussianParams init, Options o, Consumer<MethodStep> progress) {
            this.source = source;
            this.o = o;
            this.progress = progress;
            this.type = init.type();
            this.params = init;
            this.evalSeed = Seeds.mix(o.seed(), 0x4556414CL);
        }

        /** em, gd: each update uses the statistics of all rows under the current parameters. */
        Result fullBatch() {
            long t0 = System.nanoTime();
            GaussianStats stats = MixturePass.eStep(source, params.scorer(), o.method() + " pass 1");
            double eSeconds = (System.nanoTime() - t0) / 1e9;
            record(o.evalSample() > 0 ? evaluate(params) : stats.avgLogLikelihood());
            // EM's steps are checked by the same guard as EmFitter's, on the full-data log-likelihood.
            double guaranteed = Double.NEGATIVE_INFINITY;
            while (passes + 1 <= o.budgetPasses() + 1e-9) {
                long t1 = System.nanoTime();
                double before = stats.avgLogLikelihood();
                try {
                    if (o.method() == FitMethod.EM) {
                        MixtureFamily.Update<GaussianParams> m = GaussianMStep.update(stats, params.means(), type, o.regCovar());
                        guaranteed = EmGuard.guaranteedChange(stats, params, m);
                        params = m.params();
                    } else {
                        params = update(stats, 1.0);
                    }
                } catch (NumericalException e) {
                    diverged = e.getMessage();
                    break;
                }
                double mSeconds = (System.nanoTime() - t1) / 1e9;
                passes += 1;
                seconds += eSeconds + mSeconds;
                iteration++;
                long t2 = System.nanoTime();
                try {
                    stats = MixturePass.eStep(source, params.scorer(), o.method() + " pass " + (iteration + 1));
                } catch (NumericalException e) {
                    diverged = e.getMessage();
                    break;
                }
                eSeconds = (System.nanoTime() - t2) / 1e9;
                if (o.method() == FitMethod.EM) {
                    EmGuard.check(before, stats.avgLogLikelihood(), guaranteed, "EM pass " + (iteration + 1));
                }
                record(o.evalSample() > 0 ? evaluate(params) : stats.avgLogLikelihood());
            }
            return new Result(o.method(), params, List.copyOf(trace), diverged);
        }

        /** online-em, sgd, adam: each update sees a mini-batch; evaluated about every 0.1 pass. */
        Result miniBatch() {
            record(evaluate(params));
            int evalEvery = Math.max(1, (int) Math.round(o.evalEveryPasses() / o.batchFraction()));
            while (passes + o.batchFraction() <= o.budgetPasses() + 1e-9) {
                long t1 = System.nanoTime();
                try {
                    GaussianStats batch = MixturePass.eStep(source, params.scorer(), o.method() + " step " + (iteration + 1),
                            o.batchFraction(), Seeds.mix(o.seed(), iteration));
                    if (batch.weight > 0) {
                        params = update(batch, o.batchFraction());
                    }
                } catch (NumericalException e) {
                    diverged = e.getMessage();
                    break;
                }
                seconds += (System.nanoTime() - t1) / 1e9;
                iteration++;
                passes = iteration * o.batchFraction();
                boolean last = passes + o.batchFraction() > o.budgetPasses() + 1e-9;
                if (iteration % evalEvery == 0 || last) {
                    try {
                        record(evaluate(params));
                    } catch (NumericalException e) {
                        diverged = e.getMessage();
                        break;
                    }
                }
            }
            return new Result(o.method(), params, List.copyOf(trace), diverged);
        }

        /**
         * lbfgs: Breeze's L-BFGS on -LL in the unconstrained coordinates; every evaluation of the objective
         * (line-search trials included) is one pass. Stops at the first iterate at or past the budget.
         */
        Result lbfgs() {
            int k = params.k();
            int d = params.dim();
            double[][] lastX = {null};
            double[] lastLl = {Double.NaN};
            java.util.function.Function<double[], double[]> objective = x -> {
                double[] out = new double[x.length + 1];
                GaussianParams p;
                try {
                    p = GaussianGradient.fromVector(x, type, k, d);
                } catch (NumericalException | IllegalArgumentException e) {
                    // Outside the representable parameters: an infinitely bad point for the line search.
                    out[0] = Double.POSITIVE_INFINITY;
                    return out;
                }
                GaussianStats st = MixturePass.eStep(source, p.scorer(), "lbfgs pass " + (int) (passes + 1));
                passes += 1;
                double[] g = GaussianGradient.gradient(st, p);
                out[0] = -st.avgLogLikelihood();
                for (int i = 0; i < g.length; i++) {
                    out[i + 1] = -g[i];
                }
                lastX[0] = x.clone();
                lastLl[0] = st.avgLogLikelihood();
                return out;
            };
            record(evaluate(params));
            long t0 = System.nanoTime();
            try {
                java.util.Iterator<double[]> it = new BreezeLbfgs(10).iterates(objective,
                        GaussianGradient.toVector(params), Integer.MAX_VALUE);
                it.next(); // the starting point
                while (passes < o.budgetPasses() && it.hasNext()) {
                    double[] x = it.next();
                    params = GaussianGradient.fromVector(x, type, k, d);
                    seconds += (System.nanoTime() - t0) / 1e9;
                    iteration++;
                    // The accepted point is usually the line search's last evaluation: reuse its log-likelihood.
                    record(o.evalSample() == 0 && java.util.Arrays.equals(x, lastX[0]) ? lastLl[0] : evaluate(params));
                    t0 = System.nanoTime();
                }
            } catch (RuntimeException e) {
                diverged = "L-BFGS stopped: " + e.getMessage();
            }
            return new Result(o.method(), params, List.copyOf(trace), diverged);
        }

        GaussianParams update(GaussianStats s, double fraction) {
            int t = iteration;
            switch (o.method()) {
                case ONLINE_EM:
                    return onlineEm(s, t);
                case GD:
                    return ascend(s, o.learningRate());
                case SGD:
                    return ascend(s, o.learningRate() / (1 + o.stepDecay() * t));
                case ADAM:
                    return adam(s, o.learningRate() / (1 + o.stepDecay() * t), t + 1);
                default:
                    throw new IllegalStateException("method " + o.method() + " is not run here");
            }
        }

        GaussianParams ascend(GaussianStats s, double lr) {
            double[] v = GaussianGradient.toVector(params);
            double[] g = GaussianGradient.gradient(s, params);
            for (int i = 0; i < v.length; i++) {
                v[i] += lr * g[i];
            }
            return GaussianGradient.fromVector(v, type, params.k(), params.dim());
        }

        GaussianParams adam(GaussianStats s, double lr, int t) {
            double[] v = GaussianGradient.toVector(params);
            double[] g = GaussianGradient.gradient(s, params);
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
            return GaussianGradient.fromVector(v, type, params.k(), params.dim());
        }

        /** S ← (1-γ) S + γ S_batch (both per unit of weight, centred on the current means), then the M-step. */
        GaussianParams onlineEm(GaussianStats batch, int t) {
            double gamma = Math.pow(t + 2, -o.stepDecay());
            GaussianStats scaled = scaled(batch, 1.0 / batch.weight);
            if (running == null) {
                running = scaled;
            } else {
                running = scaled(running, 1 - gamma).mergeFrom(scaled(scaled, gamma));
            }
            double[] means = params.means();
            MixtureFamily.Update<GaussianParams> m = GaussianMStep.update(running, means, type, o.regCovar());
            GaussianParams next = m.params();
            // Keep the running statistics of the surviving components, re-centred on the new means.
            running = recentred(dropComponents(running, m.dropped()), dropMeans(means, m.dropped(), params.dim()),
                    next.means());
            return next;
        }

        double evaluate(GaussianParams p) {
            GaussianStats s = o.evalSample() > 0
                    ? MixturePass.eStep(source, p.scorer(), o.method() + " evaluation", o.evalSample(), evalSeed)
                    : MixturePass.eStep(source, p.scorer(), o.method() + " evaluation");
            return s.avgLogLikelihood();
        }

        void record(double ll) {
            boolean fell = !trace.isEmpty() && EmGuard.fell(trace.get(trace.size() - 1).avgLogLikelihood(), ll);
            MethodStep step = new MethodStep(iteration, ll, passes, seconds, fell, constraintsHold(params));
            trace.add(step);
            progress.accept(step);
        }
    }

    /** Weights on the simplex within 1e-12 and every covariance positive definite (a Cholesky factor exists). */
    public static boolean constraintsHold(GaussianParams p) {
        double sum = 0;
        for (int c = 0; c < p.k(); c++) {
            if (!(p.weight(c) > 0)) {
                return false;
            }
            sum += p.weight(c);
        }
        if (Math.abs(sum - 1) > 1e-12) {
            return false;
        }
        // Tied has one matrix for all components: factor it once.
        int distinct = p.type() == CovarianceType.TIED ? 1 : p.k();
        for (int c = 0; c < distinct; c++) {
            if (p.type().matrix()) {
                if (dev.mixem.math.Linalg.choleskyLower(p.covariance(c), 0, p.dim()) == null) {
                    return false;
                }
            } else {
                for (double v : p.covariance(c)) {
                    if (!(v > 0)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    static GaussianStats scaled(GaussianStats s, double f) {
        GaussianStats out = s.copy();
        for (int i = 0; i < out.resp.length; i++) {
            out.resp[i] *= f;
        }
        for (int i = 0; i < out.first.length; i++) {
            out.first[i] *= f;
        }
        for (int i = 0; i < out.second.length; i++) {
            out.second[i] *= f;
        }
        out.weight *= f;
        out.logLikelihood *= f;
        return out;
    }

    /**
     * The same statistics centred on other means: with Δ = m - m', f' = f + N Δ and
     * S' = S + f Δᵀ + Δ fᵀ + N Δ Δᵀ (per structure: see {@link dev.mixem.family.gaussian.Covariance#recentre}).
     */
    static GaussianStats recentred(GaussianStats s, double[] from, double[] to) {
        GaussianStats out = s.copy();
        int d = s.d;
        double[] delta = new double[s.k * d];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = from[i] - to[i];
        }
        for (int c = 0; c < s.k; c++) {
            for (int a = 0; a < d; a++) {
                out.first[c * d + a] = s.first[c * d + a] + s.resp[c] * delta[c * d + a];
            }
        }
        dev.mixem.family.gaussian.Covariance.of(s.type).recentre(s, delta, out.second);
        return out;
    }

    static GaussianStats dropComponents(GaussianStats s, List<Integer> dropped) {
        if (dropped.isEmpty()) {
            return s;
        }
        int k = s.k - dropped.size();
        int d = s.d;
        GaussianStats out = GaussianStats.empty(k, d, s.type);
        int per = s.stride;
        if (per == 0) {
            System.arraycopy(s.second, 0, out.second, 0, s.second.length);
        }
        for (int c = 0, t = 0; c < s.k; c++) {
            if (dropped.contains(c)) {
                continue;
            }
            out.resp[t] = s.resp[c];
            System.arraycopy(s.first, c * d, out.first, t * d, d);
            System.arraycopy(s.second, c * per, out.second, t * per, per);
            t++;
        }
        out.weight = s.weight;
        out.logLikelihood = s.logLikelihood;
        out.rows = s.rows;
        return out;
    }

    static double[] dropMeans(double[] means, List<Integer> dropped, int d) {
        if (dropped.isEmpty()) {
            return means;
        }
        int k = means.length / d;
        double[] out = new double[(k - dropped.size()) * d];
        for (int c = 0, t = 0; c < k; c++) {
            if (!dropped.contains(c)) {
                System.arraycopy(means, c * d, out, t * d, d);
                t++;
            }
        }
        return out;
    }
}
