package dev.mixem.job;

import dev.mixem.fit.FitListener;
import dev.mixem.fit.TraceEntry;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.Locale;

/** A {@link FitListener} that writes one log line per trace point to the {@code dev.mixem} logger. */
public final class LogProgress implements FitListener {
    /** mixem's logger, which conf/log4j2.properties configures. */
    public static final Logger LOG = LogManager.getLogger("dev.mixem");

    @Override
    public void onIteration(int restart, TraceEntry s) {
        // Mini-batch methods update many times per pass: say how many passes the point cost.
        String passes = s.passes() == s.iteration() ? ""
                : String.format(Locale.ROOT, "  passes %.2f", s.passes());
        LOG.info(String.format(Locale.ROOT, "restart %d iteration %3d%s  avgLogLikelihood %.8f  change %s  %.3f s%s",
                restart + 1, s.iteration(), passes, s.avgLogLikelihood(),
                Double.isNaN(s.change()) ? "      -     " : String.format(Locale.ROOT, "%+.3e", s.change()),
                s.seconds(), s.likelihoodDecreased() ? "  (fell)" : ""));
    }

    @Override
    public void onInitialized(int restart, double seconds, int components) {
        LOG.info(String.format(Locale.ROOT, "restart %d initialized in %.1f s (%d components)", restart + 1, seconds,
                components));
    }
}
