package dev.jlens.spark;

import dev.jlens.cli.ActivationsOptions;
import dev.jlens.io.Json;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code activations} on Spark, with the options of {@code jlens activations}: the same shard files and manifest. */
@Command(name = "activations", mixinStandardHelpOptions = true, description = ActivationsOptions.DESCRIPTION)
final class SparkActivationsCommand extends SparkCorpusCommand implements Callable<Integer> {
    @Mixin
    ActivationsOptions job;

    @Override
    public Integer call() {
        corpus.checkNumbers();
        job.check();
        JlensSparkJob.refuseLocalOnly(corpus.threads, job.resume);
        SparkSession spark = parent.session("jlens activations");
        Tables.refuseExisting(spark, job.out, job.overwrite);
        Json.Obj manifest = JlensSpark.activations(spark, modelRef(), Tables.read(spark, corpus.dataset, false), corpus.dataset,
                corpusOptions(), job.hooks, job.shardSize, job.out);
        parent.out.println(ActivationsOptions.summary(manifest, job.out));
        parent.out.flush();
        return 0;
    }
}
