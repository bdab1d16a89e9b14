package dev.mixem.bench;

import dev.mixem.family.MixturePass;

import dev.mixem.data.SparkBlockSource;

import dev.mixem.config.CovarianceType;
import dev.mixem.config.Family;
import dev.mixem.config.FitConfig;
import dev.mixem.config.InitMethod;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.family.gaussian.GaussianStats;
import dev.mixem.fit.EmFitter;
import dev.mixem.fit.FitListener;
import dev.mixem.fit.FitResult;
import dev.mixem.fit.TraceEntry;
import dev.mixem.init.Initializer;
import dev.mixem.math.BlockKernels;
import dev.mixem.math.Linalg;
import dev.mixem.math.RowBlock;
import dev.mixem.math.Seeds;
import dev.mixem.math.SeparableGemm;
import dev.mixem.data.InputReader;
import dev.mixem.data.InputSpec;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.clustering.GaussianMixture;
import org.apache.spark.mllib.linalg.Matrices;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.stat.distribution.MultivariateGaussian;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * mixem's EM against Spark MLlib's GaussianMixture on the same cached data, from the same initial model, for
 * the same number of iterations, in alternating rounds (A, B, A, B, ...) so that a drift of the machine's
 * speed hits both. Also measures the executors' DGEMM rate with the same BLAS, to say how far from the
 * hardware's limit mixem runs.
 */
public final class Benchmark {

    /**
     * What to run. {@code scale} multiplies every standard deviation of the generated data. With an
     * {@code input}, its rows are timed instead (rows and dim then come from the file); {@code regCovar} NaN
     * means 0 when comparing with MLlib (which has none) and mixem's default otherwise.
     */
    public record Options(long rows, int dim, int k, CovarianceType covariance, int iterations, int partitions,
                          long seed, int rounds, boolean mllib, double scale, int blockRows, InputSpec input,
                          double regCovar, int factors, Family family) {

        public Options {
            if (family != Family.GAUSSIAN && mllib) {
                throw new IllegalArgumentException("MLlib fits Gaussian mixtures only");
            }
        }

        /** A Gaussian benchmark. */
        public Options(long rows, int dim, int k, CovarianceType covariance, int iterations, int partitions,
                       long seed, int rounds, boolean mllib, double scale, int blockRows, InputSpec input,
                       double regCovar, int factors) {
            this(rows, dim, k, covariance, iterations, partitions, seed, rounds, mllib, scale, blockRows, input,
                    regCovar, factors, Family.GAUSSIAN);
        }

        /** A structure without factors. */
        public Options(long rows, int dim, int k, CovarianceType covariance, int iterations, int partitions,
                       long seed, int rounds, boolean mllib, double scale, int blockRows, InputSpec input,
                       double regCovar) {
            this(rows, dim, k, covariance, iterations, partitions, seed, rounds, mllib, scale, blockRows, input,
                    regCovar, 0);
        }

        /** Generated data, regularization by default. */
        public Options(long rows, int dim, int k, CovarianceType covariance, int iterations, int partitions,
                       long seed, int rounds, boolean mllib, double scale, int blockRows) {
            this(rows, dim, k, covariance, iterations, partitions, seed, rounds, mllib, scale, blockRows, null,
                    Double.NaN);
        }

        Options withShape(long n, int d) {
            return new Options(n, d, k, covariance, iterations, partitions, seed, rounds, mllib, scale, blockRows,
                    input, regCovar, factors, family);
        }

        /** The regularization the fits use. */
        public double effectiveRegCovar() {
            return !Double.isNaN(regCovar) ? regCovar : mllib ? 0.0 : FitConfig.DEFAULT_REG_COVAR;
        }
    }

