package dev.jlens.spark;

import dev.jlens.JlensException;
import dev.jlens.cli.EvalOptions;
import dev.jlens.cli.ModelOption;
import dev.jlens.dataset.Evaluation;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code eval} on Spark, with the options of {@code jlens eval}. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = EvalOptions.DESCRIPTION)
final class SparkEvalCommand implements Callable<Integer> {
    @ParentCommand
    JlensSparkJob parent;

    @Mixin
    ModelOption model;

    @Mixin
    EvalOptions job;

    @Override
    public Integer call() {
        job.check();
        JlensSparkJob.refuseLocalOnly(job.threads, false);
        if (job.context != null && job.context < 2) throw new JlensException("--context must be 2 or more, got " + job.context);
        SparkSession spark = parent.session("jlens eval");
        Dataset<Row> data = Tables.read(spark, job.dataset, false);
        List<Evaluation.Sums> rows = SparkEvaluation.rows(ModelRef.of(model.reference()), data, job.dataset, job.column, job.context,
                job.maxRows == null ? Long.MAX_VALUE : job.maxRows, !job.noBos);
        if (rows.isEmpty()) throw new JlensException(job.dataset + ": has nothing to evaluate (no rows, or no tokens)");
        Evaluation.Sums s = Evaluation.total(rows);
        var o = parent.out;
        switch (SparkEvaluation.kind(data)) {
            case TEXT -> o.printf(Locale.ROOT, "loss %.6f  accuracy %.6f  (%d next tokens in %d sequences)%n", s.mean(), s.accuracy(), s.items(), rows.size());
            case TOKENS -> o.printf(Locale.ROOT, "induction_loss %.6f  (%d tokens of second halves)%n", s.mean(), s.items());
            case PROMPTS -> o.printf(Locale.ROOT, "logit_diff %.6f  accuracy %.6f  (%d prompts)%n", s.mean(), s.accuracy(), s.items());
        }
        o.flush();
        return 0;
    }
}
