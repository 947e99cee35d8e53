package org.kindling.spark.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code kindling}: the command-line entry point (also the {@code spark-submit --class}).
 *
 * <p>Exit codes: {@value #OK} success; {@value #INPUT_ERROR} a bad option or bad input (an unknown
 * or invalid option value, a missing or malformed data file, a bad image or label), also when the
 * bad input is found inside a Spark task; {@value #INTERNAL_ERROR} any other failure. A failure
 * prints one line {@code error: <cause>} with the cause's own message (a Spark job failure is
 * unwrapped to the exception the task threw), then one line saying how to see the full stack trace
 * ({@code --verbose}).
 */
@Command(
        name = "kindling",
        mixinStandardHelpOptions = true,
        version = "kindling 0.1.0",
        description = "Data-parallel training of convolutional networks on Apache Spark.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, PredictCommand.class})
public final class KindlingCli implements Runnable {
    /** Exit code of a successful run. */
    public static final int OK = 0;

    /** Exit code of an internal failure (a bug or an environment problem, not the input). */
    public static final int INTERNAL_ERROR = 1;

    /** Exit code of a bad option or bad input data. */
    public static final int INPUT_ERROR = 2;

    @Option(
            names = "--verbose",
            scope = ScopeType.INHERIT,
            description = "On failure, print the full stack trace after the one-line error.")
    boolean verbose;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit status ({@link #OK} on success). */
    public static int run(String... args) {
        KindlingCli cli = new KindlingCli();
        CommandLine cl = new CommandLine(cli);
        cl.setParameterExceptionHandler(
                (ex, parsed) -> {
                    PrintWriter err = ex.getCommandLine().getErr();
                    String m = ex.getMessage();
                    err.println("error: " + (m == null ? ex.getClass().getSimpleName() : m));
                    err.println(
                            "usage: "
                                    + ex.getCommandLine().getCommandSpec().qualifiedName()
                                    + " --help lists the options (exit code "
                                    + INPUT_ERROR
                                    + ")");
                    err.flush();
                    return INPUT_ERROR;
                });
        cl.setExecutionExceptionHandler(
                (ex, cmd, parsed) -> {
                    Failures.Cause cause = Failures.rootCause(ex);
                    PrintWriter err = cmd.getErr();
                    err.println("error: " + cause.message());
                    int code = cause.isInputError() ? INPUT_ERROR : INTERNAL_ERROR;
                    if (cli.verbose) {
                        ex.printStackTrace(err);
                    } else {
                        err.println(
                                (cause.isInputError()
                                                ? "bad option or input"
                                                : "internal error, please report it with the stack trace")
                                        + " (exit code "
                                        + code
                                        + "); full stack trace: rerun with --verbose");
                    }
                    err.flush();
                    return code;
                });
        return cl.execute(args);
    }
}
