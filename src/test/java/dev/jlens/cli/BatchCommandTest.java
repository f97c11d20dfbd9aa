package dev.jlens.cli;

import dev.jlens.dataset.IoiDataset;
import dev.jlens.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code jlens batch}: each row is what {@code jlens analyze} gives for an experiment of that one prompt. */
class BatchCommandTest {
    static final String MODEL = "src/test/resources/fixtures/tiny-gpt2-a";

    @TempDir
    Path dir;

    /** A few IOI prompts of both templates (so of different lengths), as JSON Lines. */
    static Path ioi(Path dir, int n) throws Exception {
        StringBuilder b = new StringBuilder();
        for (IoiDataset.Sample s : IoiDataset.generate(n, 5, false)) b.append(s.toJson()).append('\n');
        return Files.writeString(dir.resolve("ioi.jsonl"), b.toString());
    }

    @Test
    void eachRowEqualsAnalyzeOfItsPromptAlone() throws Exception {
        Path data = ioi(dir, 4);
        Path out = dir.resolve("r.parquet");
        CliRunner.Result r = CliRunner.run("batch", "--model", MODEL, "--dataset", data.toString(), "--out", out.toString(),
                "--patching", "resid_pre", "attn_head_out_all_pos", "--attribution", "resid_pre", "attn_head_out_all_pos", "--threads", "2", "--shard-size", "3");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("4 prompts analyzed into " + out);
        assertThat(BatchJobFiles.shardFolder(out)).as("shards are removed once the table is whole").doesNotExist();
        List<Map<String, Object>> rows = ParquetRows.read(out);
        List<String> lines = Files.readAllLines(data);
        assertThat(rows).hasSize(4);
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> row = rows.get(i);
            Json.Obj input = (Json.Obj) Json.parse(lines.get(i), 8);
            Json.Obj spec = new Json.Obj().put("prompts", new Json.Arr().add(input.get("prompt"))).put("answers", new Json.Arr().add(input.get("answers")))
                    .put("corrupted_prompts", new Json.Arr().add(input.get("corrupted_prompt")))
                    .put("patching", Json.Arr.ofStrings(List.of("resid_pre", "attn_head_out_all_pos")))
                    .put("attribution", Json.Arr.ofStrings(List.of("resid_pre", "attn_head_out_all_pos")));
            Path specFile = Files.writeString(dir.resolve("e" + i + ".json"), spec.toString());
            Path json = dir.resolve("a" + i + ".json");
            CliRunner.Result a = CliRunner.run("analyze", "--spec", specFile.toString(), "--model", MODEL, "--out", json.toString());
            assertThat(a.exitCode()).as(a.err()).isZero();
            Json.Obj expected = (Json.Obj) Json.parse(Files.readString(json), 64);

            assertThat(row.get("row")).isEqualTo((long) i);
            assertThat(row.get("prompt")).isEqualTo(((Json.Str) input.get("prompt")).value());
            assertThat(row.get("template")).isEqualTo(((Json.Str) input.get("template")).value());
            assertThat(row.get("tokens")).isEqualTo(ints(((Json.Arr) ((Json.Arr) expected.get("tokens")).get(0))));
            assertThat(row.get("logit_diff")).isEqualTo(floats(expected.get("per_prompt_logit_diff")).getFirst());
            assertThat(row.get("corrupted_logit_diff")).isEqualTo(floats(expected.get("corrupted_average_logit_diff")).getFirst());
            assertThat(row.get("per_layer")).isEqualTo(floats(expected.get("per_layer")));
            assertThat(row.get("logit_lens")).isEqualTo(floats(expected.get("logit_lens")));
            List<Object> perHead = new ArrayList<>();
            Json.Arr heads = (Json.Arr) expected.get("per_head");
            for (int l = 0; l < heads.size(); l++) perHead.add(floats(heads.get(l)));
            assertThat(row.get("per_head")).isEqualTo(perHead);
            Json.Obj sweeps = (Json.Obj) expected.get("patching");
            for (String kind : List.of("resid_pre", "attn_head_out_all_pos")) {
                Json.Obj sweep = (Json.Obj) sweeps.get(kind);
                assertThat(row.get("patching_" + kind)).as(kind).isEqualTo(floats(sweep.get("values")));
                assertThat(row.get("patching_" + kind + "_shape")).isEqualTo(ints((Json.Arr) sweep.get("shape")));
                Json.Obj estimate = (Json.Obj) ((Json.Obj) expected.get("attribution")).get(kind);
                // A backward pass sums in another order when its kernels fan out (analyze) than inline (a batch's
                // worker), so attributions agree within the fixtures' float32 tolerance rather than to the bit.
                assertClose("attribution_" + kind, (List<?>) row.get("attribution_" + kind), floats(estimate.get("values")));
                assertThat(row.get("attribution_" + kind + "_shape")).isEqualTo(ints((Json.Arr) estimate.get("shape")));
            }
        }
    }

    @Test
    void raggedPromptsPaddedInOneBatchEqualAnalyzeOfEachPromptAlone() throws Exception {
        Path data = ioi(dir, 6);
        Path out = dir.resolve("r.parquet");
        CliRunner.Result r = CliRunner.run("batch", "--model", MODEL, "--dataset", data.toString(), "--out", out.toString(), "--batch-size", "6");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<Map<String, Object>> rows = ParquetRows.read(out);
        List<String> lines = Files.readAllLines(data);
        assertThat(rows.stream().map(row -> ((List<?>) row.get("tokens")).size()).distinct().count()).as("prompts of different lengths").isGreaterThan(1);
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> row = rows.get(i);
            Json.Obj input = (Json.Obj) Json.parse(lines.get(i), 8);
            Json.Obj spec = new Json.Obj().put("prompts", new Json.Arr().add(input.get("prompt"))).put("answers", new Json.Arr().add(input.get("answers")))
                    .put("corrupted_prompts", new Json.Arr().add(input.get("corrupted_prompt")));
            Path specFile = Files.writeString(dir.resolve("e" + i + ".json"), spec.toString());
            Path json = dir.resolve("a" + i + ".json");
            CliRunner.Result a = CliRunner.run("analyze", "--spec", specFile.toString(), "--model", MODEL, "--out", json.toString());
            assertThat(a.exitCode()).as(a.err()).isZero();
            Json.Obj expected = (Json.Obj) Json.parse(Files.readString(json), 64);
            assertThat(row.get("tokens")).isEqualTo(ints(((Json.Arr) ((Json.Arr) expected.get("tokens")).get(0))));
            assertClose("logit_diff", List.of(row.get("logit_diff")), floats(expected.get("per_prompt_logit_diff")));
            assertClose("corrupted_logit_diff", List.of(row.get("corrupted_logit_diff")), floats(expected.get("corrupted_average_logit_diff")));
            assertClose("per_layer", (List<?>) row.get("per_layer"), floats(expected.get("per_layer")));
            assertClose("logit_lens", (List<?>) row.get("logit_lens"), floats(expected.get("logit_lens")));
            List<Object> heads = new ArrayList<>();
            for (Object layer : (List<?>) row.get("per_head")) heads.addAll((List<?>) layer);
            assertClose("per_head", heads, floats(expected.get("per_head")));
        }
    }

    @Test
    void theSummaryGivesMeansSpreadsAndAccuracyOverallAndPerTemplate() throws Exception {
        Path data = ioi(dir, 8);
        Path out = dir.resolve("r.parquet");
        CliRunner.Result r = CliRunner.run("batch", "--model", MODEL, "--dataset", data.toString(), "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<Map<String, Object>> rows = ParquetRows.read(out);
        String[] lines = r.out().split("\n");
        assertThat(lines[1].split(" +")).containsExactly("prompts", "mean_logit_diff", "std_logit_diff", "mean_corrupted", "std_corrupted", "accuracy");
        assertThat(summary(lines[3])).containsExactly(8.0, mean(rows, "logit_diff", null), std(rows, "logit_diff", null),
                mean(rows, "corrupted_logit_diff", null), std(rows, "corrupted_logit_diff", null), accuracy(rows, null));
        int perTemplate = 0;
        for (int i = 7; i < lines.length; i++) {
            String template = lines[i].substring(0, lines[i].indexOf("  "));
            List<Double> values = summary(lines[i].substring(template.length()).strip());
            long n = rows.stream().filter(row -> template.equals(row.get("template"))).count();
            assertThat(values).as(template).containsExactly((double) n, mean(rows, "logit_diff", template), std(rows, "logit_diff", template),
                    mean(rows, "corrupted_logit_diff", template), std(rows, "corrupted_logit_diff", template), accuracy(rows, template));
            perTemplate += (int) n;
        }
        assertThat(perTemplate).isEqualTo(8);

        CliRunner.Result sql = CliRunner.run("sql", "SELECT count(*) AS n, min(row) AS first FROM r WHERE logit_diff > -100", out.toString());
        assertThat(sql.out()).isEqualTo("n  first\n-  -----\n8  0\n");
    }

    /** |a - b| <= 1e-4 * max(1, max|b|) + 1e-3 * |b|, the fixtures' float32 tolerance. */
    private static void assertClose(String what, List<?> actual, List<Object> expected) {
        assertThat(actual).as(what).hasSize(expected.size());
        double max = 0;
        for (Object b : expected) max = Math.max(max, Math.abs((Float) b));
        for (int i = 0; i < actual.size(); i++) {
            float a = (Float) actual.get(i), b = (Float) expected.get(i);
            assertThat((double) Math.abs(a - b)).as("%s[%d]: %s vs %s", what, i, a, b).isLessThanOrEqualTo(1e-4 * Math.max(1, max) + 1e-3 * Math.abs(b));
        }
    }

    private static List<Double> summary(String line) {
        List<Double> out = new ArrayList<>();
        for (String cell : line.strip().split(" +")) out.add(cell.equals("NULL") ? Double.NaN : round(Double.parseDouble(cell)));  // the spread of one value
        return out;
    }

    private static java.util.stream.DoubleStream values(List<Map<String, Object>> rows, String column, String template) {
        return rows.stream().filter(r -> template == null || template.equals(r.get("template"))).mapToDouble(r -> (Float) r.get(column));
    }

    private static double mean(List<Map<String, Object>> rows, String column, String template) {
        return round(values(rows, column, template).average().orElseThrow());
    }

    private static double std(List<Map<String, Object>> rows, String column, String template) {
        double[] v = values(rows, column, template).toArray();
        if (v.length < 2) return Double.NaN;
        double m = java.util.Arrays.stream(v).average().orElseThrow(), ss = 0;
        for (double x : v) ss += (x - m) * (x - m);
        return round(Math.sqrt(ss / (v.length - 1)));
    }

    private static double accuracy(List<Map<String, Object>> rows, String template) {
        return round(values(rows, "logit_diff", template).map(x -> x > 0 ? 1 : 0).average().orElseThrow());
    }

    /** The summary prints doubles in full; sums in another order differ in the last bits, so compare at 1e-9. */
    private static double round(double x) {
        return Math.round(x * 1e9) / 1e9;
    }

    /** Every number of a (nested) JSON array, flattened, as floats. */
    static List<Object> floats(Json v) {
        List<Object> out = new ArrayList<>();
        flatten(v, out);
        return out;
    }

    private static void flatten(Json v, List<Object> out) {
        if (v instanceof Json.Arr a) {
            for (int i = 0; i < a.size(); i++) flatten(a.get(i), out);
        } else {
            out.add(Float.parseFloat(v.toString()));
        }
    }

    static List<Object> ints(Json.Arr a) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) out.add(Integer.parseInt(a.get(i).toString()));
        return out;
    }
}
