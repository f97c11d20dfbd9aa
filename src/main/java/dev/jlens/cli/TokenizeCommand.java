package dev.jlens.cli;

import dev.jlens.model.ModelResolver;
import dev.jlens.model.Tokenization;
import dev.jlens.util.PyRepr;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.util.Arrays;
import java.util.List;

/** {@code jlens tokenize}: token ids and token strings of each text, as to_tokens / to_str_tokens give them. */
@Command(name = "tokenize", mixinStandardHelpOptions = true, description = "Tokenize each TEXT (BOS first unless --no-bos).")
final class TokenizeCommand extends ModelCommand {
    @Option(names = "--no-bos", description = "Do not prepend the <|endoftext|> BOS token.")
    boolean noBos;

    @Option(names = "--json", description = "One JSON object per TEXT: {\"ids\":[...],\"str_tokens\":[...]}.")
    boolean json;

    @Parameters(paramLabel = "TEXT", arity = "1..*", description = "Texts to tokenize.")
    List<String> texts;

    @Override
    public void run() {
        for (int i = 0; i < texts.size(); i++) Inputs.text(texts.size() == 1 ? "TEXT" : "TEXT " + (i + 1), texts.get(i));
        // Only the tokenizer is needed: no weights are read.
        ModelResolver.Resolved source = model.resolve(streams());
        Tokenization tok = new Tokenization(dev.jlens.tokenizer.Tokenizers.fromFolder(source.folder()), true);
        JsonMapper mapper = JsonMapper.builder().build();
        for (String text : texts) {
            int[] ids = tok.encode(text, !noBos);
            List<String> strTokens = tok.toStrTokens(ids);
            if (json) {
                ObjectNode node = mapper.createObjectNode();
                node.set("ids", mapper.valueToTree(ids));
                node.set("str_tokens", mapper.valueToTree(strTokens));
                streams().out().println(mapper.writeValueAsString(node));
            } else {
                streams().out().println(PyRepr.list(strTokens));
                streams().out().println(Arrays.toString(ids));
            }
        }
    }
}
