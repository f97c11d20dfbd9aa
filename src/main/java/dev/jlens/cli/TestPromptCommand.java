package dev.jlens.cli;

import dev.jlens.analysis.TestPrompt;
import dev.jlens.model.HookedTransformer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code jlens test-prompt}: TransformerLens' utils.test_prompt transcript, byte for byte. */
@Command(name = "test-prompt", mixinStandardHelpOptions = true, description = "How the model ranks the answer(s) after a prompt, printed as TransformerLens' test_prompt.")
final class TestPromptCommand extends PromptCommand {
    @Option(names = "--answer", required = true, paramLabel = "A",
            description = "The answer; repeat for several (then only each one's first token is compared).")
    List<String> answers;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "10", description = "Top tokens to list (default ${DEFAULT-VALUE}; 0 lists none, only the answers' ranks).")
    int topK;

    @Option(names = "--no-prepend-space", description = "Do not prepend a space to answers that lack one.")
    boolean noPrependSpace;

    @Override
    public void run() {
        if (topK < 0) throw new dev.jlens.JlensException("--top-k must be 0 or more, got " + topK);
        String text = prompt.text();
        for (String a : answers) Inputs.text("--answer", a);
        HookedTransformer m = loadModel();
        Inputs.topKWithinVocabulary(m, topK);
        int promptTokens = m.tokenization().encode(text, prompt.prependBos()).length;
        if (promptTokens == 0) throw new dev.jlens.JlensException("--prompt is empty and --no-bos leaves it no tokens to predict the answer from");
        int answerTokens = 0;
        for (String a : answers) {
            answerTokens = Math.max(answerTokens, m.tokenizer().encode(noPrependSpace || a.startsWith(" ") ? a : " " + a).length);
        }
        Inputs.fitsContext(m, answerTokens == 0 ? "--prompt" : "--prompt with its --answer", promptTokens + (answers.size() > 1 ? 1 : answerTokens));
        TestPrompt tp = new TestPrompt(m).topK(topK).prependBos(prompt.prependBos()).prependSpaceToAnswer(!noPrependSpace);
        streams().out().print(tp.run(text, answers));
        streams().out().flush();
    }
}
