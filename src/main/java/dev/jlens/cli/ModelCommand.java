package dev.jlens.cli;

import dev.jlens.model.HookedTransformer;
import picocli.CommandLine.Mixin;

/** A command that runs a model: the {@code --model}/{@code --revision} options. */
abstract class ModelCommand extends JlensSubcommand implements Runnable {
    @Mixin
    ModelOption model;

    /** The model of {@code --model}, downloaded first if need be. */
    final HookedTransformer loadModel() {
        return model.load(streams());
    }
}
