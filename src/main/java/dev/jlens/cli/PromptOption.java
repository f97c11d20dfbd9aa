package dev.jlens.cli;

import picocli.CommandLine.Option;

/** {@code --prompt P [--no-bos]}: the one prompt of {@code test-prompt}, {@code cache} and {@code generate}. */
final class PromptOption {
    @Option(names = "--prompt", required = true, paramLabel = "P", description = "The prompt (BOS is prepended unless --no-bos).")
    String text;

    @Option(names = "--no-bos", description = "Do not prepend the BOS token to the prompt.")
    boolean noBos;

    /** The prompt, checked to be well-formed text. */
    String text() {
        Inputs.text("--prompt", text);
        return text;
    }

    boolean prependBos() {
        return !noBos;
    }
}
