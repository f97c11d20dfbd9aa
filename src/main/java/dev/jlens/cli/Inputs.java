package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.io.AtomicFile;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tokenizer.Gpt2Tokenizer;

import java.nio.file.Path;

/**
 * Checks of command-line values that need no model or only its sizes, made before the work starts, each failing
 * with one line that names the option: text that is not valid Unicode, a prompt longer than the model's context,
 * a count beyond the model's vocabulary, an output file that cannot be written or would destroy a file.
 */
final class Inputs {
    private Inputs() {}

    /** {@code text} has UTF-8, i.e. no unpaired surrogate (Java strings can hold one; tokenizers cannot encode it). */
    static String text(String option, String text) {
        int at = Gpt2Tokenizer.unpairedSurrogate(text);
        if (at >= 0) {
            throw new JlensException(String.format("%s has an unpaired surrogate U+%04X at index %d; it is not valid Unicode text",
                    option, (int) text.charAt(at), at));
        }
        return text;
    }

    /** {@code tokens} tokens (of {@code what}) fit the model's context, and there is at least one. */
    static void fitsContext(HookedTransformer model, String what, int tokens) {
        if (tokens == 0) throw new JlensException(what + " has no tokens; an empty prompt needs BOS (leave out --no-bos)");
        int nCtx = model.cfg().nCtx();
        if (tokens > nCtx) {
            throw new JlensException(what + " is " + tokens + " tokens long, more than the model's context of " + nCtx + " tokens (n_ctx)");
        }
    }

    /** {@code --top-k} asks for no more tokens than the model has (torch.topk refuses that too, in TransformerLens). */
    static void topKWithinVocabulary(HookedTransformer model, int topK) {
        int vocabulary = model.cfg().dVocabOut();
        if (topK > vocabulary) throw new JlensException("--top-k " + topK + " is more than the model's " + vocabulary + " tokens (d_vocab)");
    }

    /** {@code --out -}: the output is streamed to standard output instead of written to a file. */
    static boolean toStandardOutput(Path out) {
        return out.toString().equals("-");
    }

    /**
     * The output file can be written without destroying anything, checked before any work so that nothing is wasted:
     * its folder exists, and it is not a folder, device, pipe or read-only file. Nothing to check for {@code --out -}.
     */
    static Path output(Path out) {
        if (toStandardOutput(out)) return out;
        try {
            AtomicFile.requireWritable(out);
        } catch (AtomicFile.NotARegularFile e) {
            throw new JlensException(e.getMessage() + "; to write to standard output give --out - (and redirect it)");
        }
        return out;
    }
}