    /** Everything measured (seconds are wall-clock per EM iteration: one E-step pass and one M-step). */
    public record Result(Options options, String blas, String kernels, int cores, List<Double> mixemIterationSeconds,
                         List<Double> mllibIterationSeconds, double mixemSecondsPerIteration,
                         double mllibSecondsPerIteration, double flopsPerIteration, double gemmGflops,
                         double jvmGemmGflops,
                         double mixemAvgLogLikelihood, double mllibAvgLogLikelihood, int mllibIterations,
                         boolean mllibUnderflow, long cacheBytes, long rawBytes, long peakHeapBytes) {

        /**
         * Bytes of the statistics one partition's task builds and sends each iteration (as they travel,
         * {@link GaussianStats#travellingDoubles}): O(K·D²) for full, O(K·D) for diag, O(K·D·Q) for factor.
         */
        public long statsBytesPerPartition() {
            if (options.family() != Family.GAUSSIAN) {
                return 8 * dev.mixem.family.independent.IndependentStats.travellingDoubles(options.k(), options.dim());
            }
            return 8 * GaussianStats.travellingDoubles(options.k(), options.dim(), options.covariance(),
                    options.factors());
        }

        public double speedup() {
            return mllibSecondsPerIteration / mixemSecondsPerIteration;
        }

        public double mixemGflops() {
            return flopsPerIteration / mixemSecondsPerIteration / 1e9;
        }

        public double gemmFraction() {
            return mixemGflops() / gemmGflops;
        }

        public double logLikelihoodRelativeDifference() {
            return Math.abs(mixemAvgLogLikelihood - mllibAvgLogLikelihood) / Math.abs(mixemAvgLogLikelihood);
        }
    }

    private Benchmark() {
    }

    /**
     * FLOPs of one EM iteration, counted the way a GEMM-based implementation does: about 2·N·K·D² for the
     * E-step (the centred rows against each component's factor) and as much for the M-step (the
     * responsibility-weighted outer products), for full covariance; for diagonal covariance, two GEMMs of
     * N x 2D by 2D x K each way, [X, X∘X]·[B; A] for the log-densities and [X, X∘X]ᵀ·R for the statistics,
     * 8·N·K·D (spherical likewise); for tied covariance, one whitening and one pooled outer product, 2·N·D²,
     * plus 5·N·K·D for the distances and per-component sums.
     */
    public static double flopsPerIteration(long n, int k, int d, CovarianceType type, int q) {
        // Factor: the two GEMMs of N x D by D x q per component (scores, then Σ r u zᵀ), and the per-feature
        // passes counted as diag's (2 for the quadratic form, 3 for Σ r u and Σ r u²), 4·N·K·D·q + 5·N·K·D.
        return type == CovarianceType.FACTOR ? 4.0 * n * k * d * q + 5.0 * n * k * d : flopsPerIteration(n, k, d, type);
    }

    public static double flopsPerIteration(long n, int k, int d, CovarianceType type) {
        return switch (type) {
            case FULL -> 4.0 * n * k * d * d;
            case TIED -> 2.0 * n * d * d + 5.0 * n * k * d;
            case DIAG, SPHERICAL -> 8.0 * n * k * d;
            case FACTOR -> throw new IllegalArgumentException("use flopsPerIteration(n, k, d, type, q) for factor");
        };
    }

    /** FLOPs of one EM iteration of a family of independent features: two GEMMs of N x D by D x K, 4·N·K·D. */
    public static double flopsPerIteration(long n, int k, int d, Family family, CovarianceType type, int q) {
        return family == Family.GAUSSIAN ? flopsPerIteration(n, k, d, type, q) : 4.0 * n * k * d;
    }

