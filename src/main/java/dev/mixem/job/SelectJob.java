package dev.mixem.job;

import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.config.InvalidPolicy;
import dev.mixem.config.MissingPolicy;
import dev.mixem.data.DeterministicReduce;
import dev.mixem.data.HadoopFiles;
import dev.mixem.data.InputReader;
import dev.mixem.data.InputSpec;
import dev.mixem.data.ModelStore;
import dev.mixem.data.Outputs;
import dev.mixem.data.SparkBlockSource;
import dev.mixem.family.gaussian.GaussianStats;
import dev.mixem.model.MixtureModel;
import dev.mixem.report.SelectReport;
import dev.mixem.select.ModelSelection;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code select}: loads and caches the input once, fits every candidate in lock-step
 * ({@link ModelSelection}), and writes {@code DIR/select.json}, {@code DIR/report.html} and the chosen model
 * as a model directory, {@code DIR/model}.
 */
public final class SelectJob {

    private SelectJob() {
    }

    /**
     * The statistics one batch may send per partition when the user gives no bound: what keeps a pass's
     * results within half of {@code spark.driver.maxResultSize} at min(P, fan-in) partitions at once, at
     * most 256 MB.
     */
    public static long autoMaxStatsBytes(long maxResultSize, int partitions) {
        long cap = 256L << 20;
        if (maxResultSize <= 0) {
            return cap;
        }
        int atOnce = Math.max(1, Math.min(partitions, DeterministicReduce.DEFAULT_FAN_IN));
        return Math.max(1L << 20, Math.min(cap, maxResultSize / (2L * atOnce)));
    }

    /** @param maxStatsBytes the bound of one batch's statistics per partition, 0 for {@link #autoMaxStatsBytes} */
    public static ModelSelection.Outcome run(SparkSession spark, InputSpec spec, ModelSelection.Options options,
                                             long maxStatsBytes, String output, boolean overwrite,
                                             InvalidPolicy invalid, MissingPolicy missing) {
        return run(spark, spec, options, maxStatsBytes, output, overwrite, invalid, missing, null);
    }

    /** A candidate's checkpoint file in the checkpoint directory. */
    static String checkpointFile(FitConfig cfg, int restart) {
        String structure = cfg.covarianceType().serializedName() + (cfg.factors() > 0 ? cfg.factors() : "");
        return String.format(Locale.ROOT, "candidate-k%d-%s-r%d.json", cfg.k(), structure, restart + 1);
    }

    /**
     * @param checkpoints where every candidate checkpoints ({@code DIR/candidate-kK-TYPE-rR.json}) and whether
     *                    to resume: candidates with a checkpoint continue from it, the others start afresh
     */
    public static ModelSelection.Outcome run(SparkSession spark, InputSpec spec, ModelSelection.Options options,
                                             long maxStatsBytes, String output, boolean overwrite,
                                             InvalidPolicy invalid, MissingPolicy missing,
                                             FitJob.Checkpoints checkpoints) {
        long t0 = System.nanoTime();
        var conf = spark.sparkContext().hadoopConfiguration();
        Outputs.Target target = Outputs.claim(conf, output, Outputs.Kind.SELECT, overwrite);
        if (checkpoints != null) {
            claimCheckpoints(conf, checkpoints, target.path(), overwrite);
        }
        InputReader.Loaded in = InputReader.read(spark, spec);
        Map<String, Object> input = FitJob.inputProvenance(spec);
        long rows = SparkResources.estimateRows(spark, in.frame(), spec.effectiveFormat());
        Selected sel = select(spark, in, input, spec.partitions(), rows, options, src -> options.base(), maxStatsBytes,
                invalid, missing, checkpoints, t0);
        ModelSelection.Outcome out = sel.outcome();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("input", spec.path());
        data.put("rows", sel.model().summary().rows());
        data.put("features", in.extractor().dim());
        data.put("k", options.ks());
        data.put("covariance", options.types().stream().map(CovarianceType::serializedName).toList());
        data.put("nInit", options.nInit());
        data.put("init", options.base().init().serializedName() + ", seed " + options.base().seed());
        data.put("maxIter", options.base().maxIter());
        data.put("tol", options.base().tol());
        data.put("regCovar", options.base().regCovar());
        data.put("maxStatsBytes", sel.maxStatsBytes());
        data.put("prune", options.prune());
        data.put("partitions", sel.partitions());
        MixtureModel model = sel.model();
        target.write(tmp -> {
            HadoopFiles.writeString(conf, tmp + "/select.json", SelectReport.json(out, data));
            HadoopFiles.writeString(conf, tmp + "/report.html", SelectReport.html(out, data));
            ModelStore.save(conf, model, tmp + "/model");
        });
        print(out, target.path(), (System.nanoTime() - t0) / 1e9);
        return out;
    }

