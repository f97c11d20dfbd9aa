package dev.jlens.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlens.JlensException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The facade's contract on the GPT-2 vocabulary: known ids, special tokens, decoding, errors, threads. */
class Gpt2TokenizerTest {
    private final Gpt2Tokenizer tokenizer = TestFixtures.tokenizerA();

    @Test
    void knownIdsFromTheSpec() {
        assertThat(tokenizer.encode("Hello")).containsExactly(15496);
        assertThat(tokenizer.encode(" world")).containsExactly(995);
        assertThat(tokenizer.encode("!")).containsExactly(0);
        assertThat(tokenizer.encode(" the")).containsExactly(262);
        assertThat(tokenizer.encode("\n")).containsExactly(198);
        assertThat(tokenizer.encode(" ")).containsExactly(220);
        assertThat(tokenizer.encode("<|endoftext|>")).containsExactly(50256);
        assertThat(tokenizer.encode("Hello world!")).containsExactly(15496, 995, 0);
    }

    @Test
    void bothFixtureTokenizersAgreeOnTheBasics() {
        for (Gpt2Tokenizer t : List.of(TestFixtures.tokenizerA(), TestFixtures.tokenizerB())) {
            assertThat(t.vocabSize()).isEqualTo(50257);
            assertThat(t.endOfTextId()).isEqualTo(50256);
            assertThat(t.encode("Hello world!")).containsExactly(15496, 995, 0);
        }
    }

    @Test
    void emptyTextHasNoTokensAndNoIdsDecodeToEmptyText() {
        assertThat(tokenizer.encode("")).isEmpty();
        assertThat(tokenizer.decode()).isEmpty();
    }

    @Test
    void vocabularyLookups() {
        assertThat(tokenizer.idOf("Ġworld")).hasValue(995);
        assertThat(tokenizer.idOf("<|endoftext|>")).hasValue(50256);
        assertThat(tokenizer.idOf(" world")).as("written as text, not byte-level").isEmpty();
        assertThat(tokenizer.idOf("no such token, surely")).isEmpty();
    }

    @Test
    void endOfTextInsideTextBecomesItsIdAndSplitsThePreTokens() {
        // The stretch before the special token is pre-tokenized alone, so its two spaces end it ("Ġ", "Ġ") instead
        // of lending one to what follows, as in "a  !b" -> "a", " ", " !", "b". Hugging Face gives the same.
        assertThat(tokenizer.encode("a  <|endoftext|>b")).containsExactly(64, 220, 220, 50256, 65);
        assertThat(tokenizer.encode("a  !b")).containsExactly(64, 220, 5145, 65);
        assertThat(tokenizer.encode("<|endoftext|><|endoftext|>")).containsExactly(50256, 50256);
        assertThat(tokenizer.encode("<|endoftext|")).doesNotContain(50256);
    }

    @Test
    void decodeKeepsOrSkipsSpecialTokens() {
        int[] ids = {50256, 15496, 995, 50256, 0};
        assertThat(tokenizer.decode(ids)).isEqualTo("<|endoftext|>Hello world<|endoftext|>!");
        assertThat(tokenizer.decodeSkippingSpecial(ids)).isEqualTo("Hello world!");
    }

    @Test
    void decodeJoinsBytesAcrossTokensWhileTokenStringsShowReplacementCharacters() {
        int[] ids = tokenizer.encode(" 🤖");
        assertThat(ids).hasSizeGreaterThan(1);
        assertThat(tokenizer.decode(ids)).isEqualTo(" 🤖");
        assertThat(tokenizer.tokenString(ids[0])).isEqualTo(" \uFFFD");
        assertThat(tokenizer.tokenString(50256)).isEqualTo("<|endoftext|>");
        assertThat(tokenizer.tokenString(995)).isEqualTo(" world");
    }

