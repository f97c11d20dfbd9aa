package dev.jlens.cli;

import dev.jlens.model.HookedTransformer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that runs a model: the {@code --model}/{@code --revision} options and the program's streams, found
 * through the root command whatever the command's depth ({@code jlens cache}, {@code jlens sae features}).
 */
abstract class ModelCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    /** The program's standard streams and environment. */
    final Main.Streams streams() {
        return ((JlensCommand) spec.root().userObject()).streams;
    }

    /** The model of {@code --model}, downloaded first if need be. */
    final HookedTransformer loadModel() {
        return model.load(streams());
    }
}
