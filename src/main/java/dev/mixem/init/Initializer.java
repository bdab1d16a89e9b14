package dev.mixem.init;

import dev.mixem.config.CovarianceType;
import dev.mixem.math.Seeds;

import dev.mixem.family.MixtureFamily;

import dev.mixem.math.LocalKMeans;

import dev.mixem.config.FitConfig;
import dev.mixem.family.gaussian.GaussianMStep;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.source.BlockSource;
import dev.mixem.family.gaussian.GaussianStats;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Initial parameters, the way scikit-learn's GaussianMixture makes them: pick k centers, assign every row
 * to its nearest center, and run one M-step on those hard responsibilities (weights, means and covariances of
 * the k clusters, plus reg-covar).
 * <ul>
 *   <li>{@code kmeans-parallel}: k-means|| and Lloyd iterations through Spark ML's KMeans, on a seeded
 *       sample of at most {@value #KMEANS_PARALLEL_ROWS} rows (all rows when there are fewer). Spark ML's
 *       KMeans converts and caches its own copy of its input, about 8 s of fixed cost per million rows on
 *       two cores, while the centers need only be good seeds: EM refines them on every row.</li>
 *   <li>{@code kmeans++}: k-means++ and Lloyd iterations on a seeded sample of about
 *       {@value #SAMPLE_ROWS} rows.</li>
 *   <li>{@code random}: k distinct rows of that sample, chosen uniformly at random.</li>
 * </ul>
 * The sample is drawn by hashing (seed, global row index), so it is the same whatever the partitioning.
 * Missing cells are filled with their feature's observed mean for choosing centers; the hard-assignment
 * pass compares a row with missing cells to the centers on its observed cells.
 */
public final class Initializer {
    /** Target size of the sample that kmeans++ and random initialization work on. */
    public static final int SAMPLE_ROWS = 20_000;
    /** Most rows that k-means|| initialization runs on. */
    public static final int KMEANS_PARALLEL_ROWS = 200_000;
    /**
     * Most bytes of the driver's sample (kmeans++, random): 20,000 rows up to 1,600 features, fewer rows
     * beyond, so that a wide input's sample never exhausts the driver.
     */
    public static final long SAMPLE_BYTES = 256L << 20;
    /** Most bytes of the rows k-means|| caches on the executors: 200,000 rows up to 1,250 features. */
    public static final long KMEANS_PARALLEL_BYTES = 2L << 30;
    static final int KMEANS_MAX_ITER = 20;
    static final int LOCAL_LLOYD_MAX_ITER = 100;

    private Initializer() {
    }

    /**
     * k-means|| where the source runs it ({@link KMeansParallel}); elsewhere k-means++ and Lloyd in the driver
     * on the same sample.
     */
    static double[] kmeansParallel(BlockSource source, int k, double fraction, long seed) {
        if (source instanceof KMeansParallel km) {
            return km.kmeansParallel(k, fraction, seed, KMEANS_MAX_ITER);
        }
        BlockSource.Sample all = source.sample(fraction, seed).filled(source.observedMeans());
        return LocalKMeans.fit(all.rows(), all.weights(), k, seed, KMEANS_MAX_ITER);
    }

    public static MixtureFamily.Update<GaussianParams> initialize(BlockSource source, FitConfig cfg, long seed, int restart) {
        return fromCenters(source, centers(source, cfg, seed), cfg,
                "mixem init restart " + (restart + 1) + "/" + cfg.nInit() + " (" + cfg.init() + ")");
    }

    /**
     * Initialization of any family: the configuration's centers, every row assigned to its nearest center,
     * and the family's M-step on those hard responsibilities ({@link HardAssignPass}; one pass). The Gaussian
     * family takes {@link #initialize(BlockSource, FitConfig, long, int)}, whose statistics are centred.
     */
    public static <P extends dev.mixem.family.MixtureParams, S extends dev.mixem.stats.MixtureStats<S>>
    MixtureFamily.Update<P> initialize(MixtureFamily<P, S> family, BlockSource source, FitConfig cfg, long seed,
                                       int restart) {
        double[] centers = centers(source, cfg, seed);
        P at = family.atCenters(centers, cfg.k(), source.dim());
        S stats = source.aggregate(new HardAssignPass<>(centers, family.scorer(at)),
                "mixem init restart " + (restart + 1) + "/" + cfg.nInit() + " (" + cfg.init() + ")");
        return family.mStep(stats, at, cfg.regCovar());
    }

    /** The configuration's k initial centers ({@code --init}), {@code centers[c*d + j]}. */
    static double[] centers(BlockSource source, FitConfig cfg, long seed) {
        int k = cfg.k();
        double[] centers = switch (cfg.init()) {
            case KMEANS_PARALLEL -> kmeansParallel(source, k,
                    Math.min(1.0, kmeansParallelRows(k, source.dim()) / source.rows()), seed);
            case KMEANS_PLUS_PLUS -> {
                BlockSource.Sample s = sample(source, k, seed);
                yield LocalKMeans.fit(s.rows(), s.weights(), k, seed, LOCAL_LLOYD_MAX_ITER);
            }
            case RANDOM -> distinctRandomRows(sample(source, k, seed), k, seed);
        };
        if (centers == null) {
            throw new IllegalArgumentException("the input has fewer than k = " + k
                    + " distinct rows with positive weight; lower --k");
        }
        return centers;
    }

    /**
     * The initial parameters of given centers: every row assigned to its nearest center, then one M-step on
     * those hard responsibilities (one pass).
     */
    public static MixtureFamily.Update<GaussianParams> fromCenters(BlockSource source, double[] centers, FitConfig cfg,
                                                                   String description) {
        boolean factor = cfg.covarianceType() == CovarianceType.FACTOR;
        CovarianceType pass = factor ? CovarianceType.DIAG : cfg.covarianceType();
        GaussianStats stats = source.aggregate(new NearestCenterPass(centers, cfg.k(), source.dim(), pass),
                description);
        MixtureFamily.Update<GaussianParams> u = GaussianMStep.update(stats, centers, pass, cfg.regCovar());
        return factor ? new MixtureFamily.Update<>(factorStart(u.params(), cfg.factors(), cfg.regCovar(),
                Seeds.mix(cfg.seed(), 0x6661L)), u.dropped()) : u;
    }

    /**
     * Factor analyzers from the clusters' diagonal fit: Ψ = ½σ² + reg and seeded loadings N(0, ½σ²_j/q), so that
     * each feature's implied variance is σ²_j on average. EM turns the loadings to the clusters' main
     * directions (each iteration acts like a step of subspace iteration); loadings of 0 would be a fixed point.
     */
    static GaussianParams factorStart(GaussianParams diag, int q, double regCovar, long seed) {
        int k = diag.k();
        int d = diag.dim();
        if (q >= d) {
            throw new IllegalArgumentException("--factors must be below the number of features (" + d + "), got " + q);
        }
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        double[] cov = new double[CovarianceType.FACTOR.paramLength(k, d, q)];
        for (int c = 0; c < k; c++) {
            double[] var = diag.covariance(c);
            int o = c * d * (q + 1);
            for (int j = 0; j < d; j++) {
                double v = Math.max(var[j] - regCovar, 0);
                cov[o + j] = 0.5 * v + regCovar;
                double sd = Math.sqrt(0.5 * v / q);
                for (int t = 0; t < q; t++) {
                    cov[o + d + j + t * d] = sd * rng.nextGaussian();
                }
            }
        }
        return new GaussianParams(CovarianceType.FACTOR, q, k, d, diag.weights(), diag.means(), cov);
    }

    /**
     * One seeded sample that initializations of every k up to {@code kMax} share (as mclust shares one
     * hierarchical clustering across models), with missing cells filled by their feature's observed mean.
     */
    public static BlockSource.Sample sharedSample(BlockSource source, int kMax, long seed) {
        return sample(source, kMax, seed);
    }

    /**
     * Centers for k components drawn from a shared sample: k-means++ and Lloyd iterations, or k distinct
     * random rows; null when the sample has fewer than k distinct rows.
     */
    public static double[] centersFromSample(BlockSource.Sample s, dev.mixem.config.InitMethod init, int k, long seed) {
        return init == dev.mixem.config.InitMethod.RANDOM ? distinctRandomRows(s, k, seed)
                : LocalKMeans.fit(s.rows(), s.weights(), k, seed, LOCAL_LLOYD_MAX_ITER);
    }

    /** Rows k-means|| runs on (when there are that many). */
    static double kmeansParallelRows(int k, int d) {
        return Math.max(100.0 * k, Math.min(KMEANS_PARALLEL_ROWS, KMEANS_PARALLEL_BYTES / (8.0 * d)));
    }

    /**
     * Rows the driver's sample aims at for kmeans++ and random initialization (when there are that many):
     * {@value #SAMPLE_ROWS}, or 50 per component if more, within {@link #SAMPLE_BYTES}, but at least 10 per
     * component; 0 for k-means||, which samples on the executors.
     */
    public static long driverSampleRows(dev.mixem.config.InitMethod init, int k, int d) {
        if (init == dev.mixem.config.InitMethod.KMEANS_PARALLEL) {
            return 0;
        }
        double rows = Math.max(10.0 * k, Math.min(Math.max(SAMPLE_ROWS, 50.0 * k), SAMPLE_BYTES / (8.0 * (d + 1))));
        return (long) rows;
    }

    private static BlockSource.Sample sample(BlockSource source, int k, long seed) {
        double target = driverSampleRows(dev.mixem.config.InitMethod.RANDOM, k, source.dim());
        double fraction = Math.min(1.0, target / source.rows());
        BlockSource.Sample s = source.sample(fraction, seed);
        while (s.rows().length < k && fraction < 1.0) {
            fraction = Math.min(1.0, fraction * 4);
            s = source.sample(fraction, seed);
        }
        return s.filled(source.observedMeans());
    }

    private static double[] distinctRandomRows(BlockSource.Sample s, int k, long seed) {
        double[][] rows = s.rows();
        int n = rows.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int d = n == 0 ? 0 : rows[0].length;
        double[] centers = new double[k * d];
        Set<List<Double>> seen = new HashSet<>();
        int found = 0;
        for (int idx = 0; idx < n && found < k; idx++) {
            double[] r = rows[order[idx]];
            if (!(s.weights()[order[idx]] > 0)) {
                continue;
            }
            List<Double> key = new ArrayList<>(d);
            for (double v : r) {
                key.add(v);
            }
            if (seen.add(key)) {
                System.arraycopy(r, 0, centers, found * d, d);
                found++;
            }
        }
        return found == k ? centers : null;
    }
}