    @ParameterizedTest
    @CsvSource({"-1", "50257", "2147483647"})
    void decodingAnIdOutsideTheVocabularyIsAnError(int id) {
        assertThatThrownBy(() -> tokenizer.decode(15496, id))
                .isInstanceOf(JlensException.class)
                .hasMessage("token id " + id + " is not in the vocabulary (ids 0..50256)");
        assertThatThrownBy(() -> tokenizer.tokenString(id)).isInstanceOf(JlensException.class);
        assertThatThrownBy(() -> tokenizer.decodeSkippingSpecial(id)).isInstanceOf(JlensException.class);
    }

    @Test
    void unpairedSurrogatesAreRejectedWithTheirPosition() {
        assertThatThrownBy(() -> tokenizer.encode("Hello\uD800x"))
                .isInstanceOf(JlensException.class)
                .hasMessage("text has an unpaired surrogate U+D800 at index 5");
        assertThatThrownBy(() -> tokenizer.encode("ab\uDC00"))
                .hasMessage("text has an unpaired surrogate U+DC00 at index 2");
        assertThatThrownBy(() -> tokenizer.encode("ab\uD83D"))
                .hasMessage("text has an unpaired surrogate U+D83D at index 2");
        assertThatThrownBy(() -> tokenizer.encode("\uDE00\uD83D"))
                .as("a low surrogate before a high one is no pair")
                .hasMessage("text has an unpaired surrogate U+DE00 at index 0");
        assertThat(tokenizer.decode(tokenizer.encode("\uD83D\uDE00"))).isEqualTo("😀");
    }

    @Test
    void loadPrefersVocabAndMergesAndFallsBackToTokenizerJson() {
        Gpt2Tokenizer fromFolderA = Gpt2Tokenizer.load(TestFixtures.resource("fixtures/tiny-gpt2-a"));
        Gpt2Tokenizer fromFolderB = Gpt2Tokenizer.load(TestFixtures.resource("fixtures/tiny-gpt2-b"));
        for (Gpt2Tokenizer t : List.of(fromFolderA, fromFolderB)) {
            assertThat(t.encode("I'm here, you're there")).containsExactly(40, 1101, 994, 11, 345, 821, 612);
        }
    }

    @Test
    void encodingFromManyThreadsAtOnceGivesTheSameIds() throws Exception {
        // A fresh tokenizer, so that the threads race to fill its piece cache.
        Gpt2Tokenizer fresh = Gpt2Tokenizer.load(TestFixtures.resource("fixtures/tiny-gpt2-a"));
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            texts.add("Text number " + i + ": the quick brown fox " + "jumps ".repeat(i % 7) + "über 日本 " + i * 37);
        }
        List<int[]> expected = texts.stream().map(tokenizer::encode).toList();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t * 53;
                results.add(pool.submit(() -> {
                    for (int k = 0; k < texts.size(); k++) {
                        int i = (k + offset) % texts.size();
                        if (!java.util.Arrays.equals(fresh.encode(texts.get(i)), expected.get(i))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        }
    }

    @Test
    void pieceCacheStopsGrowingAtItsCapacityAndSkipsLongPieces() {
        PieceCache cache = new PieceCache(3);
        for (int i = 0; i < 10; i++) {
            cache.offer("piece" + i, new int[] {i});
        }
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.get("piece0")).containsExactly(0);
        assertThat(cache.get("piece9")).isNull();

        PieceCache roomy = new PieceCache(10);
        roomy.offer("x".repeat(PieceCache.MAX_PIECE_LENGTH + 1), new int[] {1});
        assertThat(roomy.size()).isZero();
    }

    @Test
    void aLongPathologicalPieceEncodesQuicklyAndRoundTrips() {
        // One pre-token of 200k punctuation characters: BPE must not be quadratic.
        String text = "!?".repeat(100_000);
        long start = System.nanoTime();
        int[] ids = tokenizer.encode(text);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(tokenizer.decode(ids)).isEqualTo(text);
        assertThat(millis).as("milliseconds for 200k chars in one piece").isLessThan(5_000);
    }
}
