package dev.mixem.cli;

import dev.mixem.job.LogProgress;

import dev.mixem.job.FitJob;

import dev.mixem.config.CovarianceType;
import dev.mixem.config.FitConfig;
import dev.mixem.config.InitMethod;
import dev.mixem.data.HadoopFiles;
import dev.mixem.data.Outputs;
import dev.mixem.data.InputReader;
import dev.mixem.data.InputSpec;
import dev.mixem.data.SparkBlockSource;
import dev.mixem.family.registry.Families;
import dev.mixem.fit.Comparison;
import dev.mixem.config.FitMethod;
import dev.mixem.math.Seeds;
import dev.mixem.report.CompareReport;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "compare", mixinStandardHelpOptions = true, defaultValueProvider = FitDefaults.class, sortOptions = false,
        description = "Fit the same data by EM, online EM and gradient methods from one shared start, within one budget"
                + " of passes, and write DIR/report.html and DIR/compare.json.")
final class CompareCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    InputOptions input;

    @Option(names = "--k", required = true, description = "Number of components.")
    int k;

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Directory for report.html and compare.json; it must not exist unless --overwrite is given.")
    String output;

    @Option(names = "--overwrite", description = "Replace the report directory if it exists (only if it holds just"
            + " report.html and compare.json).")
    boolean overwrite;

    @Option(names = "--methods", split = ",",
            description = "Methods to run (default: ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--budget-passes", paramLabel = "P",
            description = "Passes over the data each method may spend (default: ${DEFAULT-VALUE}).")
    double budget;

    @Option(names = "--lr-sweep", description = "Also run sgd, adam and gd at 0.1x to 10x their default learning rate.")
    boolean lrSweep;

    @Option(names = "--sweep-passes", paramLabel = "P",
            description = "Passes per run of the learning-rate sweep (default: ${DEFAULT-VALUE}).")
    double sweepPasses;

    @Option(names = "--batch-fraction",
            description = "Mini-batch fraction of online-em, sgd and adam (default: ${DEFAULT-VALUE}).")
    double batchFraction;

    @Option(names = "--eval-every", paramLabel = "PASSES",
            description = "Mini-batch methods: record the log-likelihood about every this many passes (default: ${DEFAULT-VALUE}).")
    double evalEvery;

    @Option(names = "--eval-sample", paramLabel = "F",
            description = "Evaluate on a fixed seeded sample of this fraction of the rows (default: all rows).")
    double evalSample;

    @picocli.CommandLine.Mixin
    FamilyOptions familyOptions;

    @Option(names = "--covariance", description = "full, diag, tied or spherical, as scikit-learn's covariance_type,"
            + " or factor (with --factors) (default: ${DEFAULT-VALUE}).")
    String covariance;

    @Option(names = "--factors", paramLabel = "Q", description = "With --covariance factor: latent factors per component.")
    int factors;

    @Option(names = "--init", description = "Initialization shared by every method (default: ${DEFAULT-VALUE}).")
    String init;

    @Option(names = "--reg-covar", description = "EM's and online EM's reg-covar (default: ${DEFAULT-VALUE}).")
    double regCovar;

    @Option(names = "--seed", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        FitConfig cfg;
        List<FitMethod> ms = new ArrayList<>();
        InputSpec in;
        try {
            FitConfig defaults = Comparison.defaults(k);
            cfg = new FitConfig(k, CovarianceType.parse(covariance), InitMethod.parse(init), 1, defaults.maxIter(),
                    defaults.tol(), regCovar, seed, defaults.method().withBatchFraction(batchFraction)
                    .withBudget(budget).withEvalSample(evalSample).withEvalEvery(evalEvery), factors);
            cfg = familyOptions.apply(cfg, spec);
            for (String m : methods) {
                ms.add(FitMethod.parse(m));
            }
            if (lrSweep && !(sweepPasses > 0)) {
                throw new IllegalArgumentException("sweep-passes must be > 0");
            }
            in = input.spec();
            in.effectiveFormat();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        SparkSession spark = Spark.session("compare");
        try {
            run(spark, in, cfg, ms, lrSweep ? sweepPasses : 0, output, overwrite);
        } finally {
            Spark.stop(spark);
        }
        return 0;
    }

    /**
     * @param cfg the shared configuration: k, covariance, init, seed, reg-covar and the method options every
     *            method starts from (budget, batch fraction, evaluation)
     */
    static Comparison.Outcome run(SparkSession spark, InputSpec spec, FitConfig cfg, List<FitMethod> methods,
                                  double sweepPasses, String output) {
        return run(spark, spec, cfg, methods, sweepPasses, output, false);
    }

    static Comparison.Outcome run(SparkSession spark, InputSpec spec, FitConfig cfg, List<FitMethod> methods,
                                  double sweepPasses, String output, boolean overwrite) {
        Outputs.Target target = Outputs.claim(spark.sparkContext().hadoopConfiguration(), output,
                Outputs.Kind.REPORT, overwrite);
        dev.mixem.config.MethodOptions template = cfg.method();
        long t0 = System.nanoTime();
        spec = FitJob.forFamily(spark, spec, cfg.family());
        InputReader.Loaded in = FitJob.forFamily(InputReader.read(spark, spec), cfg,
                dev.mixem.config.InvalidPolicy.FAIL);
        int d = in.extractor().dim();
        boolean sparse = FitJob.sparseInput(in, cfg);
        int blockRows = FitJob.blockRows(d, sparse, null);
        FitJob.preflight(spark, in, cfg, spec.partitions(), blockRows,
                dev.mixem.job.SparkResources.estimateRows(spark, in.frame(), spec.effectiveFormat()), sparse);
        try (SparkBlockSource src = FitJob.load(spark, in, sparse, spec.partitions(), blockRows,
                dev.mixem.config.InvalidPolicy.FAIL, dev.mixem.config.MissingPolicy.MARGINALIZE)) {
            src.requireObservedFeatures(in.extractor().featureNames());
            if (cfg.family().hasCovariance()) {
                FitJob.requireModestMagnitudes(src.maxAbs(), in.extractor().featureNames());
            }
            LogProgress.LOG.info(String.format(Locale.ROOT, "loaded %d rows x %d features in %d partitions (%.1f s)",
                    src.rows(), d, src.partitions(), (System.nanoTime() - t0) / 1e9));
            Comparison.Outcome out = compare(Families.of(cfg, in.extractor().categories()), src, cfg, methods,
                    sweepPasses);
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("input", spec.path());
            data.put("rows", src.rows());
            data.put("features", d);
            data.put("k", cfg.k());
            if (cfg.family() != dev.mixem.config.Family.GAUSSIAN) {
                data.put("family", cfg.family().serializedName());
            }
            if (cfg.family().hasCovariance()) {
                data.put("covariance", cfg.covarianceType().serializedName());
                if (cfg.factors() > 0) {
                    data.put("factors", cfg.factors());
                }
            }
            data.put("missingCells", src.missingCells());
            data.put("partitions", src.partitions());
            data.put("cores", spark.sparkContext().defaultParallelism());
            data.put("budgetPasses", template.budgetPasses());
            data.put("batchFraction", template.batchFraction());
            data.put("evaluation", template.evalSample() > 0 ? "fixed sample of " + template.evalSample() + " of the rows"
                    : "all rows");
            data.put("init", cfg.init().serializedName() + ", seed " + cfg.seed());
            String dir = target.path();
            var conf = spark.sparkContext().hadoopConfiguration();
            target.write(tmp -> {
                HadoopFiles.writeString(conf, tmp + "/compare.json", CompareReport.json(out, data));
                HadoopFiles.writeString(conf, tmp + "/report.html", CompareReport.html(out, data));
            });
            print(out, data);
            System.out.println("wrote " + dir + "/report.html and " + dir + "/compare.json");
            return out;
        }
    }

    private static <P extends dev.mixem.family.MixtureParams, S extends dev.mixem.stats.MixtureStats<S>>
    Comparison.Outcome compare(dev.mixem.family.MixtureFamily<P, S> family, SparkBlockSource src, FitConfig cfg,
                               List<FitMethod> methods, double sweepPasses) {
        P start = dev.mixem.fit.EmFitter.initialization(family).initialize(src, cfg, Seeds.mix(cfg.seed(), 0), 0)
                .params();
        return Comparison.run(family, src, start, methods, cfg, sweepPasses, LogProgress.LOG::info);
    }

    private static void print(Comparison.Outcome out, Map<String, Object> data) {
        System.out.printf(Locale.ROOT, "%n%s rows x %s features, k=%s, budget %s passes; best avgLogLikelihood %.8f%n",
                data.get("rows"), data.get("features"), data.get("k"), data.get("budgetPasses"), out.bestAvgLogLikelihood());
        System.out.printf(Locale.ROOT, "%-10s %16s %16s %16s %8s %12s%n", "method", "final avgLL", "passes to 1e-3",
                "seconds to 1e-3", "falls", "constraints");
        for (Comparison.MethodOutcome m : out.methods()) {
            System.out.printf(Locale.ROOT, "%-10s %16.8f %16s %16s %8d %12s%n", m.options().method(),
                    m.finalAvgLogLikelihood(),
                    m.passesToTarget() == null ? "not reached" : String.format(Locale.ROOT, "%.2f", m.passesToTarget()),
                    m.secondsToTarget() == null ? "not reached" : String.format(Locale.ROOT, "%.2f", m.secondsToTarget()),
                    m.likelihoodDecreases(), m.constraintsHeld() ? "held" : "BROKEN");
        }
    }
}
