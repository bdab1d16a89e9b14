package dev.mixem.cli;

import dev.mixem.config.Family;
import dev.mixem.config.FitConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --family} and its options, shared by the commands that fit or generate a mixture. */
public final class FamilyOptions {
    @Option(names = "--family", defaultValue = "gaussian", paramLabel = "FAMILY",
            description = "Mixture family: gaussian (real features; --covariance), student-t (real features with"
                    + " heavy tails: multivariate t components, --covariance full|diag|tied|spherical, --dof),"
                    + " bernoulli (features 0/1 or booleans), poisson (counts) or categorical (text or integer"
                    + " columns, each a variable with its own levels: latent class analysis)"
                    + " (default: ${DEFAULT-VALUE}).")
    String family;

    @Option(names = "--smoothing", defaultValue = "0", paramLabel = "S",
            description = "With --family bernoulli or categorical: pseudo-count s on every probability, (Σrx + s) /"
                    + " (Σr + L·s) over a variable's L levels (2 for bernoulli; a Beta or Dirichlet(1+s) prior;"
                    + " default: ${DEFAULT-VALUE}, maximum likelihood).")
    double smoothing;

    @Option(names = "--max-levels", defaultValue = "1000", paramLabel = "L",
            description = "With --family categorical: most levels a column may have; a column with more is an error"
                    + " naming it, or with --invalid skip keeps its L most frequent levels and skips (and counts)"
                    + " the rows with others (default: ${DEFAULT-VALUE}).")
    int maxLevels;

    @Option(names = "--dof", defaultValue = "0", paramLabel = "NU",
            description = "With --family student-t: degrees of freedom held fixed for every component, in [0.5, 200];"
                    + " 0 estimates them per component (default: ${DEFAULT-VALUE}).")
    double dof;

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
        if (!f.hasCovariance()) {
            for (String gaussianOnly : new String[]{"--covariance", "--factors", "--reg-covar"}) {
                if (spec.commandLine().getParseResult().hasMatchedOption(gaussianOnly)) {
                    throw new IllegalArgumentException(gaussianOnly + " applies to --family gaussian and student-t only");
                }
            }
        }
        if (f == Family.STUDENT_T && spec.commandLine().getParseResult().hasMatchedOption("--factors")) {
            throw new IllegalArgumentException("--factors applies to --family gaussian only");
        }
        if (f != Family.STUDENT_T && spec.commandLine().getParseResult().hasMatchedOption("--dof")) {
            throw new IllegalArgumentException("--dof applies to --family student-t only");
        }
        if (dof != 0 && !(dof >= dev.mixem.family.studentt.Dof.MIN && dof <= dev.mixem.family.studentt.Dof.MAX)) {
            throw new IllegalArgumentException("--dof must be in [" + dev.mixem.family.studentt.Dof.MIN + ", "
                    + dev.mixem.family.studentt.Dof.MAX + "] (or 0 to estimate it), got " + dof);
        }
        if (f != Family.CATEGORICAL && spec.commandLine().getParseResult().hasMatchedOption("--max-levels")) {
            throw new IllegalArgumentException("--max-levels applies to --family categorical only");
        }
        return cfg.withFamily(f, smoothing).withMaxLevels(maxLevels).withDof(f == Family.STUDENT_T ? dof : 0);
    }
}
