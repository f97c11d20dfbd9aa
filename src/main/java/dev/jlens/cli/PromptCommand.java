package dev.jlens.cli;

import picocli.CommandLine.Mixin;

/** A model command run on one prompt ({@code --prompt}, {@code --no-bos}). */
abstract class PromptCommand extends ModelCommand {
    @Mixin
    PromptOption prompt;
}
