package dev.mixem.select;

import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.config.InitMethod;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.family.gaussian.GaussianStats;
import dev.mixem.family.gaussian.GaussianFamily;
import dev.mixem.fit.Checkpointer;
import dev.mixem.fit.EmFitter;
import dev.mixem.fit.FitListener;
import dev.mixem.fit.FitResult;
import dev.mixem.init.Initializer;
import dev.mixem.math.Seeds;
import dev.mixem.source.BlockPass;
import dev.mixem.source.BlockSource;
import dev.mixem.source.MultiPass;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Model selection over K x covariance structure x restart, every candidate fitted by EM, all of them in
 * lock-step: each pass over the cached blocks serves every candidate still running ({@link LockstepSource}),
 * so a selection of C candidates costs about as many passes as its slowest candidate, not C times that.
 * <ul>
 * <li><b>Shared initialization.</b> One seeded sample (the one {@code fit}'s first restart draws) for every
 * candidate; the centers of (K, restart r) are k-means++ (or random rows) on it with seed mix(seed, r), the
 * same for every covariance structure; each candidate's initial parameters are one M-step on the nearest
 * center assignment, as in {@code fit}. Candidate (K, structure, restart 0) is therefore exactly
 * {@code fit --k K --covariance structure --seed seed}.</li>
 * <li><b>Leaving the batch.</b> A candidate leaves when it converges (tol on the mean log-likelihood, as
 * {@code fit}), reaches max-iter, or fails (the reason is kept in its row).</li>
 * <li><b>Bounded statistics.</b> The candidates of one batch send one statistic each per partition; when their
 * sum would exceed {@code maxStatsBytes}, the candidates run in several batches, one after the other.</li>
 * </ul>
 * The criteria ({@link Criterion}) are computed for every candidate; each (K, structure) is represented by its
 * restart of highest log-likelihood, and the chosen model minimizes the selected criterion.
 */
public final class ModelSelection {

    private ModelSelection() {
    }

    /**
     * @param base          max-iter, tol, reg-covar, seed and init (kmeans++ or random) shared by every candidate
     * @param maxStatsBytes most bytes of statistics the candidates of one batch send per partition
     * @param factors       the numbers of factors tried for the factor structure (a candidate axis; empty when
     *                      factor is not among the types)
     */
    public record Options(List<Integer> ks, List<CovarianceType> types, int nInit, Criterion criterion, FitConfig base,
                          long maxStatsBytes, boolean prune, List<Integer> factors) {
        /** Options without pruning. */
        public Options(List<Integer> ks, List<CovarianceType> types, int nInit, Criterion criterion, FitConfig base,
                       long maxStatsBytes) {
            this(ks, types, nInit, criterion, base, maxStatsBytes, false);
        }

        /** Options without the factor structure. */
        public Options(List<Integer> ks, List<CovarianceType> types, int nInit, Criterion criterion, FitConfig base,
                       long maxStatsBytes, boolean prune) {
            this(ks, types, nInit, criterion, base, maxStatsBytes, prune, List.of());
        }

        public Options {
            if (prune && criterion == Criterion.ICL) {
                throw new IllegalArgumentException("--prune works with bic and aic; ICL's classification term is"
                        + " not known until a candidate ends");
            }
            ks = List.copyOf(ks);
            types = List.copyOf(types);
            factors = List.copyOf(factors);
            if (types.contains(CovarianceType.FACTOR) == factors.isEmpty()) {
                throw new IllegalArgumentException(factors.isEmpty()
                        ? "the factor structure needs the numbers of factors to try (--factors Q[,Q...])"
                        : "--factors applies to --covariance factor, which is not among the structures");
            }
            for (int q : factors) {
                if (q < 1) {
                    throw new IllegalArgumentException("every number of factors must be at least 1, got " + q);
                }
            }
            if (ks.isEmpty() || types.isEmpty()) {
                throw new IllegalArgumentException("select needs at least one k and one covariance structure");
            }
            for (int k : ks) {
                if (k < 1) {
                    throw new IllegalArgumentException("every k must be at least 1, got " + k);
                }
            }
            if (nInit < 1) {
                throw new IllegalArgumentException("n-init must be at least 1, got " + nInit);
            }
            if (base.init() == InitMethod.KMEANS_PARALLEL) {
                throw new IllegalArgumentException("select draws every start from one shared sample: use --init"
                        + " kmeans++ or random");
            }
        }
    }

    /**
     * One candidate's row of the table; {@code failure} is null when it was fitted. A {@code pruned} candidate
     * was stopped by {@code --prune} (its numbers are those where it stopped) and is never chosen.
     */
    public record Candidate(int k, CovarianceType type, int restart, double avgLogLikelihood, long freeParameters,
                            double bic, double aic, double icl, int iterations, boolean converged, double seconds,
                            int finalK, String failure, boolean pruned, int factors) {
        /** The same row with other seconds (the only column that differs from run to run). */
        public Candidate withSeconds(double s) {
            return new Candidate(k, type, restart, avgLogLikelihood, freeParameters, bic, aic, icl, iterations,
                    converged, s, finalK, failure, pruned, factors);
        }

        /** The structure as tables show it: its name, with the number of factors for factor ("factor q=2"). */
        public String structure() {
            return structureLabel(type, factors);
        }

        public double criterion(Criterion c) {
            return switch (c) {
                case BIC -> bic;
                case AIC -> aic;
                case ICL -> icl;
            };
        }
    }

    /**
     * @param chosen     index into candidates of the chosen model
     * @param chosenFit  its fit
     * @param jobs       Spark jobs (passes) the lock-step fits used, initialization included
     */
    public record Outcome(List<Candidate> candidates, int chosen, FitResult<GaussianParams> chosenFit,
                          FitConfig chosenConfig, Criterion criterion, int batches, int jobs, double rows,
                          double seconds) {
    }

    /** Where a candidate's EM checkpoints, and whether it resumes from there. */
    @FunctionalInterface
    public interface Checkpoints {
        Checkpointer<GaussianParams> forCandidate(FitConfig cfg, int restart);

        Checkpoints NONE = (cfg, restart) -> Checkpointer.none();
    }

    /** A structure's name, with the number of factors for factor ("factor q=2"). */
    public static String structureLabel(CovarianceType type, int factors) {
        return type == CovarianceType.FACTOR ? type.serializedName() + " q=" + factors : type.serializedName();
    }

    public static Outcome run(BlockSource source, Options o, Consumer<String> log) {
        return run(source, o, log, Checkpoints.NONE);
    }

    /**
     * Runs the selection; each candidate checkpoints through its own {@link Checkpointer} and, when that has a
     * saved state, continues from it, so a resumed selection gives the table an uninterrupted one gives.
     */
    public static Outcome run(BlockSource source, Options o, Consumer<String> log, Checkpoints checkpoints) {
        long t0 = System.nanoTime();
        int d = source.dim();
        FitConfig base = o.base();
        List<FitConfig> configs = new ArrayList<>();
        List<Integer> restarts = new ArrayList<>();
        for (CovarianceType type : o.types()) {
            for (int q : type == CovarianceType.FACTOR ? o.factors() : List.of(0)) {
                for (int k : o.ks()) {
                    for (int r = 0; r < o.nInit(); r++) {
                        configs.add(new FitConfig(k, type, base.init(), 1, base.maxIter(), base.tol(), base.regCovar(),
                                base.seed(), dev.mixem.config.MethodOptions.defaults(dev.mixem.config.FitMethod.EM,
                                Double.POSITIVE_INFINITY), q));
                        restarts.add(r);
                    }
                }
            }
        }
        int kMax = o.ks().stream().mapToInt(Integer::intValue).max().orElse(1);
        BlockSource.Sample sample = Initializer.sharedSample(source, Math.min(kMax, (int) Math.min(Integer.MAX_VALUE,
                source.rows())), Seeds.mix(base.seed(), 0));
        Map<String, double[]> centers = new HashMap<>();

        // Batches of candidates whose statistics together stay within the bound.
        List<List<Integer>> batches = new ArrayList<>();
        long used = 0;
        for (int i = 0; i < configs.size(); i++) {
            long bytes = 8 * GaussianStats.travellingDoubles(configs.get(i).k(), d, configs.get(i).covarianceType(),
                    configs.get(i).factors());
            if (batches.isEmpty() || used + bytes > o.maxStatsBytes()) {
                batches.add(new ArrayList<>());
                used = 0;
            }
            batches.get(batches.size() - 1).add(i);
            used += bytes;
        }
        Object[] results = new Object[configs.size()];
        boolean[] pruned = new boolean[configs.size()];
        double[] seconds = new double[configs.size()];
        Pruning pruning = new Pruning();
        java.util.concurrent.atomic.AtomicReference<RuntimeException> fatal = new java.util.concurrent.atomic.AtomicReference<>();
        double totalWeight = source.totalWeight();
        int jobs = 0;
        for (int b = 0; b < batches.size(); b++) {
            List<Integer> batch = batches.get(b);
            log.accept(String.format(Locale.ROOT, "select: batch %d/%d, %d candidates in lock-step", b + 1,
                    batches.size(), batch.size()));
            LockstepSource lockstep = new LockstepSource(source, batch.size(), "select batch " + (b + 1), log);
            long tb = System.nanoTime();
            int batchIndex = b;
            inThreads(batch.size(), "mixem-select", slot -> {
                int i = batch.get(slot);
                try {
                    FitConfig c = configs.get(i);
                    PruneListener listener = o.prune() ? new PruneListener(o.criterion(),
                            c.covarianceType().freeParameters(c.k(), d, c.factors()), totalWeight, c.tol(),
                            pruning, batchIndex, lockstep) : null;
                    FitResult<GaussianParams> r = fitOne(lockstep, c, restarts.get(i), sample, centers,
                            checkpoints.forCandidate(c, restarts.get(i)),
                            listener == null ? FitListener.NONE : listener);
                    results[i] = r;
                    pruned[i] = listener != null && listener.pruned;
                    if (!pruned[i] && o.prune()) {
                        long p = r.params().freeParameters();
                        pruning.finished(o.criterion().of(r.avgLogLikelihood() * r.totalWeight(), p,
                                totalWeight, 0), batchIndex, lockstep.jobs());
                    }
                } catch (LockstepSource.PassFailedException e) {
                    fatal.compareAndSet(null, e);
                    results[i] = e.getMessage();
                } catch (RuntimeException e) {
                    results[i] = e.getMessage() == null ? e.toString() : e.getMessage();
                } finally {
                    seconds[i] = (System.nanoTime() - tb) / 1e9;
                    lockstep.leave();
                }
                log.accept(line(configs.get(i), restarts.get(i), results[i]) + (pruned[i] ? " (pruned)" : ""));
            });
            jobs += lockstep.jobs();
            if (fatal.get() != null) {
                throw fatal.get();
            }
        }

        // ICL's classification entropy of every fitted candidate, in one pass.
        List<BlockPass<?>> entropyPasses = new ArrayList<>();
        List<Integer> fitted = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            if (results[i] instanceof FitResult<?> r) {
                entropyPasses.add(new MapEntropyPass(((GaussianParams) r.params()).scorer()));
                fitted.add(i);
            }
        }
        double[] entropy = new double[configs.size()];
        if (!fitted.isEmpty()) {
            MultiPass.Stats e = source.aggregate(new MultiPass(entropyPasses), "mixem select: ICL classification entropy");
            jobs++;
            for (int j = 0; j < fitted.size(); j++) {
                entropy[fitted.get(j)] = e.<MapEntropyPass.Sum>part(j).entropy;
            }
        }

        double n = source.totalWeight();
        List<Candidate> table = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            FitConfig c = configs.get(i);
            if (results[i] instanceof FitResult<?> fr) {
                @SuppressWarnings("unchecked")
                FitResult<GaussianParams> r = (FitResult<GaussianParams>) fr;
                long p = r.params().freeParameters();
                double total = r.avgLogLikelihood() * r.totalWeight();
                table.add(new Candidate(c.k(), c.covarianceType(), restarts.get(i), r.avgLogLikelihood(), p,
                        Criterion.BIC.of(total, p, n, 0), Criterion.AIC.of(total, p, n, 0),
                        Criterion.ICL.of(total, p, n, entropy[i]), r.iterations(), r.converged(), seconds[i],
                        r.params().k(), null, pruned[i], c.factors()));
            } else {
                table.add(new Candidate(c.k(), c.covarianceType(), restarts.get(i), Double.NaN, 0, Double.NaN,
                        Double.NaN, Double.NaN, 0, false, seconds[i], 0, (String) results[i], false, c.factors()));
            }
        }
        int chosen = choose(table, o.criterion());
        if (chosen < 0) {
            throw new IllegalStateException("no candidate could be fitted: " + table.get(0).failure());
        }
        @SuppressWarnings("unchecked")
        FitResult<GaussianParams> best = (FitResult<GaussianParams>) results[chosen];
        return new Outcome(table, chosen, best, configs.get(chosen), o.criterion(), batches.size(), jobs, n,
                (System.nanoTime() - t0) / 1e9);
    }

    /** Lock-step EM from given initial parameters: each fit's result (or its failure), the passes and seconds. */
    public record Lockstep(List<Object> results, int passes, double seconds) {
    }

    /**
     * Runs EM for every configuration from its initial parameters, all in lock-step over {@code source} (one
     * pass per iteration for all of them); {@code bench-select} times this against the same fits run apart.
     */
    public static Lockstep lockstep(BlockSource source, List<GaussianParams> inits, List<FitConfig> configs) {
        long t0 = System.nanoTime();
        LockstepSource lockstep = new LockstepSource(source, inits.size(), "mixem lock-step");
        Object[] results = new Object[inits.size()];
        inThreads(inits.size(), "mixem-lockstep", slot -> {
            try {
                results[slot] = new EmFitter(FitListener.NONE).run(lockstep, inits.get(slot), configs.get(slot), 0);
            } catch (LockstepSource.PassFailedException e) {
                throw e;
            } catch (RuntimeException e) {
                results[slot] = String.valueOf(e.getMessage());
            } finally {
                lockstep.leave();
            }
        });
        return new Lockstep(java.util.Arrays.asList(results), lockstep.jobs(), (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Runs {@code task(slot)} for slots 0..n-1, each in its own daemon thread that is participant {@code slot}
     * of the lock-step, and waits for all of them; a task's unexpected exception is rethrown wrapped.
     */
    private static void inThreads(int n, String name, java.util.function.IntConsumer task) {
        ExecutorService pool = Executors.newFixedThreadPool(n, runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int slot = i;
                futures.add(pool.submit(() -> {
                    LockstepSource.PARTICIPANT.set(slot);
                    task.accept(slot);
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The candidate of least criterion among the best restart (highest log-likelihood) of each (K, structure);
     * -1 when none was fitted.
     */
    public static int choose(List<Candidate> table, Criterion criterion) {
        int chosen = -1;
        for (int i = 0; i < table.size(); i++) {
            Candidate c = table.get(i);
            if (c.failure() != null || !representative(table, i)) {
                continue;
            }
            if (chosen < 0 || c.criterion(criterion) < table.get(chosen).criterion(criterion)) {
                chosen = i;
            }
        }
        return chosen;
    }

    /** Whether row i is the restart of highest log-likelihood of its (K, structure) (the first on a tie). */
    public static boolean representative(List<Candidate> table, int i) {
        Candidate c = table.get(i);
        if (c.failure() != null || c.pruned()) {
            return false;
        }
        for (int j = 0; j < table.size(); j++) {
            Candidate o = table.get(j);
            if (j != i && o.failure() == null && !o.pruned() && o.k() == c.k() && o.type() == c.type()
                    && o.factors() == c.factors()
                    && (o.avgLogLikelihood() > c.avgLogLikelihood()
                    || (o.avgLogLikelihood() == c.avgLogLikelihood() && j < i))) {
                return false;
            }
        }
        return true;
    }

    /** The least criterion of the candidates that ended (converged or reached max-iter), with when they ended. */
    static final class Pruning {
        private final List<double[]> ended = new ArrayList<>();

        synchronized void finished(double criterion, int batch, int pass) {
            ended.add(new double[]{criterion, batch, pass});
        }

        /**
         * The least criterion among candidates that ended in an earlier batch, or in this batch before the given
         * pass: what a candidate checking after that pass may rely on, whatever the threads' timing.
         */
        synchronized double bestBefore(int batch, int pass) {
            double best = Double.POSITIVE_INFINITY;
            for (double[] e : ended) {
                if (e[1] < batch || (e[1] == batch && e[2] < pass)) {
                    best = Math.min(best, e[0]);
                }
            }
            return best;
        }
    }

    /**
     * {@code --prune}: after each iteration, an optimistic bound on the candidate's final criterion from the
     * last three mean log-likelihoods l₁ &lt; l₂ ≤ l₃ (Aitken's extrapolation, as McLachlan and Peel use for
     * EM's convergence): with a = (l₃ − l₂)/(l₂ − l₁) below 0.95, the limit is about l₃ + (l₃ − l₂)·a/(1 − a);
     * the bound takes ten times that remaining gain plus tol. When even that criterion exceeds the least
     * criterion of a candidate that has ended, the candidate stops and is marked pruned.
     */
    static final class PruneListener implements FitListener {
        static final double SAFETY = 10;
        static final double MAX_RATE = 0.95;
        private final Criterion criterion;
        private final long freeParameters;
        private final double n;
        private final double tol;
        private final Pruning pruning;
        private final int batch;
        private final LockstepSource lockstep;
        private final List<Double> lls = new ArrayList<>();
        volatile boolean pruned;

        PruneListener(Criterion criterion, long freeParameters, double n, double tol, Pruning pruning, int batch,
                      LockstepSource lockstep) {
            this.criterion = criterion;
            this.freeParameters = freeParameters;
            this.n = n;
            this.tol = tol;
            this.pruning = pruning;
            this.batch = batch;
            this.lockstep = lockstep;
        }

        @Override
        public void onIteration(int restart, dev.mixem.fit.TraceEntry entry) {
            lls.add(entry.avgLogLikelihood());
        }

        @Override
        public boolean stopRequested() {
            int t = lls.size();
            if (t < 3) {
                return false;
            }
            double d1 = lls.get(t - 2) - lls.get(t - 3);
            double d2 = lls.get(t - 1) - lls.get(t - 2);
            if (!(d1 > 0 && d2 >= 0)) {
                return false;
            }
            double a = d2 / d1;
            if (a >= MAX_RATE) {
                return false;
            }
            double upper = lls.get(t - 1) + SAFETY * d2 * a / (1 - a) + tol;
            double bound = criterion.of(upper * n, freeParameters, n, 0);
            if (bound > pruning.bestBefore(batch, lockstep.jobs())) {
                pruned = true;
                return true;
            }
            return false;
        }
    }

    private static FitResult<GaussianParams> fitOne(LockstepSource source, FitConfig cfg, int restart,
                                                    BlockSource.Sample sample, Map<String, double[]> centersCache,
                                                    Checkpointer<GaussianParams> checkpointer, FitListener listener) {
        if (cfg.k() > source.rows()) {
            throw new IllegalArgumentException("k = " + cfg.k() + " is larger than the number of rows (" + source.rows() + ")");
        }
        long seed = Seeds.mix(cfg.seed(), restart);
        String key = cfg.k() + "/" + restart;
        double[] centers;
        synchronized (centersCache) {
            centers = centersCache.get(key);
        }
        if (centers == null) {
            centers = Initializer.centersFromSample(sample, cfg.init(), cfg.k(), seed);
            if (centers == null) {
                throw new IllegalArgumentException("the sample has fewer than k = " + cfg.k()
                        + " distinct rows with positive weight");
            }
            synchronized (centersCache) {
                centersCache.putIfAbsent(key, centers);
                centers = centersCache.get(key);
            }
        }
        double[] start = centers;
        return new EmFitter(listener).fit(GaussianFamily.of(cfg.covarianceType(), cfg.factors()),
                (s, c, ignoredSeed, r) -> Initializer.fromCenters(s, start, c, "init"), source, cfg, checkpointer);
    }

    private static String line(FitConfig c, int restart, Object result) {
        String what = String.format(Locale.ROOT, "select: k=%d %s restart %d", c.k(),
                structureLabel(c.covarianceType(), c.factors()), restart + 1);
        if (result instanceof FitResult<?> r) {
            return String.format(Locale.ROOT, "%s: avgLogLikelihood %.8f after %d iterations%s", what,
                    r.avgLogLikelihood(), r.iterations(), r.converged() ? "" : " (not converged)");
        }
        return what + " failed: " + result;
    }
}
