package dev.jlens.tokenizer;

import java.util.List;

/**
 * The added tokens (for GPT-2 just {@code <|endoftext|>}): strings that are cut out of the text before
 * pre-tokenization and keep their own ids, as Hugging Face's {@code AddedVocabulary} does. Where several could match
 * at one place, the longest wins; matching is leftmost-first otherwise. The flags {@code lstrip}, {@code rstrip},
 * {@code single_word} and {@code normalized} are not modeled: they are all false for the GPT-2 family.
 */
final class AddedTokens {
    /** One added token: its text, its id, and whether it is special (skipped by {@code skip_special_tokens}). */
    record AddedToken(String content, int id, boolean special) {
    }

    /** Receives the text cut at added tokens, in order. */
    interface SegmentSink {
        /** Ordinary text {@code [start, end)}, never empty. */
        void text(int start, int end);

        void addedToken(int id);
    }

    private final AddedToken[] tokens;

    AddedTokens(List<AddedToken> tokens) {
        this.tokens = tokens.toArray(AddedToken[]::new);
    }

    void split(String text, SegmentSink sink) {
        if (tokens.length == 0) {
            if (!text.isEmpty()) {
                sink.text(0, text.length());
            }
            return;
        }
        // Next occurrence of each token at or after the cursor; -2 means not searched yet, -1 none left.
        int[] nextAt = new int[tokens.length];
        java.util.Arrays.fill(nextAt, -2);
        int cursor = 0;
        while (cursor < text.length()) {
            int bestAt = -1;
            int best = -1;
            for (int t = 0; t < tokens.length; t++) {
                if (nextAt[t] == -2 || (nextAt[t] >= 0 && nextAt[t] < cursor)) {
                    nextAt[t] = text.indexOf(tokens[t].content(), cursor);
                }
                int at = nextAt[t];
                if (at >= 0 && (bestAt < 0 || at < bestAt
                        || (at == bestAt && tokens[t].content().length() > tokens[best].content().length()))) {
                    bestAt = at;
                    best = t;
                }
            }
            if (best < 0) {
                sink.text(cursor, text.length());
                return;
            }
            if (bestAt > cursor) {
                sink.text(cursor, bestAt);
            }
            sink.addedToken(tokens[best].id());
            cursor = bestAt + tokens[best].content().length();
        }
    }
}
