package dev.jlens.spark;

import dev.jlens.cli.TopActivationsOptions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code top-activations} on Spark, with the options of {@code jlens top-activations}: the same table, a Parquet folder. */
@Command(name = "top-activations", mixinStandardHelpOptions = true, description = TopActivationsOptions.DESCRIPTION)
final class SparkTopActivationsCommand extends SparkCorpusCommand implements Callable<Integer> {
    @Mixin
    TopActivationsOptions job;

    @Override
    public Integer call() {
        corpus.checkNumbers();
        job.check();
        JlensSparkJob.refuseLocalOnly(corpus.threads, false);
        SparkSession spark = parent.session("jlens top-activations");
        JlensSpark.TopActivationsRun run = JlensSpark.topActivations(spark, modelRef(), Tables.read(spark, corpus.dataset, false),
                corpus.dataset, corpusOptions(), job.hook, job.k);
        Tables.writeWhole(spark, run.table(), job.out);
        parent.out.println(job.summary(spark.read().parquet(job.out).count(), run.rows()));
        parent.out.flush();
        return 0;
    }
}
