package dev.jlens.dataset;

import dev.jlens.model.HookedTransformer;
import dev.jlens.patching.PatchKind;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The job can be sent to another engine's workers: serialized with its rows, it loads the model there and gives the same results. */
class PromptAnalysisJobTest {
    private static final String MODEL = "src/test/resources/fixtures/tiny-gpt2-a";

    @Test
    void aSerializedJobLoadsItsModelAndGivesTheSameRows() throws Exception {
        PromptRow row = new PromptRow(7, "d.jsonl: line 8", "When John and Mary went to the shops, John gave the bag to", " Mary", " John",
                "When John and Mary went to the shops, Mary gave the bag to", Map.of("template", "t"));
        List<Map<String, Object>> here = PromptAnalysisJob.on(HookedTransformer.fromPretrained(MODEL), true, List.of(PatchKind.byId("resid_pre").orElseThrow()), false)
                .apply(List.of(row));

        PromptAnalysisJob named = new PromptAnalysisJob(MODEL, true, List.of(PatchKind.byId("resid_pre").orElseThrow()), false);
        @SuppressWarnings("unchecked")
        BatchFunction<PromptRow, Map<String, Object>> there = (BatchFunction<PromptRow, Map<String, Object>>) roundTrip(named);
        PromptRow sent = (PromptRow) roundTrip(row);
        List<Map<String, Object>> remote = there.apply(List.of(sent));

        assertThat(JsonShards.toJson(remote.getFirst()).toString()).isEqualTo(JsonShards.toJson(here.getFirst()).toString());
        assertThat(remote.getFirst()).containsEntry("row", 7L).containsEntry("template", "t");
    }

    private static Object roundTrip(Object o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }
}
