package dev.mixem.bench;

import dev.mixem.data.SparkBlockSource;

import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.config.InitMethod;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.fit.EmFitter;
import dev.mixem.fit.FitListener;
import dev.mixem.fit.FitResult;
import dev.mixem.fit.MissingData;
import dev.mixem.fit.ParameterError;
import dev.mixem.fit.TraceEntry;
import dev.mixem.math.RowBlock;
import dev.mixem.math.Seeds;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * What missing cells cost and what marginalizing them buys, on planted mixtures made on the executors with
 * cells removed completely at random (MCAR):
 * <ul>
 *   <li>time per EM iteration at each missing fraction, on the same rows, from the same start (the true
 *       parameters; the cost of an iteration does not depend on where it starts);</li>
 *   <li>at each non-zero fraction, the error of the fitted parameters against the truth for marginalizing
 *       EM, complete-case deletion followed by EM, and per-feature mean imputation followed by EM. Each EM
 *       starts from the true parameters and runs to convergence (tol 1e-7), so that the comparison measures
 *       where each estimator settles, not the luck of an initialization (a single kmeans++ start lands in a
 *       poor local optimum now and then, whatever the method).</li>
 * </ul>
 */
public final class MissingBenchmark {

    private MissingBenchmark() {
    }

    public record Options(long rows, int dim, int k, CovarianceType covariance, double[] fractions, int iterations,
                         int partitions, long seed, long errorRows) {
    }

    /** Seconds per iteration (median, first iteration left out) at one missing fraction. */
    public record Timing(double fraction, long missingCells, double secondsPerIteration, double slowdown) {
    }

    /** Parameter errors of the three approaches at one missing fraction. */
    public record Errors(double fraction, long completeRows, ParameterError marginalize, ParameterError completeCases,
                         ParameterError meanImputation) {
    }

    public record Result(Options options, int cores, List<Timing> timings, List<Errors> errors) {
    }

    public static Result run(SparkSession spark, Options o, Consumer<String> log) {
        GaussianParams truth = Generator.truth(o.covariance(), o.k(), o.dim(), 3.0, o.seed());
        int blockRows = SparkBlockSource.defaultBlockRows(o.dim());
        List<Timing> timings = new ArrayList<>();
        double base = Double.NaN;
        for (double f : o.fractions()) {
            try (SparkBlockSource src = holes(spark, truth, o.rows(), o.partitions(), o.seed(), blockRows, f)) {
                FitConfig cfg = new FitConfig(o.k(), o.covariance(), InitMethod.KMEANS_PLUS_PLUS, 1, o.iterations(),
                        0.0, FitConfig.DEFAULT_REG_COVAR, o.seed());
                FitResult<GaussianParams> r = new EmFitter(FitListener.NONE).run(src, truth, cfg, 0);
                List<Double> secs = r.trace().subList(Math.min(2, r.trace().size()), r.trace().size()).stream()
                        .map(TraceEntry::seconds).toList();
                double s = Benchmark.median(secs);
                if (f == 0) {
                    base = s;
                }
                Timing t = new Timing(f, src.missingCells(), s, s / base);
                timings.add(t);
                log.accept(String.format(Locale.ROOT, "%.0f%% missing (%d cells): %.4f s per iteration (%.2fx)",
                        100 * f, src.missingCells(), s, t.slowdown()));
            }
        }
        List<Errors> errors = new ArrayList<>();
        FitConfig cfg = new FitConfig(o.k(), o.covariance(), InitMethod.KMEANS_PLUS_PLUS, 1, 500, 1e-7,
                FitConfig.DEFAULT_REG_COVAR, o.seed());
        EmFitter em = new EmFitter(FitListener.NONE);
        for (double f : o.fractions()) {
            if (f == 0 || o.errorRows() == 0) {
                continue;
            }
            try (SparkBlockSource src = holes(spark, truth, o.errorRows(), o.partitions(), o.seed() + 1, blockRows, f)) {
                ParameterError marg = ParameterError.of(truth, em.run(src, truth, cfg, 0).params());
                double[] fill = src.observedMeans();
                ParameterError cc;
                long completeRows;
                try (SparkBlockSource c = SparkBlockSource.cache(spark, src.blocks().map(MissingData::completeCases),
                        o.dim(), "complete cases")) {
                    completeRows = c.rows();
                    cc = ParameterError.of(truth, em.run(c, truth, cfg, 0).params());
                }
                ParameterError mean;
                try (SparkBlockSource m = SparkBlockSource.cache(spark,
                        src.blocks().map(b -> MissingData.imputed(b, fill)), o.dim(), "mean-imputed")) {
                    mean = ParameterError.of(truth, em.run(m, truth, cfg, 0).params());
                }
                Errors e = new Errors(f, completeRows, marg, cc, mean);
                errors.add(e);
                log.accept(String.format(Locale.ROOT, "%.0f%% missing: errors marginalize %s, complete cases (%d rows) %s,"
                        + " mean imputation %s", 100 * f, marg, completeRows, cc, mean));
            }
        }
        return new Result(o, spark.sparkContext().defaultParallelism(), timings, errors);
    }

    /** Generated rows with cells removed at random by a hash of (seed, partition, row, column), cached. */
    private static SparkBlockSource holes(SparkSession spark, GaussianParams truth, long rows, int partitions,
                                          long seed, int blockRows, double fraction) {
        JavaRDD<RowBlock> blocks = Generator.blocks(spark, truth, rows, partitions, seed, blockRows);
        long holeSeed = Seeds.mix(seed, 0x4D495353L);
        JavaRDD<RowBlock> withHoles = fraction == 0 ? blocks : blocks.mapPartitionsWithIndex((p, it) -> {
            long s = Seeds.mix(holeSeed, p);
            return new Iterator<RowBlock>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public RowBlock next() {
                    return MissingData.removeCompletelyAtRandom(it.next(), fraction, s);
                }
            };
        }, true);
        return SparkBlockSource.cache(spark, withHoles, truth.dim(),
                String.format(Locale.ROOT, "%d rows with %.0f%% missing cells", rows, 100 * fraction));
    }
}
