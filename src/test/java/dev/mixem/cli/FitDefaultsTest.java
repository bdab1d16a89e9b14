package dev.mixem.cli;

import dev.mixem.config.FitConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The command line's defaults are the library's: a fit with no options is FitConfig.defaults. */
class FitDefaultsTest {

    @Test
    void fitWithoutOptionsUsesTheLibrarysDefaults() {
        FitCommand fit = new FitCommand();
        new CommandLine(fit).parseArgs("--input", "x.csv", "--k", "3", "--output", "out");
        FitConfig d = FitConfig.defaults(3);
        assertEquals(d.covarianceType().serializedName(), fit.covariance);
        assertEquals(d.init().serializedName(), fit.init);
        assertEquals(d.nInit(), fit.nInit);
        assertEquals(d.maxIter(), fit.maxIter);
        assertEquals(d.tol(), fit.tol, 0.0);
        assertEquals(d.regCovar(), fit.regCovar, 0.0);
        assertEquals(d.seed(), fit.seed);
    }

    @Test
    void compareWithoutOptionsUsesTheLibrarysDefaults() {
        CompareCommand compare = new CompareCommand();
        new CommandLine(compare).parseArgs("--input", "x.csv", "--k", "3", "--output", "out");
        FitConfig d = FitConfig.defaults(3);
        assertEquals(d.covarianceType().serializedName(), compare.covariance);
        assertEquals(d.init().serializedName(), compare.init);
        assertEquals(d.regCovar(), compare.regCovar, 0.0);
        assertEquals(d.seed(), compare.seed);
    }
}
