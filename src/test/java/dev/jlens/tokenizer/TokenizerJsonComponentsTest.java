package dev.jlens.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlens.tokenizer.PreTokenizers.Piece;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Normalizers and pre-tokenizers with the options the real files do not use (Split's five behaviors and invert,
 * Digits, Metaspace's schemes, ByteLevel's prefix space, the Unicode forms, Strip, a regex Replace) cut and change
 * text as Hugging Face's {@code tokenizers} did ({@code scripts/hf_tokenizer_golden.py --components}).
 */
class TokenizerJsonComponentsTest {
    private static final JsonNode GOLDEN = TestFixtures.readJson("tokenizer/hf-components-golden.json");

    @Test
    void normalizersAndPreTokenizersAreHuggingFaces() {
        SoftAssertions soft = new SoftAssertions();
        int checked = 0;
        for (JsonNode c : GOLDEN.get("cases")) {
            if (c.has("normalizer")) {
                var normalizer = Normalizers.of(c.get("normalizer"));
                for (JsonNode r : c.get("results")) {
                    soft.assertThat(normalizer.apply(r.get(0).stringValue())).as("%s of %s", c.get("normalizer"), r.get(0))
                            .isEqualTo(r.get(1).stringValue());
                    checked++;
                }
            } else {
                PreTokenizers.Step step = PreTokenizers.of(c.get("pre_tokenizer"));
                for (JsonNode r : c.get("results")) {
                    List<Piece> pieces = new ArrayList<>();
                    String text = r.get(0).stringValue();
                    if (!text.isEmpty()) step.split(new Piece(text, true), pieces);
                    List<String> expected = new ArrayList<>();
                    r.get(1).forEach(p -> expected.add(p.stringValue()));
                    soft.assertThat(pieces.stream().map(Piece::text).toList()).as("%s of %s", c.get("pre_tokenizer"), r.get(0))
                            .containsExactlyElementsOf(expected);
                    checked++;
                }
            }
        }
        soft.assertAll();
        assertThat(checked).isGreaterThan(150);
    }

    @Test
    void aNormalizerOrPreTokenizerOrDecoderNotSupportedIsNamed() {
        assertThatThrownBy(() -> Normalizers.of(TestFixtures.JSON.readTree("{\"type\":\"BertNormalizer\"}")))
                .hasMessage("normalizer \"BertNormalizer\" is not supported (supported: NFC, NFD, NFKC, NFKD, Lowercase,"
                        + " Prepend, Replace, Strip, Sequence)");
        assertThatThrownBy(() -> PreTokenizers.of(TestFixtures.JSON.readTree("{\"type\":\"Whitespace\"}")))
                .hasMessageStartingWith("pre_tokenizer \"Whitespace\" is not supported");
        assertThatThrownBy(() -> Decoders.of(TestFixtures.JSON.readTree("{\"type\":\"WordPiece\"}")))
                .hasMessageStartingWith("decoder \"WordPiece\" is not supported");
    }
}
