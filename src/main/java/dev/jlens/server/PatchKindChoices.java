package dev.jlens.server;

import dev.jlens.patching.PatchKind;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.EnumSet;
import java.util.Set;

/**
 * The patching kinds the web UI offers, for {@code GET /api/model}: the page makes its check boxes from this
 * list (for activation patching and for attribution patching), so a kind added to {@link PatchKind} appears there
 * without a change to the page.
 */
final class PatchKindChoices {
    /** Ticked when the page opens: the seed's two sweeps. */
    private static final Set<PatchKind> TICKED = EnumSet.of(PatchKind.RESID_PRE, PatchKind.ATTN_HEAD_OUT_ALL_POS);

    /**
     * Attribution patching costs one backward pass for every kind, so all are ticked but the one whose figures are a
     * [dest, src] heatmap per head (n_layers x n_heads heatmaps, too many for a page).
     */
    private static final Set<PatchKind> ATTRIBUTION_UNTICKED = EnumSet.of(PatchKind.ATTN_HEAD_PATTERN_DEST_SRC_POS);

    private PatchKindChoices() {}

    /** Each kind as {@code {"id", "function", "axes", "ticked", "attribution_ticked"}}, in TransformerLens' order. */
    static ArrayNode json(JsonMapper json) {
        ArrayNode out = json.createArrayNode();
        for (PatchKind k : PatchKind.values()) {
            ObjectNode n = out.addObject();
            n.put("id", k.id());
            n.put("function", k.transformerLensFunction());
            n.set("axes", json.valueToTree(k.resultAxisNames()));
            n.put("ticked", TICKED.contains(k));
            n.put("attribution_ticked", !ATTRIBUTION_UNTICKED.contains(k));
        }
        return out;
    }
}
