package dev.mixem.cli;

import dev.mixem.data.InvalidInputException;
import dev.mixem.family.NumericalException;
import dev.mixem.model.ModelFormatException;
import dev.mixem.model.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.UncheckedIOException;

/**
 * Entry point of the spark-submit job. Exit codes: 0 success, 2 usage error, 1 failure; the reason is one
 * line on stderr.
 */
@Command(name = "submit.sh", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "mixem: mixture models fitted by distributed EM on Apache Spark.",
        subcommands = {DemoCommand.class, GenerateCommand.class, FitCommand.class, PredictCommand.class,
                SelectCommand.class, BenchCommand.class, BenchMissingCommand.class, BenchSelectCommand.class,
                CompareCommand.class},
        synopsisSubcommandLabel = "SUBCOMMAND")
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = run(args);
        System.exit(code);
    }

    /** Runs the command line and returns the exit code (for tests and embedding). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            System.err.println("mixem: " + reason(ex));
            if (Boolean.getBoolean("mixem.trace")) {
                ex.printStackTrace();
            }
            Throwable usage = find(ex, CommandLine.ParameterException.class);
            return usage != null ? 2 : 1;
        });
        cl.setParameterExceptionHandler((ex, args2) -> {
            System.err.println("mixem: " + ex.getMessage());
            System.err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return 2;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }

    /** The most telling one-line reason in a chain of causes (Spark wraps task failures). */
    static String reason(Throwable ex) {
        for (Class<? extends Throwable> known : java.util.List.of(CommandLine.ParameterException.class,
                InvalidInputException.class, ModelFormatException.class, NumericalException.class,
                dev.mixem.data.OutputExistsException.class, dev.mixem.data.ResourceLimitException.class,
                IllegalArgumentException.class, UncheckedIOException.class)) {
            Throwable t = find(ex, known);
            if (t != null) {
                String kind = t instanceof InvalidInputException ? "invalid input: "
                        : t instanceof ModelFormatException ? "invalid model: "
                        : t instanceof NumericalException ? "numerical failure: "
                        : t instanceof dev.mixem.data.ResourceLimitException ? "will not fit: " : "";
                return kind + firstLine(t.getMessage());
            }
        }
        Throwable root = ex;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + firstLine(root.getMessage());
    }

    private static Throwable find(Throwable ex, Class<? extends Throwable> type) {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return t;
            }
        }
        return null;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"mixem " + Version.mixem()};
        }
    }
}
