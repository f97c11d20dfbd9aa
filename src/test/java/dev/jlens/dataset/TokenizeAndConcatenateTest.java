package dev.jlens.dataset;

import dev.jlens.model.HookedTransformer;
import dev.jlens.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TokenizeAndConcatenateTest {
    private static final Tokenizer TOKENIZER = HookedTransformer.fromPretrained("src/test/resources/fixtures/tiny-gpt2-a").tokenizer();

    @TempDir
    Path dir;

    @Test
    void documentsAreJoinedByEosCutIntoRowsAfterBosAndTheRemainderDropped() throws Exception {
        Path corpus = Files.writeString(dir.resolve("c.txt"), "one two three\nfour five\n");
        int[] a = TOKENIZER.encode("one two three"), b = TOKENIZER.encode("four five");
        int[] joined = new int[a.length + 1 + b.length];
        System.arraycopy(a, 0, joined, 0, a.length);
        joined[a.length] = TOKENIZER.eosId();
        System.arraycopy(b, 0, joined, a.length + 1, b.length);
        List<int[]> rows = rows(corpus, 3, true);
        assertThat(rows).hasSize(joined.length / 2);
        for (int r = 0; r < rows.size(); r++) {
            assertThat(rows.get(r)).containsExactly(TOKENIZER.bosId(), joined[2 * r], joined[2 * r + 1]);
        }
        assertThat(rows(corpus, 2, false)).hasSize(joined.length / 2);
    }

    @Test
    void aCorpusShorterThanARowIsPaddedWithEos() throws Exception {
        Path corpus = Files.writeString(dir.resolve("c.txt"), "one\n");
        int[] one = TOKENIZER.encode("one");
        List<int[]> rows = rows(corpus, one.length + 3, true);
        assertThat(rows).hasSize(1);
        int[] expected = new int[one.length + 3];
        expected[0] = TOKENIZER.bosId();
        System.arraycopy(one, 0, expected, 1, one.length);
        expected[one.length + 1] = expected[one.length + 2] = TOKENIZER.eosId();
        assertThat(rows.getFirst()).containsExactly(expected);
    }

    @Test
    void eachRowNamesItsIndexAndTheDocumentsItsTokensComeFrom() throws Exception {
        Path corpus = Files.writeString(dir.resolve("c.txt"), "one two three\nfour five\n");
        int a = TOKENIZER.encode("one two three").length;
        List<TokenRow> rows = new ArrayList<>();
        try (TokenizeAndConcatenate t = new TokenizeAndConcatenate(TextCorpus.open(corpus, null), TOKENIZER, 2, false)) {
            t.forEachRemaining(rows::add);
        }
        for (int r = 0; r < rows.size(); r++) {
            // Tokens [2r, 2r + 1] of the joined corpus: the first document's a tokens, an EOS, then the second's.
            assertThat(rows.get(r).row()).isEqualTo(r);
            assertThat(rows.get(r).firstDocument()).as("row %d", r).isEqualTo(2 * r < a ? 0 : 1);
            assertThat(rows.get(r).lastDocument()).as("row %d", r).isEqualTo(2 * r + 1 < a ? 0 : 1);
        }
    }

    /** TransformerLens tokenizes each document and puts an EOS between every two, so an empty document leaves an EOS of its own. */
    @Test
    void emptyDocumentsAddOnlyTheirSeparators() throws Exception {
        Path corpus = Files.writeString(dir.resolve("c.jsonl"), "{\"text\": \"one two\"}\n{\"text\": \"\"}\n{\"text\": \"\"}\n{\"text\": \"three\"}\n");
        int[] a = TOKENIZER.encode("one two"), b = TOKENIZER.encode("three");
        int eos = TOKENIZER.eosId();
        int[] joined = new int[a.length + 3 + b.length];
        System.arraycopy(a, 0, joined, 0, a.length);
        joined[a.length] = joined[a.length + 1] = joined[a.length + 2] = eos;
        System.arraycopy(b, 0, joined, a.length + 3, b.length);
        List<int[]> rows = rows(corpus, joined.length, false);
        assertThat(rows).hasSize(1);
        assertThat(rows.getFirst()).containsExactly(joined);

        // only empty documents: their separators, padded with EOS to one row (TransformerLens' short-group rule)
        Path empty = Files.writeString(dir.resolve("e.jsonl"), "{\"text\": \"\"}\n{\"text\": \"\"}\n{\"text\": \"\"}\n");
        assertThat(rows(empty, 4, true)).hasSize(1).allSatisfy(r -> assertThat(r).containsExactly(TOKENIZER.bosId(), eos, eos, eos));
    }

    private static List<int[]> rows(Path corpus, int maxLength, boolean bos) {
        List<int[]> out = new ArrayList<>();
        try (TokenizeAndConcatenate t = new TokenizeAndConcatenate(TextCorpus.open(corpus, null), TOKENIZER, maxLength, bos)) {
            t.forEachRemaining(r -> out.add(r.tokens()));
        }
        return out;
    }
}
