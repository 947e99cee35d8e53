package org.kindling.spark.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kindling}: the command-line entry point (also the {@code spark-submit --class}). */
@Command(
        name = "kindling",
        mixinStandardHelpOptions = true,
        version = "kindling 0.1.0",
        description = "Data-parallel training of convolutional networks on Apache Spark.",
        subcommands = {TrainCommand.class})
public final class KindlingCli implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit status (0 on success). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new KindlingCli());
        cl.setExecutionExceptionHandler(
                (ex, cmd, parsed) -> {
                    Throwable root = ex;
                    if (root instanceof IllegalArgumentException
                            || root instanceof java.io.IOException
                            || root instanceof java.io.UncheckedIOException
                            || root instanceof IllegalStateException) {
                        cmd.getErr().println("error: " + root.getMessage());
                        return 2;
                    }
                    throw ex;
                });
        return cl.execute(args);
    }
}