    /** A selection's outcome and the chosen model (with provenance, not saved). */
    public record Selected(ModelSelection.Outcome outcome, MixtureModel model, long maxStatsBytes,
                           int partitions) {
    }

    /**
     * Caches rows already read and runs the selection on them; {@code configure} gives the candidates' shared
     * configuration once the rows are known (the Spark ML estimator's tol is on the total log-likelihood).
     *
     * @param rowsEstimate the rows if known before reading them, else -1 (for the pre-flight check)
     */
    public static Selected select(SparkSession spark, InputReader.Loaded in, Map<String, Object> input, int partitions,
                                  long rowsEstimate, ModelSelection.Options options,
                                  java.util.function.Function<SparkBlockSource, FitConfig> configure,
                                  long maxStatsBytes, InvalidPolicy invalid, MissingPolicy missing,
                                  FitJob.Checkpoints checkpoints, long t0) {
        var conf = spark.sparkContext().hadoopConfiguration();
        int d = in.extractor().dim();
        int blockRows = SparkBlockSource.defaultBlockRows(d);
        int kMax = options.ks().stream().mapToInt(Integer::intValue).max().orElse(1);
        // The structure (and number of factors) whose statistics are largest plans the memory.
        CovarianceType largest = null;
        int largestQ = 0;
        for (CovarianceType t : options.types()) {
            for (int q : t == CovarianceType.FACTOR ? options.factors() : List.of(0)) {
                if (largest == null || GaussianStats.travellingDoubles(kMax, d, t, q)
                        > GaussianStats.travellingDoubles(kMax, d, largest, largestQ)) {
                    largest = t;
                    largestQ = q;
                }
            }
        }
        FitConfig planned = new FitConfig(kMax, largest, options.base().init(), 1, options.base().maxIter(),
                options.base().tol(), options.base().regCovar(), options.base().seed(),
                dev.mixem.config.MethodOptions.defaults(dev.mixem.config.FitMethod.EM, Double.POSITIVE_INFINITY), largestQ);
        FitJob.preflight(spark, in, planned, partitions, blockRows, rowsEstimate);
        try (SparkBlockSource src = SparkBlockSource.load(spark, in.frame(), in.extractor(), partitions,
                blockRows, invalid, missing)) {
            src.requireObservedFeatures(in.extractor().featureNames());
            FitJob.requireModestMagnitudes(src.maxAbs(), in.extractor().featureNames());
            LogProgress.LOG.info(String.format(Locale.ROOT, "loaded %d rows x %d features in %d partitions (%.1f s)",
                    src.rows(), d, src.partitions(), (System.nanoTime() - t0) / 1e9));
            long bound = maxStatsBytes > 0 ? maxStatsBytes
                    : autoMaxStatsBytes(SparkResources.of(spark).maxResultSize(), src.partitions());
            ModelSelection.Options o = new ModelSelection.Options(options.ks(), options.types(), options.nInit(),
                    options.criterion(), configure.apply(src), bound, options.prune(), options.factors());
            Map<String, Object> layout = new LinkedHashMap<>(input);
            layout.put("partitions", src.partitions());
            layout.put("blockRows", blockRows);
            ModelSelection.Checkpoints ck = ModelSelection.Checkpoints.NONE;
            if (checkpoints != null) {
                String fingerprint = src.fingerprint(blockRows);
                ck = (cfg, restart) -> {
                    String name = checkpointFile(cfg, restart);
                    boolean resume = checkpoints.resume() && HadoopFiles.readString(conf,
                            checkpoints.dir().replaceAll("/+$", "") + "/" + name) != null;
                    Map<String, Object> fitConfig = new LinkedHashMap<>(cfg.toMap());
                    fitConfig.put("restart", restart + 1);
                    fitConfig.put("invalid", invalid.serializedName());
                    fitConfig.put("missing", missing.serializedName());
                    return dev.mixem.fit.Checkpointer.of(new dev.mixem.data.CheckpointStore(conf, checkpoints.dir(),
                            name, checkpoints.every(), resume, fitConfig, layout, fingerprint, LogProgress.LOG::debug));
                };
            }
            ModelSelection.Outcome out = ModelSelection.run(src, o, LogProgress.LOG::info, ck);
            MixtureModel model = FitJob.model(spark, src, in, out.chosenConfig(), out.chosenFit(), layout,
                    invalid, missing);
            return new Selected(out, model, bound, src.partitions());
        }
    }

