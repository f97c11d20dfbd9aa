package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.hub.HubCache;
import dev.jlens.hub.HubSettings;
import dev.jlens.io.AtomicFile;
import dev.jlens.model.HookedTransformer;
import dev.jlens.hub.ModelSources;
import dev.jlens.tokenizer.Gpt2Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Checks of command-line values that need no model or only its sizes, made before the work starts, each failing
 * with one line that names the option: text that is not valid Unicode, a prompt longer than the model's context,
 * a count beyond the model's vocabulary, an output file that cannot be written or whose writing would destroy an input.
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

    /** A file or folder a command reads, which its output must not replace: "the --spec file E.json", "the model folder M". */
    record Input(String description, Path path) {}

    /** {@code --out -}: the output is streamed to standard output instead of written to a file. */
    static boolean toStandardOutput(Path out) {
        return out.toString().equals("-");
    }

    /**
     * The output file can be written without destroying anything, checked before any work so that nothing is wasted:
     * its folder exists, and it is not a folder, device, pipe, read-only file, one of the {@code inputs} or inside one
     * of their folders (compared by real path, so that symbolic links and {@code ..} cannot hide it). Nothing to
     * check for {@code --out -}.
     */
    static Path output(Path out, List<Input> inputs) {
        if (toStandardOutput(out)) return out;
        try {
            AtomicFile.requireWritable(out);
        } catch (AtomicFile.NotARegularFile e) {
            throw new JlensException(e.getMessage() + "; to write to standard output give --out - (and redirect it)");
        }
        notAnInput(out, realPath(AtomicFile.target(out)), inputs);
        return out;
    }

    /** Checks that an output folder is none of the inputs and inside none; a file there is the folder's to refuse. */
    static Path outputFolder(Path out, List<Input> inputs) {
        if (Files.exists(out) && !Files.isDirectory(out)) throw new JlensException(out + ": exists and is not a folder");
        notAnInput(out, realPath(out.toAbsolutePath()), inputs);
        return out;
    }

    private static void notAnInput(Path out, Path target, List<Input> inputs) {
        for (Input input : inputs) {
            if (input.path() == null || !Files.exists(input.path())) continue;
            if (Files.isDirectory(input.path())) {
                if (target.startsWith(realPath(input.path()))) throw new JlensException(out + ": is inside " + input.description() + "; choose another --out");
                try (Stream<Path> files = Files.list(input.path())) {
                    for (Path file : files.toList()) {
                        if (isSameFile(target, file)) throw new JlensException(out + ": is " + input.description() + "'s " + file.getFileName() + "; choose another --out");
                    }
                } catch (IOException e) {
                    // an unreadable folder: the model load says so with its own message
                }
            } else if (isSameFile(target, input.path())) {
                throw new JlensException(out + ": is " + input.description() + "; choose another --out");
            }
        }
    }

    /** Says on stderr what a command wrote, so that a run that prints nothing else still tells where its result is. */
    static void wrote(Main.Streams streams, Path out, String what) {
        long size;
        try {
            size = Files.size(out);
        } catch (IOException e) {
            size = -1;
        }
        String details = (what.isEmpty() ? "" : what + ", ") + (size >= 0 ? ProgressBar.bytes(size) : "");
        streams.err().println("jlens: wrote " + out + (details.isEmpty() ? "" : " (" + details + ")"));
    }

    /** The folder {@code model} is loaded from, if it names a local folder or a model of the Hub cache. */
    static Optional<Input> modelFolder(Main.Streams streams, String model) {
        if (model == null || model.isEmpty()) return Optional.empty();
        try {
            Path asPath = Path.of(model);
            if (Files.isDirectory(asPath)) return Optional.of(new Input("the model folder " + model, asPath));
            return ModelSources.hubModel(model).map(m -> new Input("the Hugging Face cache's folder of " + m.repo(),
                    new HubCache(HubSettings.fromEnvironment(streams.env())).repoDir(m.repo())));
        } catch (RuntimeException e) {
            return Optional.empty();   // not a model name: loading it says what is wrong
        }
    }

    /** {@code path} with every symbolic link and {@code ..} resolved, as far as it exists (an output may not yet). */
    private static Path realPath(Path path) {
        Path absolute = path.toAbsolutePath();
        Path parent = absolute.getParent();
        try {
            if (Files.exists(absolute)) return absolute.toRealPath();
            return parent == null ? absolute : parent.toRealPath().resolve(absolute.getFileName());
        } catch (IOException e) {
            return absolute.normalize();
        }
    }

    private static boolean isSameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
