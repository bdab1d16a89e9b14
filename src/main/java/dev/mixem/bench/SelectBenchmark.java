package dev.mixem.bench;

import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.config.InitMethod;
import dev.mixem.config.InvalidPolicy;
import dev.mixem.config.MissingPolicy;
import dev.mixem.data.InputReader;
import dev.mixem.data.InputSpec;
import dev.mixem.data.SparkBlockSource;
import dev.mixem.family.gaussian.GaussianParams;
import dev.mixem.fit.EmFitter;
import dev.mixem.fit.FitListener;
import dev.mixem.init.Initializer;
import dev.mixem.job.FitJob;
import dev.mixem.job.SelectJob;
import dev.mixem.math.Seeds;
import dev.mixem.select.Criterion;
import dev.mixem.select.ModelSelection;
import dev.mixem.source.BlockSource;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code bench-select}: what lock-step selection saves. Two measurements on one input:
 * <ol>
 * <li><b>Per iteration</b>, on rows cached once: every candidate's EM from the same initial parameters for I
 * iterations (tol 0), first one candidate after another (seconds per pass of each, summed), then all in
 * lock-step (seconds per lock-step pass). Alternated over rounds, medians reported.</li>
 * <li><b>Wall time</b> (unless {@code --no-fits}): one {@code select} as the command runs it (reading and
 * caching the input, initialization, EM to convergence, the outputs) against the equivalent separate
 * {@code fit} runs, each reading and caching the input itself.</li>
 * </ol>
 */
public final class SelectBenchmark {

    private SelectBenchmark() {
    }

    public record Options(InputSpec input, List<Integer> ks, List<CovarianceType> types, int iterations, int rounds,
                          long seed, boolean fits) {
    }

    /**
     * @param separatePerIteration sum over candidates of their seconds per pass when run alone (median of rounds)
     * @param batchPerIteration    seconds per lock-step pass of all candidates (median of rounds)
     * @param selectSeconds        one select, end to end (NaN without fits)
     * @param fitsSeconds          the separate fits, end to end (NaN without fits)
     */
    public record Result(long rows, int dim, int candidates, int partitions, double separatePerIteration,
                         double batchPerIteration, double selectSeconds, double fitsSeconds, int selectPasses) {
        public double iterationRatio() {
            return batchPerIteration / separatePerIteration;
        }

        public double wallRatio() {
            return selectSeconds / fitsSeconds;
        }
    }

    public static Result run(SparkSession spark, Options o, Consumer<String> log) throws java.io.IOException {
        List<FitConfig> configs = new ArrayList<>();
        for (CovarianceType t : o.types()) {
            for (int k : o.ks()) {
                configs.add(new FitConfig(k, t, InitMethod.KMEANS_PLUS_PLUS, 1, o.iterations(), 0.0,
                        FitConfig.DEFAULT_REG_COVAR, o.seed()));
            }
        }
        long rows;
        int dim;
        int partitions;
        List<Double> separate = new ArrayList<>();
        List<Double> batch = new ArrayList<>();
        InputReader.Loaded in = InputReader.read(spark, o.input());
        try (SparkBlockSource src = SparkBlockSource.load(spark, in.frame(), in.extractor(), o.input().partitions(),
                SparkBlockSource.defaultBlockRows(in.extractor().dim()), InvalidPolicy.FAIL, MissingPolicy.MARGINALIZE)) {
            rows = src.rows();
            dim = src.dim();
            partitions = src.partitions();
            int kMax = o.ks().stream().mapToInt(Integer::intValue).max().orElse(1);
            BlockSource.Sample sample = Initializer.sharedSample(src, kMax, Seeds.mix(o.seed(), 0));
            List<GaussianParams> inits = new ArrayList<>();
            for (FitConfig c : configs) {
                double[] centers = Initializer.centersFromSample(sample, c.init(), c.k(), Seeds.mix(o.seed(), 0));
                inits.add(Initializer.fromCenters(src, centers, c, "mixem bench-select init").params());
            }
            log.accept(String.format(Locale.ROOT, "bench-select: %d rows x %d features in %d partitions, %d candidates,"
                    + " %d iterations each", rows, dim, partitions, configs.size(), o.iterations()));
            for (int round = 0; round < o.rounds(); round++) {
                boolean aloneFirst = round % 2 == 0;
                for (int part = 0; part < 2; part++) {
                    if ((part == 0) == aloneFirst) {
                        double sum = 0;
                        for (int i = 0; i < configs.size(); i++) {
                            long t0 = System.nanoTime();
                            new EmFitter(FitListener.NONE).run(src, inits.get(i), configs.get(i), 0);
                            sum += (System.nanoTime() - t0) / 1e9 / (o.iterations() + 1);
                        }
                        separate.add(sum);
                        log.accept(String.format(Locale.ROOT, "round %d: candidates one by one, %.4f s per pass summed",
                                round + 1, sum));
                    } else {
                        ModelSelection.Lockstep l = ModelSelection.lockstep(src, inits, configs);
                        double per = l.seconds() / l.passes();
                        batch.add(per);
                        log.accept(String.format(Locale.ROOT, "round %d: all in lock-step, %.4f s per pass (%d passes)",
                                round + 1, per, l.passes()));
                    }
                }
            }
        }
        double selectSeconds = Double.NaN;
        double fitsSeconds = Double.NaN;
        int selectPasses = 0;
        if (o.fits()) {
            Path tmp = Files.createTempDirectory("mixem-bench-select");
            FitConfig base = FitConfig.defaults(1).withSeed(o.seed());
            long t0 = System.nanoTime();
            ModelSelection.Outcome out = SelectJob.run(spark, o.input(), new ModelSelection.Options(o.ks(), o.types(), 1,
                    Criterion.BIC, base, 0), 0, tmp.resolve("select").toString(), false, InvalidPolicy.FAIL,
                    MissingPolicy.MARGINALIZE);
            selectSeconds = (System.nanoTime() - t0) / 1e9;
            selectPasses = out.jobs();
            log.accept(String.format(Locale.ROOT, "one select: %.1f s (%d passes)", selectSeconds, selectPasses));
            long t1 = System.nanoTime();
            int n = 0;
            for (CovarianceType t : o.types()) {
                for (int k : o.ks()) {
                    FitConfig c = new FitConfig(k, t, base.init(), 1, base.maxIter(), base.tol(), base.regCovar(), o.seed());
                    FitJob.run(spark, o.input(), c, null, tmp.resolve("fit" + (n++)).toString(), InvalidPolicy.FAIL,
                            MissingPolicy.MARGINALIZE, null, false);
                }
            }
            fitsSeconds = (System.nanoTime() - t1) / 1e9;
            log.accept(String.format(Locale.ROOT, "%d separate fits: %.1f s", n, fitsSeconds));
        }
        return new Result(rows, dim, configs.size(), partitions, Benchmark.median(separate), Benchmark.median(batch),
                selectSeconds, fitsSeconds, selectPasses);
    }
}
