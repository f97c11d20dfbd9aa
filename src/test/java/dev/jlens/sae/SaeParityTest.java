package dev.jlens.sae;

import dev.jlens.Fixtures;
import dev.jlens.cache.ActivationCache;
import dev.jlens.model.CachedRun;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every run of the SAE fixtures: the SAEs loaded from SAELens' files and spliced into fixture model A give every
 * SAE hook value and the logits SAELens' semantics give (float64 references, checked with SAELens' own classes).
 */
class SaeParityTest {
    static Stream<String> runs() {
        List<String> names = new ArrayList<>();
        SaeFixtures.reference().get("runs").forEach(r -> names.add(r.get("name").asString()));
        return names.stream();
    }

    @ParameterizedTest
    @MethodSource("runs")
    void everySaeHookValueAndTheLogitsMatchTheReference(String name) {
        JsonNode run = null;
        for (JsonNode r : SaeFixtures.reference().get("runs")) if (r.get("name").asString().equals(name)) run = r;
        List<Sae> saes = new ArrayList<>();
        for (JsonNode s : run.get("saes")) saes.add(Sae.load(SaeFixtures.folder(SaeFixtures.reference().get("saes").get(s.asString()).get("folder").asString())));
        HookedTransformer model = Saes.withSaes(Fixtures.model("a"), run.get("use_error_term").asBoolean(), saes);
        IntTensor tokens = IntTensor.of(Fixtures.ints(SaeFixtures.reference().get("tokens")), 1, -1);

        CachedRun result = model.runWithCache(tokens);
        ActivationCache cache = result.cache();
        int checked = 0;
        for (Map.Entry<String, JsonNode> e : run.get("expect").properties()) {
            assertThat(cache.contains(e.getKey())).as("cache has " + e.getKey()).isTrue();
            SaeFixtures.assertClose(name + " " + e.getKey(), cache.get(e.getKey()).squeeze(0), SaeFixtures.tensor("reference.safetensors", e.getValue().asString()));
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(5);
        Tensor logits = result.logits().squeeze(0);
        int pos = logits.shape(0);
        Tensor last2 = logits.narrowFirst(pos - 2, 2);
        Tensor expected = SaeFixtures.tensor(run.get("logits").get("file").asString(), run.get("logits").get("key").asString());
        SaeFixtures.assertClose(name + " logits", SaeFixtures.centered(last2), SaeFixtures.centered(expected));
    }
}