    public static Result run(SparkSession spark, Options o, java.util.function.Consumer<String> log) {
        resetPeakHeap();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        try (SparkBlockSource source = o.input() != null ? load(spark, o) : generate(spark, o)) {
            o = o.withShape(source.rows(), source.dim());
            long cacheBytes = cachedBytes(spark.sparkContext(), source.blocks().id());
            long rawBytes = o.rows() * o.dim() * 8L;
            log.accept(String.format(java.util.Locale.ROOT, "cached %d x %d rows in %d partitions: %.1f MB (raw %.1f MB)",
                    o.rows(), o.dim(), source.partitions(), cacheBytes / 1e6, rawBytes / 1e6));
            int cores = Math.max(1, spark.sparkContext().defaultParallelism());
            double gemm = gemmGflops(jsc, cores);
            double jvmGemm = jvmGemmGflops(jsc, cores);
            log.accept(String.format(java.util.Locale.ROOT,
                    "DGEMM on the executors (%s): %.1f GFLOP/s; mixem's JVM GEMM kernels: %.1f GFLOP/s",
                    Linalg.blasName(), gemm, jvmGemm));
            if (gemm < jvmGemm) {
                log.accept("the BLAS's DGEMM is slower than mixem's own JVM kernels: a native BLAS running generic"
                        + " kernels? (OpenBLAS: set OPENBLAS_CORETYPE; submit.sh does when the CPU has AVX2)");
            }
            FitConfig initCfg = new FitConfig(o.k(), o.covariance(), InitMethod.KMEANS_PLUS_PLUS, 1, o.iterations(),
                    0.0, o.effectiveRegCovar(), o.seed(), dev.mixem.config.MethodOptions.defaults(
                    dev.mixem.config.FitMethod.EM, Double.POSITIVE_INFINITY), o.factors());
            if (o.family() != Family.GAUSSIAN) {
                return runFamily(spark, o, source, initCfg.withFamily(o.family(), 0), gemm, jvmGemm, cacheBytes,
                        rawBytes, log);
            }
            GaussianParams init = Initializer.initialize(source, initCfg, Seeds.mix(o.seed(), 0), 0).params();
            JavaRDD<Vector> vectors = null;
            JobStarts starts = new JobStarts();
            if (o.mllib()) {
                vectors = source.blocks().flatMap(b -> {
                    List<Vector> out = new ArrayList<>(b.rows);
                    for (int i = 0; i < b.rows; i++) {
                        double[] r = new double[b.dim];
                        b.row(i, r);
                        out.add(Vectors.dense(r));
                    }
                    return out.iterator();
                }).persist(StorageLevel.MEMORY_AND_DISK());
                vectors.count();
                spark.sparkContext().addSparkListener(starts);
            }
            List<Double> mixemTimes = new ArrayList<>();
            List<Double> mllibTimes = new ArrayList<>();
            double mixemLl = Double.NaN;
            double mllibLl = Double.NaN;
            int mllibIterations = 0;
            GaussianParams mllibFinal = null;
            for (int round = 0; round < o.rounds(); round++) {
                // A: mixem's EM (regCovar 0, like MLlib).
                FitResult<GaussianParams> r = new EmFitter(FitListener.NONE).run(source, init, initCfg, 0);
                List<TraceEntry> t = r.trace();
                for (int i = 2; i < t.size(); i++) {
                    mixemTimes.add(t.get(i).seconds());
                }
                mixemLl = r.avgLogLikelihood();
                log.accept(String.format(java.util.Locale.ROOT, "round %d mixem: %d iterations, median %.3f s, avgLogLikelihood %.8f",
                        round + 1, r.iterations(), median(t.subList(Math.min(2, t.size()), t.size()).stream()
                                .map(TraceEntry::seconds).toList()), mixemLl));
                if (o.mllib()) {
                    // B: MLlib's GaussianMixture from the same initial model.
                    String group = "mixem-bench-mllib-" + round;
                    starts.watch(group);
                    spark.sparkContext().setJobGroup(group, "MLlib GaussianMixture round " + (round + 1), false);
                    org.apache.spark.mllib.clustering.GaussianMixtureModel m = new GaussianMixture()
                            .setK(o.k()).setInitialModel(toMllib(init)).setMaxIterations(o.iterations())
                            .setConvergenceTol(0.0).setSeed(o.seed()).run(vectors.rdd());
                    long end = System.currentTimeMillis();
                    spark.sparkContext().clearJobGroup();
                    List<Long> s = starts.await(group, o.iterations());
                    mllibIterations = s.size();
                    List<Double> roundTimes = new ArrayList<>();
                    for (int i = 1; i < s.size(); i++) {
                        long next = i + 1 < s.size() ? s.get(i + 1) : end;
                        roundTimes.add((next - s.get(i)) / 1000.0);
                    }
                    mllibTimes.addAll(roundTimes);
                    mllibFinal = fromMllib(m);
                    log.accept(String.format(java.util.Locale.ROOT, "round %d MLlib: %d iterations, median %.3f s",
                            round + 1, mllibIterations, median(roundTimes)));
                }
            }
            boolean underflow = false;
            if (mllibFinal != null) {
                mllibLl = MixturePass.eStep(source, mllibFinal.scorer(), "mixem bench: evaluate MLlib's model").avgLogLikelihood();
                // MLlib adds EPSILON to every density in linear space; when densities fall below it, every row's
                // likelihood becomes k·EPSILON, two iterations give the same log-likelihood and MLlib stops
                // early (its loop runs while |llh - llhp| > tol, and tol is 0 here).
                underflow = mllibIterations < o.iterations();
            }
            if (vectors != null) {
                vectors.unpersist(false);
                spark.sparkContext().removeSparkListener(starts);
            }
            return new Result(o, Linalg.blasName(), BlockKernels.forDimension(o.dim()).name(),
                    spark.sparkContext().defaultParallelism(), mixemTimes, mllibTimes,
                    median(mixemTimes), o.mllib() ? median(mllibTimes) : Double.NaN,
                    flopsPerIteration(o.rows(), o.k(), o.dim(), o.covariance(), o.factors()), gemm, jvmGemm, mixemLl, mllibLl,
                    mllibIterations, underflow, cacheBytes, rawBytes, peakHeap());
        }
    }

