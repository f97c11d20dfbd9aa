package dev.jlens.spark;

import dev.jlens.JlensException;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * The driver for {@code spark-submit}: {@code spark-submit --class dev.jlens.spark.JlensSparkJob jlens-spark.jar batch
 * --model M --dataset D --out R.parquet} runs the command as {@code jlens} does, on the cluster. A bad input is one
 * line on stderr, {@code jlens: <input>: <what is wrong>}, and exit code 1 (the stack trace with --debug).
 */
@Command(name = "jlens-spark", mixinStandardHelpOptions = true, version = "jlens-spark 0.1.0",
        subcommands = {SparkBatchCommand.class, SparkEvalCommand.class, SparkActivationsCommand.class, SparkTopActivationsCommand.class},
        description = "jlens' dataset jobs on Spark (run through spark-submit).")
public final class JlensSparkJob implements Callable<Integer> {
    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT, description = "Show the stack trace of a failure, and Spark's warnings.")
    boolean debug;

    /** Where a command prints its result. */
    PrintStream out = System.out;

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.err);
        return 2;
    }

    /** The Spark session of a command (the one spark-submit configured), its logging quiet unless --debug. */
    SparkSession session(String appName) {
        SparkSession spark = SparkSession.builder().appName(appName).getOrCreate();
        quietLogging(spark);
        return spark;
    }

    /** Refuses the options only the local engine has: on Spark, Spark retries failed tasks and sets the tasks at once. */
    static void refuseLocalOnly(Integer threads, boolean resume) {
        if (resume) throw new JlensException("--resume: Spark retries failed tasks itself; run a failed job again with --overwrite");
        if (threads != null) throw new JlensException("--threads: on Spark the tasks at once are the executors' cores; set spark.executor.cores instead");
    }

    /**
     * Spark's logging for a command: errors only (unless --debug), and not the writer's report of a failed job, which
     * repeats the task's failure with its stack trace where jlens gives one line.
     */
    private void quietLogging(SparkSession spark) {
        if (debug) return;
        spark.sparkContext().setLogLevel("ERROR");
        org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.spark.sql.execution.datasources.FileFormatWriter",
                org.apache.logging.log4j.Level.OFF);
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) System.exit(code);
    }

    /** Runs a command line; returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        JlensSparkJob main = new JlensSparkJob();
        main.out = out;
        CommandLine cli = new CommandLine(main);
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        cli.setExpandAtFiles(false);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (main.debug) e.printStackTrace(err);
            err.println("jlens: " + (e instanceof JlensException ? e.getMessage() : SparkFailures.message(e)));
            return 1;
        });
        return cli.execute(args);
    }
}
