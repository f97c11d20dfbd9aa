package dev.jlens.tokenizer;

/**
 * What a model needs of its tokenizer: text to ids and back, one token's text as {@code to_str_tokens} shows
 * it, and the special tokens TransformerLens prepends (BOS), pads with (PAD) and stops generation at (EOS).
 * {@link Gpt2Tokenizer} is GPT-2's byte-level BPE, where all three are {@code <|endoftext|>}.
 */
public interface Tokenizer {
    /** The token ids of {@code text}, without BOS. */
    int[] encode(String text);

    /** The text of {@code ids}, with or without special tokens, as Hugging Face's {@code decode(ids, skip_special_tokens)}. */
    String decode(int[] ids, boolean skipSpecial);

    /** The text of {@code ids}, special tokens included. */
    default String decode(int... ids) {
        return decode(ids, false);
    }

    /** The text of {@code ids} without special tokens. */
    default String decodeSkippingSpecial(int... ids) {
        return decode(ids, true);
    }

    /** The text of one token alone. */
    String tokenString(int id);

    /** Number of tokens, added tokens included. */
    int vocabSize();

    int bosId();

    int eosId();

    int padId();
}