    /** mixem's EM alone for a family without an MLlib counterpart, timed the same way. */
    private static Result runFamily(SparkSession spark, Options o, SparkBlockSource source, FitConfig cfg,
                                    double gemm, double jvmGemm, long cacheBytes, long rawBytes,
                                    java.util.function.Consumer<String> log) {
        return runFamily(dev.mixem.family.registry.Families.of(cfg), spark, o, source, cfg, gemm, jvmGemm, cacheBytes, rawBytes,
                log);
    }

    private static <P extends dev.mixem.family.MixtureParams, S extends dev.mixem.stats.MixtureStats<S>> Result runFamily(
            dev.mixem.family.MixtureFamily<P, S> family, SparkSession spark, Options o, SparkBlockSource source,
            FitConfig cfg, double gemm, double jvmGemm, long cacheBytes, long rawBytes,
            java.util.function.Consumer<String> log) {
        P init = EmFitter.initialization(family).initialize(source, cfg, Seeds.mix(o.seed(), 0), 0).params();
        List<Double> times = new ArrayList<>();
        double ll = Double.NaN;
        for (int round = 0; round < o.rounds(); round++) {
            FitResult<P> r = new EmFitter(FitListener.NONE).run(family, source, init, cfg, 0);
            List<TraceEntry> t = r.trace();
            for (int i = 2; i < t.size(); i++) {
                times.add(t.get(i).seconds());
            }
            ll = r.avgLogLikelihood();
            log.accept(String.format(java.util.Locale.ROOT, "round %d mixem: %d iterations, median %.3f s, avgLogLikelihood %.8f",
                    round + 1, r.iterations(), median(t.subList(Math.min(2, t.size()), t.size()).stream()
                            .map(TraceEntry::seconds).toList()), ll));
        }
        return new Result(o, Linalg.blasName(), BlockKernels.forDimension(o.dim()).name(),
                spark.sparkContext().defaultParallelism(), times, List.of(), median(times), Double.NaN,
                flopsPerIteration(o.rows(), o.k(), o.dim(), o.family(), o.covariance(), o.factors()), gemm, jvmGemm,
                ll, Double.NaN, 0, false, cacheBytes, rawBytes, peakHeap());
    }

    /** Generated data: full-covariance truth for full runs, diagonal for the others. */
    private static SparkBlockSource generate(SparkSession spark, Options o) {
        if (o.family() != Family.GAUSSIAN) {
            // The family's planted mixture at the default separation of generate.
            dev.mixem.family.MixtureParams truth = Generator.truth(dev.mixem.family.registry.Families.of(
                    FitConfig.defaults(o.k()).withFamily(o.family(), 0)), o.k(), o.dim(), 5.0, o.seed());
            int blockRows = o.blockRows() > 0 ? o.blockRows() : SparkBlockSource.defaultBlockRows(o.dim());
            return SparkBlockSource.cache(spark, Generator.blocks(spark, truth, o.rows(), o.partitions(), o.seed(),
                    blockRows), o.dim(), "benchmark data");
        }
        // (A full truth of D=1000 would be k x 8 MB of covariances to ship to every task.)
        GaussianParams truth = Generator.truth(o.covariance(), o.factors(), o.k(), o.dim(), 3.0, o.seed());
        if (o.scale() != 1.0) {
            truth = scaled(truth, o.scale());
        }
        int blockRows = o.blockRows() > 0 ? o.blockRows() : SparkBlockSource.defaultBlockRows(o.dim());
        JavaRDD<RowBlock> blocks = Generator.blocks(spark, truth, o.rows(), o.partitions(), o.seed(), blockRows);
        return SparkBlockSource.cache(spark, blocks, o.dim(), "benchmark data");
    }

