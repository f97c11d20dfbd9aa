package dev.jlens.dataset;

import dev.jlens.JlensException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromptDatasetTest {
    @TempDir
    Path dir;

    private static final PromptRow FIRST = new PromptRow(0, "", "When John and Mary went to the shops, John gave the bag to", " Mary", " John",
            "When John and Mary went to the shops, Mary gave the bag to", Map.of("template", "t1"));

    @Test
    void jsonLinesRowsCarryTheirOtherColumnsAndSkipBlankLines() throws Exception {
        Path f = Files.writeString(dir.resolve("d.jsonl"), """
                {"prompt": "When John and Mary went to the shops, John gave the bag to", "answers": [" Mary", " John"], "corrupted_prompt": "When John and Mary went to the shops, Mary gave the bag to", "template": "t1"}

                {"prompt": "A, B", "answers": [" x", " y"], "n": 3, "tags": ["a", 1]}
                """);
        List<PromptRow> rows = read(f, false);
        assertThat(rows).hasSize(2);
        assertSame(rows.get(0), FIRST);
        assertThat(rows.get(0).where()).isEqualTo(f + ": line 1");
        assertThat(rows.get(1).row()).isEqualTo(1);
        assertThat(rows.get(1).where()).isEqualTo(f + ": line 3");
        assertThat(rows.get(1).corruptedPrompt()).isNull();
        assertThat(rows.get(1).extra()).containsExactly(Map.entry("n", "3"), Map.entry("tags", "[\"a\",1]"));
    }

    @Test
    void csvFieldsMayHoldQuotesCommasAndLineBreaks() throws Exception {
        Path f = Files.writeString(dir.resolve("d.csv"), """
                prompt,answers,corrupted_prompt,template
                "When John and Mary went to the shops, John gave the bag to","["" Mary"", "" John""]","When John and Mary went to the shops, Mary gave the bag to",t1
                "two
                lines","["" a"", "" b""]",,"say ""hi""\"
                """);
        List<PromptRow> rows = read(f, false);
        assertSame(rows.get(0), FIRST);
        assertThat(rows.get(1).prompt()).isEqualTo("two\nlines");
        assertThat(rows.get(1).where()).endsWith("line 3");
        assertThat(rows.get(1).corruptedPrompt()).as("an empty CSV cell is no corrupted prompt").isNull();
        assertThat(rows.get(1).extra()).containsExactly(Map.entry("template", "say \"hi\""));
    }

    @Test
    void parquetRowsWithAListOfAnswers() throws Exception {
        Path f = dir.resolve("d.parquet");
        try (Connection c = Duck.open(1); Statement s = c.createStatement()) {
            s.execute("COPY (SELECT 'When John and Mary went to the shops, John gave the bag to' AS prompt, [' Mary', ' John'] AS answers, "
                    + "'When John and Mary went to the shops, Mary gave the bag to' AS corrupted_prompt, 't1' AS template) TO '" + f + "' (FORMAT parquet)");
        }
        List<PromptRow> rows = read(f, false);
        assertThat(rows).hasSize(1);
        assertSame(rows.getFirst(), FIRST);
        assertThat(rows.getFirst().where()).endsWith("row 1");
    }

    @Test
    void aMissingColumnNamesTheRowAndWhatItHas() throws Exception {
        Path f = Files.writeString(dir.resolve("d.jsonl"), "{\"prompt\": \"a\", \"answers\": [\" x\", \" y\"]}\n{\"prompt\": \"b\", \"answer\": \" x\"}\n");
        assertThatThrownBy(() -> read(f, false)).isInstanceOf(BadRow.class)
                .hasMessage(f + ": line 2: no \"answers\" column (the row has: prompt, answer)");
    }

    @Test
    void malformedRowsNameTheirLine() throws Exception {
        Path json = Files.writeString(dir.resolve("d.jsonl"), "{\"prompt\": \"a\", \"answers\": [\" x\", \" y\"]}\n{\"prompt\": \"b\",\n");
        assertThatThrownBy(() -> read(json, false)).isInstanceOf(BadRow.class).hasMessageStartingWith(json + ": line 2: not valid JSON");
        Path answers = Files.writeString(dir.resolve("a.jsonl"), "{\"prompt\": \"a\", \"answers\": [\" x\"]}\n");
        assertThatThrownBy(() -> read(answers, false)).hasMessage(answers + ": line 1: \"answers\" must be a list of two strings [correct, incorrect], got [\" x\"]");
        Path csv = Files.writeString(dir.resolve("d.csv"), "prompt,answers\na,\"[\"\" x\"\",\"\" y\"\"]\"\nb\n");
        assertThatThrownBy(() -> read(csv, false)).hasMessage(csv + ": line 3: 1 fields but the header has 2");
    }

    @Test
    void badRowsAreSkippedAndCountedWhenAsked() throws Exception {
        Path f = Files.writeString(dir.resolve("d.jsonl"), "{\"prompt\": \"a\", \"answers\": [\" x\", \" y\"]}\nnot json\n{\"prompt\": 3, \"answers\": [\" x\", \" y\"]}\n"
                + "{\"prompt\": \"d\", \"answers\": [\" x\", \" y\"]}\n");
        try (PromptDataset d = PromptDataset.open(f, true)) {
            List<PromptRow> rows = new ArrayList<>();
            d.forEachRemaining(rows::add);
            assertThat(rows).extracting(PromptRow::row).containsExactly(0L, 3L);
            assertThat(d.skipped()).isEqualTo(2);
            assertThat(d.firstSkipped()).startsWith(f + ": line 2: not valid JSON");
        }
        assertThat(PromptDataset.count(f)).isEqualTo(4);
    }

    @Test
    void unreadableFilesAreRefusedBeforeAnyRow() throws Exception {
        assertThatThrownBy(() -> PromptDataset.open(dir.resolve("none.jsonl"), false)).isInstanceOf(JlensException.class).hasMessage(dir.resolve("none.jsonl") + ": no such dataset file");
        Path odd = Files.writeString(dir.resolve("d.xlsx"), "x");
        assertThatThrownBy(() -> PromptDataset.open(odd, false)).hasMessage(odd + ": unknown dataset format (use .jsonl, .csv, .parquet or .txt)");
        Path notParquet = Files.writeString(dir.resolve("d.parquet"), "not parquet");
        assertThatThrownBy(() -> PromptDataset.open(notParquet, false)).hasMessageStartingWith(notParquet + ": not a readable Parquet file (");
        Path latin1 = Files.write(dir.resolve("l.jsonl"), new byte[] {'{', '"', 'p', '"', ':', '"', (byte) 0xE9, '"', '}', '\n'});
        assertThatThrownBy(() -> read(latin1, false)).hasMessage(latin1 + ": line 1: not valid UTF-8 text");
    }

    @Test
    void aTextCorpusIsATextColumnOrTheLinesOfAPlainFile() throws Exception {
        Path txt = Files.writeString(dir.resolve("c.txt"), "first doc\nsecond doc\n");
        Path jsonl = Files.writeString(dir.resolve("c.jsonl"), "{\"body\": \"one\"}\n{\"body\": \"two\"}\n");
        assertThat(documents(TextCorpus.open(txt, null))).containsExactly("first doc", "second doc");
        assertThat(documents(TextCorpus.open(jsonl, "body"))).containsExactly("one", "two");
        assertThatThrownBy(() -> documents(TextCorpus.open(jsonl, null))).hasMessage(jsonl + ": line 1: no \"text\" column (the row has: body); name the text column with --column");
    }

    private static List<String> documents(TextCorpus c) {
        try (c) {
            List<String> out = new ArrayList<>();
            c.forEachRemaining(out::add);
            return out;
        }
    }

    private static List<PromptRow> read(Path f, boolean skip) {
        try (PromptDataset d = PromptDataset.open(f, skip)) {
            List<PromptRow> out = new ArrayList<>();
            d.forEachRemaining(out::add);
            return out;
        }
    }

    private static void assertSame(PromptRow actual, PromptRow expected) {
        assertThat(actual).usingRecursiveComparison().ignoringFields("where").isEqualTo(expected);
    }
}
