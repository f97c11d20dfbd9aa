package dev.jlens.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlens.JlensException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TransformerLens' official names and aliases for Pythia, Llama and Gemma-2 (its {@code supported_models.py}) lead to
 * their repositories, and Pythia's training checkpoints are the revisions TransformerLens loads them from.
 */
class ModelRegistryTest {
    @Test
    void pythiaByEveryNameTransformerLensAccepts() {
        List<String> sizes = List.of("70m", "160m", "410m", "1b", "1.4b", "2.8b", "6.9b", "12b");
        List<String> oldNames = List.of("19m", "125m", "350m", "800m", "1.3b", "2.7b", "6.7b", "13b");
        for (int i = 0; i < sizes.size(); i++) {
            for (String variant : List.of("", "-deduped", "-v0", "-deduped-v0")) {
                String repo = "EleutherAI/pythia-" + sizes.get(i) + variant;
                assertThat(repoOf("pythia-" + sizes.get(i) + variant)).isEqualTo(repo);
                assertThat(repoOf("pythia-" + oldNames.get(i) + variant)).isEqualTo(repo);
                assertThat(repoOf("EleutherAI/pythia-" + oldNames.get(i) + variant)).isEqualTo(repo);
                assertThat(repoOf(repo.toUpperCase())).isEqualTo(repo);
            }
        }
        assertThat(repoOf("pythia")).isEqualTo("EleutherAI/pythia-70m");
    }

    @Test
    void llamaAndGemma2ByTheirNamesAndAliases() {
        assertThat(repoOf("Llama-2-7b")).isEqualTo("meta-llama/Llama-2-7b-hf");
        assertThat(repoOf("llama-2-13b-chat")).isEqualTo("meta-llama/Llama-2-13b-chat-hf");
        assertThat(repoOf("meta-llama-2-70b-chat-hf")).isEqualTo("meta-llama/Llama-2-70b-chat-hf");
        assertThat(repoOf("meta-llama/Meta-Llama-3-8B")).isEqualTo("meta-llama/Meta-Llama-3-8B");
        assertThat(repoOf("meta-llama/Llama-3.2-1B")).isEqualTo("meta-llama/Llama-3.2-1B");
        assertThat(repoOf("gemma-2-2b")).isEqualTo("google/gemma-2-2b");
        assertThat(repoOf("gemma-2-9b-it")).isEqualTo("google/gemma-2-9b-it");
        assertThat(repoOf("GEMMA-2-27B")).isEqualTo("google/gemma-2-27b");
    }

    @Test
    void aModelIsNamedAsTransformerLensNamesItAndKeepsItsRevision() {
        ModelSources.HubModel m = ModelSources.hubModel("pythia-160m-deduped@step3000").orElseThrow();
        assertThat(m.repo().toString()).isEqualTo("EleutherAI/pythia-160m-deduped");
        assertThat(m.modelName()).isEqualTo("pythia-160m-deduped");
        assertThat(m.revision()).isEqualTo("step3000");
        assertThat(ModelSources.hubModel("gpt2-small").orElseThrow().modelName()).isEqualTo("gpt2");
    }

    /** TransformerLens' PYTHIA_CHECKPOINTS and PYTHIA_V0_CHECKPOINTS. */
    @Test
    void pythiaCheckpointsAreTheStepsItWasSavedAt() {
        for (String step : List.of("0", "1", "2", "4", "8", "16", "32", "64", "128", "256", "512", "1000", "71000", "143000")) {
            assertThat(ModelSources.hubModel("pythia-70m@step" + step)).isPresent();
        }
        for (String step : List.of("3", "513", "1500", "144000")) {
            assertThatThrownBy(() -> ModelSources.hubModel("pythia-70m@step" + step)).isInstanceOf(JlensException.class)
                    .hasMessage("EleutherAI/pythia-70m@step" + step + ": no such training checkpoint; Pythia has steps"
                            + " 0, 1, 2, 4, ..., 512, then 1000, 2000, ..., 143000");
        }
        assertThat(ModelSources.hubModel("pythia-70m-v0@step1000")).isPresent();
        assertThatThrownBy(() -> ModelSources.hubModel("pythia-70m-v0@step512"))
                .hasMessage("EleutherAI/pythia-70m-v0@step512: no such training checkpoint; the v0 models have steps"
                        + " 1000, 2000, ..., 143000");
        // Branches and other models' revisions are the Hub's to answer.
        assertThat(ModelSources.hubModel("pythia-70m@main")).isPresent();
        assertThat(ModelSources.hubModel("gpt2@step7")).isPresent();
    }

    private static String repoOf(String name) {
        return ModelRegistry.lookup(name).orElseThrow(() -> new AssertionError("unknown: " + name)).repoId();
    }
}