    /** A file's rows, read and cached as {@code fit} does (bad rows fail, missing cells are kept). */
    private static SparkBlockSource load(SparkSession spark, Options o) {
        InputReader.Loaded in = dev.mixem.job.FitJob.forFamily(InputReader.read(spark, o.input()), o.family());
        int d = in.extractor().dim();
        int blockRows = o.blockRows() > 0 ? o.blockRows() : SparkBlockSource.defaultBlockRows(d);
        return SparkBlockSource.load(spark, in.frame(), in.extractor(), o.partitions(), blockRows);
    }

    /** Records when each MLlib EM iteration (its treeAggregate job) starts, per job group. */
    private static final class JobStarts extends SparkListener {
        private final List<long[]> events = Collections.synchronizedList(new ArrayList<>());
        private final List<String> groups = Collections.synchronizedList(new ArrayList<>());

        void watch(String group) {
            groups.add(group);
        }

        @Override
        public void onJobStart(SparkListenerJobStart e) {
            Properties p = e.properties();
            if (p == null) {
                return;
            }
            int g = groups.indexOf(p.getProperty("spark.jobGroup.id"));
            boolean aggregate = false;
            scala.collection.Iterator<org.apache.spark.scheduler.StageInfo> it = e.stageInfos().iterator();
            while (it.hasNext()) {
                aggregate |= it.next().name().startsWith("treeAggregate");
            }
            if (g >= 0 && aggregate) {
                events.add(new long[]{g, e.time()});
            }
        }

        /** Start times of the group's iterations, waiting (bounded) for the listener bus to deliver them. */
        List<Long> await(String group, int expected) {
            int g = groups.indexOf(group);
            long deadline = System.currentTimeMillis() + 5000;
            List<Long> out;
            do {
                out = new ArrayList<>();
                synchronized (events) {
                    for (long[] ev : events) {
                        if (ev[0] == g) {
                            out.add(ev[1]);
                        }
                    }
                }
                if (out.size() >= expected) {
                    break;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            } while (System.currentTimeMillis() < deadline);
            Collections.sort(out);
            return out;
        }
    }

    /**
     * Aggregate DGEMM rate of the executors: one task per core, each timing n x n x n DGEMMs with the BLAS
     * that mixem's kernels use, all at once; each task's rate is its fastest of eight.
     */
    static double gemmGflops(JavaSparkContext jsc, int tasks) {
        jsc.setJobDescription("mixem bench: DGEMM rate");
        List<Double> rates = jsc.parallelize(IntStream.range(0, tasks).boxed().toList(), tasks).map(t -> {
            int n = 1000;
            double[] a = new double[n * n];
            double[] b = new double[n * n];
            double[] c = new double[n * n];
            SplittableRandom rng = new SplittableRandom(t);
            for (int i = 0; i < a.length; i++) {
                a[i] = rng.nextDouble();
                b[i] = rng.nextDouble();
            }
            for (int w = 0; w < 2; w++) {
                Linalg.blas().dgemm("N", "N", n, n, n, 1.0, a, n, b, n, 0.0, c, n);
            }
            // The fastest of eight, as for the JVM kernels below: on this shared VM one slow window (another
            // tenant, a JIT compile beside it) read 36-41 GFLOP/s where the others read 55-80, and a low
            // denominator overstated every "% of DGEMM" figure.
            double best = 0;
            for (int r = 0; r < 8; r++) {
                long t0 = System.nanoTime();
                Linalg.blas().dgemm("N", "N", n, n, n, 1.0, a, n, b, n, 0.0, c, n);
                best = Math.max(best, 2.0 * n * n * n / ((System.nanoTime() - t0) / 1e9) / 1e9);
            }
            return best;
        }).collect();
        return rates.stream().mapToDouble(Double::doubleValue).sum();
    }

