package dev.jlens.cli;

import dev.jlens.model.GenerateOptions;
import dev.jlens.model.HookedTransformer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jlens generate}: the prompt and its continuation, as TransformerLens' generate returns it. */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Continue a prompt (sampling by default, as TransformerLens; --greedy for argmax).")
final class GenerateCommand extends PromptCommand {
    // TransformerLens' generate(max_new_tokens=10)
    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "10", description = "How many tokens to add at most (default ${DEFAULT-VALUE}, as TransformerLens).")
    int maxNewTokens;

    @Option(names = "--greedy", description = "Take the most likely token each step (do_sample=False).")
    boolean greedy;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the sampler (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0", description = "Sampling temperature (default ${DEFAULT-VALUE}; 0 = greedy).")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample only among the K most likely tokens (K >= 1; leave it out to sample among all).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "PROB", description = "Sample only among the most likely tokens whose probabilities reach PROB.")
    Double topP;

    @Override
    public void run() {
        if (maxNewTokens < 0) throw new dev.jlens.JlensException("--max-new-tokens must be 0 or more, got " + maxNewTokens);
        if (topK != null && topK < 1) throw new dev.jlens.JlensException("--top-k must be 1 or more, got " + topK + " (leave it out to sample among all tokens)");
        if (topP != null && !(topP > 0 && topP <= 1)) throw new dev.jlens.JlensException("--top-p must be in (0, 1], got " + topP);
        if (!(temperature >= 0)) throw new dev.jlens.JlensException("--temperature must be 0 or more, got " + temperature);
        String text = prompt.text();
        HookedTransformer m = loadModel();
        if (topK != null) Inputs.topKWithinVocabulary(m, topK);
        int promptTokens = m.toTokens(text, prompt.prependBos()).shape(1);
        Inputs.fitsContext(m, "--prompt", promptTokens);
        int room = m.cfg().nCtx() - promptTokens;
        if (maxNewTokens > room) {
            throw new dev.jlens.JlensException("--max-new-tokens " + maxNewTokens + " is too many: the prompt's " + promptTokens + " tokens plus "
                    + maxNewTokens + " new ones exceed the model's context of " + m.cfg().nCtx() + " tokens (n_ctx); at most " + room + " fit");
        }
        GenerateOptions options = GenerateOptions.sampling(maxNewTokens).withDoSample(!greedy).withSeed(seed)
                .withTemperature(temperature).withTopK(topK).withTopP(topP).withPrependBos(prompt.prependBos());
        streams().out().println(m.generate(text, options));
    }
}
