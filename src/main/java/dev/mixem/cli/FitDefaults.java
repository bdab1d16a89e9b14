package dev.mixem.cli;

import dev.mixem.config.FitConfig;
import dev.mixem.config.MethodOptions;
import dev.mixem.fit.Comparison;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.stream.Collectors;

/**
 * The defaults of the fit options, read from the library ({@link FitConfig#defaults} for {@code fit},
 * {@link Comparison#defaults} for {@code compare}) rather than copied into the commands as strings, so that
 * the library and the command line cannot disagree.
 */
public final class FitDefaults implements IDefaultValueProvider {
    private static final FitConfig FIT = FitConfig.defaults(1);
    private static final FitConfig COMPARE = Comparison.defaults(1);

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        boolean compare = option.command() != null && "compare".equals(option.command().name());
        FitConfig cfg = compare ? COMPARE : FIT;
        MethodOptions m = cfg.method();
        if (option.command() != null && "select".equals(option.command().name())
                && option.longestName().equals("--covariance")) {
            return "full,diag,tied,spherical";
        }
        return switch (option.longestName()) {
            case "--covariance" -> cfg.covarianceType().serializedName();
            case "--init" -> cfg.init().serializedName();
            case "--n-init" -> String.valueOf(cfg.nInit());
            case "--max-iter" -> String.valueOf(cfg.maxIter());
            case "--tol" -> String.valueOf(cfg.tol());
            case "--reg-covar" -> String.valueOf(cfg.regCovar());
            case "--seed" -> String.valueOf(cfg.seed());
            case "--method" -> m.method().serializedName();
            case "--batch-fraction" -> String.valueOf(m.batchFraction());
            case "--eval-sample" -> String.valueOf(m.evalSample());
            case "--eval-every" -> String.valueOf(m.evalEveryPasses());
            case "--budget-passes" -> String.valueOf(m.budgetPasses());
            case "--sweep-passes" -> String.valueOf(Comparison.DEFAULT_SWEEP_PASSES);
            case "--methods" -> Comparison.DEFAULT_METHODS.stream().map(Object::toString)
                    .collect(Collectors.joining(","));
            default -> null;
        };
    }
}
