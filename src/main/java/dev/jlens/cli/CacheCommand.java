package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.cache.ActivationCache;
import dev.jlens.io.SafetensorsWriter;
import dev.jlens.model.CacheOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.PatternSyntaxException;

/** {@code jlens cache}: run_with_cache on one prompt, saved as safetensors keyed by hook name. */
@Command(name = "cache", mixinStandardHelpOptions = true, description = "Run a prompt and save its activations (batch dimension removed) as float32 safetensors.")
final class CacheCommand extends PromptCommand {
    @Option(names = "--out", required = true, paramLabel = "F.safetensors",
            description = "Output file (written whole or not at all); - streams the safetensors bytes to standard output.")
    Path out;

    @Option(names = "--names", paramLabel = "REGEX", description = "Keep only hook names the regular expression matches in full.")
    String names;

    @Mixin
    SaeSplicing saes;

    @Option(names = "--grad-of-logit-diff", arity = "2", paramLabel = "TOKEN",
            description = "Also save the gradient of the last position's logit[CORRECT] - logit[INCORRECT] at each kept hook point, as <hook name>_grad (each answer one token, e.g. ' Peb').")
    java.util.List<String> gradOfLogitDiff;

    @Override
    public void run() {
        java.util.function.Predicate<String> filter = name -> true;
        if (names != null) {
            try {
                filter = CacheOptions.regex(names);
            } catch (PatternSyntaxException e) {
                throw new JlensException("--names: '" + names + "' is not a valid regular expression (" + e.getDescription() + ")");
            }
        }
        String text = prompt.text();
        saes.check();
        java.util.List<Inputs.Input> inputs = new java.util.ArrayList<>(Inputs.modelFolder(streams(), model.model).stream().toList());
        inputs.addAll(saes.inputs());
        Inputs.output(out, inputs);
        HookedTransformer m = loadModel();
        m = saes.splice(streams(), m);
        dev.jlens.tensor.IntTensor tokens = m.toTokens(text, prompt.prependBos());
        Inputs.fitsContext(m, "--prompt", tokens.shape(1));
        CacheOptions options = CacheOptions.ALL.withNamesFilter(filter).withRemoveBatchDim(true);
        if (gradOfLogitDiff != null) {
            int[] answers = new int[2];
            for (int i = 0; i < 2; i++) answers[i] = answerToken(m, gradOfLogitDiff.get(i));
            options = options.withInclBwd(dev.jlens.analysis.GradientMetrics.logitDiff(dev.jlens.tensor.IntTensor.of(answers, 1, 2)));
        }
        ActivationCache cache = m.runWithCache(tokens, options).cache();
        if (cache.size() == 0) throw new JlensException("--names '" + names + "' matches no hook point (e.g. blocks\\.0\\.attn\\.hook_pattern)");
        LinkedHashMap<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : cache.asMap().entrySet()) {
            long[] shape = java.util.Arrays.stream(e.getValue().shape()).asLongStream().toArray();
            tensors.put(e.getKey(), new SafetensorsWriter.Tensor(shape, e.getValue().toArray()));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("jlens_model", m.cfg().modelName());
        metadata.put("prompt", text);
        if (Inputs.toStandardOutput(out)) {
            try {
                SafetensorsWriter.write(Channels.newChannel(streams().out()), tensors, metadata);
            } catch (IOException e) {
                throw new JlensException("standard output: cannot be written (" + e.getMessage() + ")");
            }
            streams().out().flush();
        } else {
            SafetensorsWriter.write(out, tensors, metadata);
            Inputs.wrote(streams(), out, tensors.size() + (tensors.size() == 1 ? " activation" : " activations"));
        }
    }

    private static int answerToken(HookedTransformer m, String answer) {
        int[] ids = m.tokenizer().encode(answer);
        if (ids.length != 1) {
            throw new JlensException("--grad-of-logit-diff: '" + answer + "' is " + ids.length + " tokens; each answer must be exactly one token");
        }
        return ids[0];
    }
}
