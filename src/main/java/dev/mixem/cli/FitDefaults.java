package dev.mixem.cli;

import dev.mixem.config.FitConfig;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The defaults of the fit options, read from {@link FitConfig#defaults} rather than copied into the
 * commands as strings, so that the library and the command line cannot disagree.
 */
public final class FitDefaults implements IDefaultValueProvider {
    private static final FitConfig DEFAULTS = FitConfig.defaults(1);

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        return switch (option.longestName()) {
            case "--covariance" -> DEFAULTS.covarianceType().serializedName();
            case "--init" -> DEFAULTS.init().serializedName();
            case "--n-init" -> String.valueOf(DEFAULTS.nInit());
            case "--max-iter" -> String.valueOf(DEFAULTS.maxIter());
            case "--tol" -> String.valueOf(DEFAULTS.tol());
            case "--reg-covar" -> String.valueOf(DEFAULTS.regCovar());
            case "--seed" -> String.valueOf(DEFAULTS.seed());
            default -> null;
        };
    }
}
