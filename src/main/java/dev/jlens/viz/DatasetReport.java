package dev.jlens.viz;

import dev.jlens.dataset.BatchSummary;
import dev.jlens.dataset.Sql;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@code jlens batch} table on one page: the summary (means, standard deviations, accuracy, per template), the
 * histogram of the clean logit differences, the per-head attribution averaged over the prompts beside its standard
 * deviation, and the prompts whose logit difference is farthest from the mean. Every figure is computed by SQL over
 * the table, so a table of any length makes the page in the same memory.
 *
 * <p>Stable element ids: {@code provenance}, {@code summary}, {@code summary-per-template}, figures
 * {@code logit-diff-histogram}, {@code per-head-mean}, {@code per-head-std}, table {@code deviating-prompts}.
 */
public final class DatasetReport {
    /** Bins of the histogram. */
    static final int BINS = 30;
    private static final String ANALYZED = "logit_diff IS NOT NULL";

    private DatasetReport() {}

    /**
     * The page of {@code table}; {@code model} and {@code dataset} are the arguments it was made with (shown so it can
     * be made again); {@code deviating} is how many outlying prompts to list.
     */
    public static Page build(Path table, String model, String dataset, int deviating) {
        String name = table.getFileName().toString();
        Page.Builder p = Page.builder("jlens dataset report: " + name);
        p.heading("jlens dataset report: " + name);
        p.facts("provenance", List.of(List.of("Model", model), List.of("Dataset", dataset), List.of("Table", table.toString()),
                List.of("Reproduce", "jlens batch --model " + model + " --dataset " + dataset + " --out " + name + " --report R.html"),
                List.of("Made by", "jlens " + Page.version())));

        p.section("summary-section", "Summary");
        p.paragraph("Logit difference = logit(correct) - logit(incorrect) at each prompt's last token; accuracy = the share of prompts where the "
                + "correct answer wins; standard deviations are the sample's.");
        table(p, "summary", "All prompts", BatchSummary.overall(table));
        Sql.Result perTemplate = BatchSummary.perTemplate(table);
        if (perTemplate != null) table(p, "summary-per-template", "Per template", perTemplate);

        List<String> n = Sql.query("SELECT count(*), min(logit_diff), max(logit_diff) FROM t WHERE " + ANALYZED, List.of(table)).rows().getFirst();
        if (Long.parseLong(n.get(0)) == 0) {
            p.paragraph("No prompt was analyzed (every row was skipped as bad).");
            return p.build();
        }
        histogram(p, table, Double.parseDouble(n.get(1)), Double.parseDouble(n.get(2)));
        perHead(p, table);
        deviating(p, table, deviating);
        return p.build();
    }

    private static void table(Page.Builder p, String id, String caption, Sql.Result r) {
        List<List<String>> rows = new ArrayList<>();
        for (List<String> row : r.rows()) rows.add(row.stream().map(DatasetReport::number).toList());
        p.table(id, caption, r.columns(), rows);
    }

    /** A number with 4 significant digits (text as it is). */
    private static String number(String cell) {
        try {
            double v = Double.parseDouble(cell);
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Values.format((float) v);
        } catch (NumberFormatException e) {
            return cell;
        }
    }

    private static void histogram(Page.Builder p, Path table, double lo, double hi) {
        double width = hi > lo ? (hi - lo) / BINS : 1;
        long[] counts = new long[BINS];
        // Bin k holds [lo + k*width, lo + (k+1)*width); the maximum goes into the last bin.
        String bin = String.format(Locale.ROOT, "least(%d, CAST(floor((logit_diff - (%s)) / %s) AS BIGINT))", BINS - 1, lo, width);
        for (List<String> row : Sql.query("SELECT " + bin + " AS b, count(*) FROM t WHERE " + ANALYZED + " GROUP BY b", List.of(table)).rows()) {
            counts[Integer.parseInt(row.get(0))] = Long.parseLong(row.get(1));
        }
        double[] x = new double[BINS];
        float[] y = new float[BINS];
        List<String> labels = new ArrayList<>();
        for (int k = 0; k < BINS; k++) {
            x[k] = lo + (k + 0.5) * width;
            y[k] = counts[k];
            labels.add("[" + Values.coord(lo + k * width) + ", " + Values.coord(lo + (k + 1) * width) + ")");
        }
        p.section("histogram-section", "Logit differences");
        p.figure(LineChart.builder().id("logit-diff-histogram").title("Histogram of Logit Differences (" + BINS + " bins)")
                .xTitle("Logit difference (bin centre)").yTitle("Prompts").series("prompts", x, y, labels).build());
    }

    private static void perHead(Page.Builder p, Path table) {
        List<String> shape = Sql.query("SELECT len(per_head), len(per_head[1]) FROM t WHERE " + ANALYZED + " LIMIT 1", List.of(table)).rows().getFirst();
        int layers = Integer.parseInt(shape.get(0)), heads = Integer.parseInt(shape.get(1));
        float[][] mean = new float[layers][heads], std = new float[layers][heads];
        String sql = "SELECT l.i - 1, h.j - 1, avg(per_head[l.i][h.j]), coalesce(stddev_samp(per_head[l.i][h.j]), 0) FROM t, range(1, " + (layers + 1)
                + ") AS l(i), range(1, " + (heads + 1) + ") AS h(j) WHERE " + ANALYZED + " GROUP BY l.i, h.j";
        for (List<String> row : Sql.query(sql, List.of(table)).rows()) {
            int l = Integer.parseInt(row.get(0)), h = Integer.parseInt(row.get(1));
            mean[l][h] = Float.parseFloat(row.get(2));
            std[l][h] = Float.parseFloat(row.get(3));
        }
        p.section("per-head-section", "Direct logit attribution per head");
        p.paragraph("Each head's contribution to the logit difference at the last token, averaged over the prompts, and its standard deviation "
                + "over the prompts (how much the head's role varies from prompt to prompt).");
        p.group("per-head-group", "jlens-patching");
        p.figure(Heatmap.builder(mean).id("per-head-mean").title("Mean Logit Difference From Each Head").xTitle("Head").yTitle("Layer")
                .cellNames((l, h) -> "L" + l + "H" + h).build());
        p.figure(Heatmap.builder(std).id("per-head-std").title("Standard Deviation Over Prompts").xTitle("Head").yTitle("Layer")
                .cellNames((l, h) -> "L" + l + "H" + h).colorTitle("std").build());
        p.endGroup();
    }

    private static void deviating(Page.Builder p, Path table, int k) {
        boolean templates = dev.jlens.dataset.ParquetTable.columns(table).contains("template");
        String sql = "SELECT row, prompt, " + (templates ? "template, " : "") + "logit_diff, (logit_diff - m) / nullif(s, 0) AS z FROM t, "
                + "(SELECT avg(logit_diff) AS m, stddev_samp(logit_diff) AS s FROM t WHERE " + ANALYZED + ") WHERE " + ANALYZED
                + " ORDER BY abs(logit_diff - m) DESC, row LIMIT " + k;
        p.section("deviating-section", "The prompts that deviate most");
        p.paragraph("The " + k + " prompts whose logit difference is farthest from the mean; z = (logit difference - mean) / standard deviation.");
        table(p, "deviating-prompts", "Farthest from the mean", Sql.query(sql, List.of(table)));
    }
}