    /**
     * Aggregate rate of mixem's own JVM GEMM kernels ({@link SeparableGemm}: scores and moments of 512 rows x
     * 256 features against 16 columns), one task per core, all at once; NaN without the Vector API.
     */
    static double jvmGemmGflops(JavaSparkContext jsc, int tasks) {
        jsc.setJobDescription("mixem bench: JVM GEMM rate");
        List<Double> rates = jsc.parallelize(IntStream.range(0, tasks).boxed().toList(), tasks).map(t -> {
            if (!BlockKernels.vectorApi()) {
                return Double.NaN;
            }
            int m = 512;
            int d = 256;
            int k = 16;
            SplittableRandom rng = new SplittableRandom(t);
            double[] x = rng.doubles(m * d).toArray();
            double[] ref = new double[d];
            double[] coef = SeparableGemm.pack(d, k, rng.doubles(k * d).toArray(), rng.doubles(k * d).toArray());
            double[] resp = rng.doubles(m * k).toArray();
            double[] out = new double[m * k];
            double[] f = new double[k * d];
            double[] q = new double[k * d];
            SeparableGemm g = new SeparableGemm();
            // The best of eight 0.25 s windows: the first ones run while the JIT compiles the loops (a cold,
            // busy JVM runs them interpreted, hundreds of times slower), the later ones at full speed.
            double best = 0;
            for (int window = 0; window < 8; window++) {
                int reps = 0;
                long t0 = System.nanoTime();
                long elapsed;
                do {
                    g.scores(x, m, d, 0, m, ref, coef, k, out);
                    g.moments(x, m, d, 0, m, ref, resp, k, f, q);
                    reps++;
                    elapsed = System.nanoTime() - t0;
                } while (elapsed < 250_000_000L);
                best = Math.max(best, reps * 8.0 * m * d * k / (elapsed / 1e9) / 1e9);
            }
            return best;
        }).collect();
        return rates.stream().mapToDouble(Double::doubleValue).sum();
    }

    private static org.apache.spark.mllib.clustering.GaussianMixtureModel toMllib(GaussianParams p) {
        int k = p.k();
        int d = p.dim();
        MultivariateGaussian[] g = new MultivariateGaussian[k];
        for (int c = 0; c < k; c++) {
            double[] cov = p.covarianceMatrix(c);
            g[c] = new MultivariateGaussian(Vectors.dense(p.mean(c)), Matrices.dense(d, d, cov));
        }
        return new org.apache.spark.mllib.clustering.GaussianMixtureModel(p.weights(), g);
    }

    private static GaussianParams fromMllib(org.apache.spark.mllib.clustering.GaussianMixtureModel m) {
        int k = m.k();
        int d = m.gaussians()[0].mu().size();
        double[] means = new double[k * d];
        double[] cov = new double[k * d * d];
        for (int c = 0; c < k; c++) {
            System.arraycopy(m.gaussians()[c].mu().toArray(), 0, means, c * d, d);
            System.arraycopy(m.gaussians()[c].sigma().toArray(), 0, cov, c * d * d, d * d);
        }
        double[] w = m.weights().clone();
        double s = Arrays.stream(w).sum();
        for (int c = 0; c < k; c++) {
            w[c] /= s;
        }
        return new GaussianParams(CovarianceType.FULL, k, d, w, means, cov);
    }

    private static GaussianParams scaled(GaussianParams p, double s) {
        double[] cov = p.covariances();
        int q = p.factors();
        int d = p.dim();
        for (int i = 0; i < cov.length; i++) {
            // Factor: Ψ (the first d of each component's d·(q+1)) is a variance, Λ a standard deviation.
            boolean loading = q > 0 && i % (d * (q + 1)) >= d;
            cov[i] *= loading ? s : s * s;
        }
        double[] means = p.means();
        for (int i = 0; i < means.length; i++) {
            means[i] *= s;
        }
        return new GaussianParams(p.type(), q, p.k(), d, p.weights(), means, cov);
    }

    static double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        double[] v = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    }

    private static long cachedBytes(SparkContext sc, int rddId) {
        for (RDDInfo info : sc.getRDDStorageInfo()) {
            if (info.id() == rddId) {
                return info.memSize() + info.diskSize();
            }
        }
        return -1;
    }

    private static void resetPeakHeap() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
