package dev.mixem.cli;

import dev.mixem.config.Family;
import dev.mixem.config.FitConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --family} and its options, shared by the commands that fit or generate a mixture. */
public final class FamilyOptions {
    @Option(names = "--family", defaultValue = "gaussian", paramLabel = "FAMILY",
            description = "Mixture family: gaussian (real features; --covariance), bernoulli (features 0/1 or"
                    + " booleans) or poisson (counts) (default: ${DEFAULT-VALUE}).")
    String family;

    @Option(names = "--smoothing", defaultValue = "0", paramLabel = "S",
            description = "With --family bernoulli: pseudo-count s on every probability, (Σrx + s) / (Σr + 2s)"
                    + " (a Beta(1+s, 1+s) prior; default: ${DEFAULT-VALUE}, maximum likelihood).")
    double smoothing;

    /** The parsed family. */
    public Family family() {
        return Family.parse(family);
    }

    /**
     * The configuration for the chosen family; the Gaussian-only options (covariance, factors, reg-covar)
     * given with another family are an error.
     */
    public FitConfig apply(FitConfig cfg, CommandSpec spec) {
        Family f = family();
        if (f != Family.GAUSSIAN) {
            for (String gaussianOnly : new String[]{"--covariance", "--factors", "--reg-covar"}) {
                if (spec.commandLine().getParseResult().hasMatchedOption(gaussianOnly)) {
                    throw new IllegalArgumentException(gaussianOnly + " applies to --family gaussian only");
                }
            }
        }
        return cfg.withFamily(f, smoothing);
    }
}
