package dev.jlens.spark;

import dev.jlens.cli.CorpusOptions;
import dev.jlens.cli.ModelOption;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** A Spark job over the rows of tokens of a corpus ({@code activations}, {@code top-activations}): the model and corpus options of {@code jlens}. */
abstract class SparkCorpusCommand {
    @ParentCommand
    JlensSparkJob parent;

    @Mixin
    ModelOption model;

    @Mixin
    CorpusOptions corpus;

    /** The model of --model (and --revision), with the SAEs of --sae. */
    final ModelRef modelRef() {
        return ModelRef.of(model.reference()).withSaes(corpus.saes);
    }

    /** How the corpus options read the corpus. */
    final JlensSpark.Corpus corpusOptions() {
        return new JlensSpark.Corpus(corpus.column, corpus.context, corpus.maxTokens, corpus.batchSize, !corpus.noBos);
    }
}
