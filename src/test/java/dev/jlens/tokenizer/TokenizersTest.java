package dev.jlens.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlens.JlensException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Tokenizers#fromFolder} picks GPT-2's tokenizer for GPT-2's files and the tokenizer.json one for the other
 * families, whose BOS, EOS and PAD are the folder's tokenizer_config.json's with TransformerLens' fallbacks (PAD =
 * EOS where none is named); a file it cannot read exactly is refused in one line naming it.
 */
class TokenizersTest {
    @TempDir
    Path temp;

    @Test
    void gpt2FoldersKeepGpt2sTokenizer() {
        assertThat(Tokenizers.fromFolder(TestFixtures.resource("fixtures/tiny-gpt2-a"))).isInstanceOf(Gpt2Tokenizer.class);
        // tiny-gpt2-b has tokenizer.json alone: of GPT-2's form, so GPT-2's tokenizer (with its cache) reads it.
        assertThat(Tokenizers.fromFolder(TestFixtures.resource("fixtures/tiny-gpt2-b"))).isInstanceOf(Gpt2Tokenizer.class);
    }

    /** The ids are the configs' tokens as Hugging Face numbers them (golden ids_with_special_tokens start with BOS). */
    @Test
    void bosEosAndPadAreEachFamilysAsTransformerLensSetsThem() {
        assertSpecial("pythia", 0, 0, 0); // <|endoftext|> for all three
        assertSpecial("llama2", 1, 2, 2); // <s>, </s>, no pad_token: EOS
        assertSpecial("llama3", 128000, 128001, 128001); // <|begin_of_text|>, <|end_of_text|>, no pad_token: EOS
        assertSpecial("gemma", 2, 1, 0); // <bos>, <eos>, <pad>
    }

    private static void assertSpecial(String family, int bos, int eos, int pad) {
        Tokenizer t = HuggingFaceTokenizerParityTest.tokenizer(family);
        assertThat(new int[] {t.bosId(), t.eosId(), t.padId()}).as(family).containsExactly(bos, eos, pad);
    }

    @Test
    void aNormalizerItCannotRunIsRefusedNamingTheFile() throws IOException {
        Path folder = pythiaCopy("\"normalizer\": {\n    \"type\": \"NFC\"\n  }", "\"normalizer\": {\"type\": \"BertNormalizer\"}");
        assertThatThrownBy(() -> Tokenizers.fromFolder(folder)).isInstanceOf(JlensException.class)
                .hasMessage(folder.resolve("tokenizer.json") + ": normalizer \"BertNormalizer\" is not supported"
                        + " (supported: NFC, NFD, NFKC, NFKD, Lowercase, Prepend, Replace, Strip, Sequence)");
    }

    @Test
    void aBosTokenOutsideTheVocabularyIsRefusedNamingTheFile() throws IOException {
        Path folder = pythiaCopy("", "");
        Files.writeString(folder.resolve("tokenizer_config.json"), "{\"bos_token\": {\"content\": \"<nope>\"}}");
        assertThatThrownBy(() -> Tokenizers.fromFolder(folder)).isInstanceOf(JlensException.class)
                .hasMessage(folder.resolve("tokenizer.json") + ": the BOS token \"<nope>\" is not in the tokenizer's vocabulary");
    }

    @Test
    void withoutATokenizerConfigEosIsEndOfTextAndBosThePostProcessorsToken() throws IOException {
        Path folder = pythiaCopy("", "");
        Files.delete(folder.resolve("tokenizer_config.json"));
        Tokenizer t = Tokenizers.fromFolder(folder);
        assertThat(new int[] {t.bosId(), t.eosId(), t.padId()}).containsExactly(0, 0, 0);
    }

    /** A copy of the Pythia folder with {@code from} replaced by {@code to} in its tokenizer.json. */
    private Path pythiaCopy(String from, String to) throws IOException {
        Path source = HuggingFaceTokenizerParityTest.folderOf("pythia");
        Path folder = Files.createDirectories(temp.resolve("m"));
        String json = Files.readString(source.resolve("tokenizer.json"));
        assertThat(json).contains(from);
        Files.writeString(folder.resolve("tokenizer.json"), from.isEmpty() ? json : json.replace(from, to));
        Files.copy(source.resolve("tokenizer_config.json"), folder.resolve("tokenizer_config.json"));
        return folder;
    }
}