    private static void claimCheckpoints(org.apache.hadoop.conf.Configuration conf, FitJob.Checkpoints c,
                                         String modelDir, boolean overwrite) {
        dev.mixem.data.CheckpointStore.claim(conf, c.dir(), modelDir, true, true);
        if (c.resume() || overwrite) {
            return;
        }
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(c.dir());
            org.apache.hadoop.fs.FileSystem fs = p.getFileSystem(conf);
            if (fs.exists(p) && fs.listStatus(p, q -> q.getName().startsWith("candidate-")).length > 0) {
                throw new dev.mixem.data.OutputExistsException(c.dir(), "checkpoint directory " + c.dir()
                        + " already holds a selection's checkpoints: pass --resume " + c.dir()
                        + " to continue it, or --overwrite to start afresh");
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot inspect " + c.dir() + ": " + e.getMessage(), e);
        }
    }

    private static void print(ModelSelection.Outcome out, String dir, double seconds) {
        System.out.printf(Locale.ROOT, "%n%-4s %-10s %8s %18s %10s %16s %16s %16s %6s%n", "k", "covariance", "restart",
                "avgLogLikelihood", "params", "BIC", "AIC", "ICL", "iters");
        for (int i = 0; i < out.candidates().size(); i++) {
            ModelSelection.Candidate c = out.candidates().get(i);
            if (c.failure() != null) {
                System.out.printf(Locale.ROOT, "%-4d %-10s %8d   failed: %s%n", c.k(), c.structure(),
                        c.restart() + 1, c.failure());
                continue;
            }
            System.out.printf(Locale.ROOT, "%-4d %-10s %8d %18.8f %10d %16.3f %16.3f %16.3f %6d%s%n", c.k(),
                    c.structure(), c.restart() + 1, c.avgLogLikelihood(), c.freeParameters(), c.bic(),
                    c.aic(), c.icl(), c.iterations(), i == out.chosen() ? "  <- chosen" : c.pruned() ? "  (pruned)" : "");
        }
        ModelSelection.Candidate c = out.candidates().get(out.chosen());
        System.out.printf(Locale.ROOT, "chosen by %s: k=%d, %s covariance; %d candidates in %d passes over the data"
                        + " (%d batch%s), %.1f s; wrote %s/select.json, %s/report.html and %s/model%n",
                out.criterion().serializedName(), c.k(), c.structure(), out.candidates().size(),
                out.jobs(), out.batches(), out.batches() == 1 ? "" : "es", seconds, dir, dir, dir);
    }
}
