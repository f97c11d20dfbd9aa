package dev.jlens.cli;

import dev.jlens.analysis.TestPrompt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.List;

/** {@code jlens test-prompt}: TransformerLens' utils.test_prompt transcript, byte for byte. */
@Command(name = "test-prompt", mixinStandardHelpOptions = true, description = "How the model ranks the answer(s) after a prompt, printed as TransformerLens' test_prompt.")
final class TestPromptCommand implements Runnable {
    @ParentCommand
    JlensCommand parent;

    @Mixin
    ModelOption model;

    @Option(names = "--prompt", required = true, paramLabel = "P", description = "The prompt (BOS is prepended unless --no-bos).")
    String prompt;

    @Option(names = "--answer", required = true, paramLabel = "A",
            description = "The answer; repeat for several (then only each one's first token is compared).")
    List<String> answers;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "10", description = "Top tokens to list (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--no-bos", description = "Do not prepend the BOS token to the prompt.")
    boolean noBos;

    @Option(names = "--no-prepend-space", description = "Do not prepend a space to answers that lack one.")
    boolean noPrependSpace;

    @Override
    public void run() {
        if (topK < 0) throw new dev.jlens.JlensException("--top-k must be 0 or more, got " + topK);
        TestPrompt tp = new TestPrompt(model.load(parent.streams)).topK(topK).prependBos(!noBos).prependSpaceToAnswer(!noPrependSpace);
        parent.streams.out().print(tp.run(prompt, answers));
        parent.streams.out().flush();
    }
}
