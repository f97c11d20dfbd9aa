package dev.jlens.spark;

import dev.jlens.cli.BatchOptions;
import dev.jlens.cli.ModelOption;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code batch} on Spark: the options of {@code jlens batch}; the table is a Parquet folder (one file per shard). */
@Command(name = "batch", mixinStandardHelpOptions = true, description = BatchOptions.DESCRIPTION)
final class SparkBatchCommand implements Callable<Integer> {
    @ParentCommand
    JlensSparkJob parent;

    @Mixin
    ModelOption model;

    @Mixin
    BatchOptions job;

    @Override
    public Integer call() {
        job.check();
        JlensSparkJob.refuseLocalOnly(job.threads, job.resume);
        JlensSpark.BatchOptions options = new JlensSpark.BatchOptions(!job.noBos, job.patchingKinds(), job.attributionKinds(),
                job.skipBadRows, job.shardSize);
        SparkSession spark = parent.session("jlens batch");
        Tables.refuseExisting(spark, job.out, job.overwrite);
        Dataset<Row> prompts = Tables.read(spark, job.dataset, job.skipBadRows);
        JlensSpark.BatchRun run = JlensSpark.batchToParquet(spark, ModelRef.of(model.reference()), prompts, job.dataset, options, job.out);
        var o = parent.out;
        o.println(job.summary(run.rows(), run.skipped(), run.firstSkipped()));
        if (run.rows() > 0) {
            o.print(Summaries.overall(spark, job.out).toText());
            dev.jlens.dataset.Sql.Result perTemplate = Summaries.perTemplate(spark, job.out);
            if (perTemplate != null) {
                o.println();
                o.print(perTemplate.toText());
            }
        }
        o.flush();
        return 0;
    }
}
