package dev.jlens.viz;

import dev.jlens.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Heatmaps of a patching sweep, by its TransformerLens shape and index order. */
final class PatchingFigures {
    private static final List<String> BLOCK_PARTS = List.of("resid_pre", "attn_out", "mlp_out");
    private static final List<String> HEAD_PARTS = List.of("output", "query", "key", "value", "pattern");

    private PatchingFigures() {}

    static void add(Page.Builder p, String kind, Tensor t, List<String> tokens) {
        List<String> positions = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) positions.add(tokens.get(i) + "_" + i);
        p.group("patching-" + kind, "jlens-patching");
        p.subheading(kind + "  " + Arrays.toString(t.shape()));
        String base = "patching-" + kind;
        switch (kind) {
            case "resid_pre", "resid_mid", "attn_out", "mlp_out" -> p.figure(layerPos(base + "-heatmap", kind, t, positions));
            case "attn_head_out_all_pos", "attn_head_q_all_pos", "attn_head_k_all_pos", "attn_head_v_all_pos", "attn_head_pattern_all_pos" ->
                    p.figure(layerHead(base + "-heatmap", kind, t));
            case "attn_head_out_by_pos", "attn_head_q_by_pos", "attn_head_k_by_pos", "attn_head_v_by_pos", "attn_head_pattern_by_pos" ->
                    p.figure(headPos(base + "-heatmap", kind, t, positions));
            case "block_every" -> {
                for (int i = 0; i < t.shape(0); i++) p.figure(layerPos(base + "-" + BLOCK_PARTS.get(i), kind + ": " + BLOCK_PARTS.get(i), t.get(i), positions));
            }
            case "attn_head_all_pos_every" -> {
                for (int i = 0; i < t.shape(0); i++) p.figure(layerHead(base + "-" + HEAD_PARTS.get(i), kind + ": " + HEAD_PARTS.get(i), t.get(i)));
            }
            case "attn_head_by_pos_every" -> {
                for (int i = 0; i < t.shape(0); i++) p.figure(headPos(base + "-" + HEAD_PARTS.get(i), kind + ": " + HEAD_PARTS.get(i), t.get(i), positions));
            }
            case "attn_head_pattern_dest_src_pos" -> {
                for (int l = 0; l < t.shape(0); l++) {
                    for (int h = 0; h < t.shape(1); h++) {
                        p.figure(Heatmap.builder(t.get(l, h)).id(base + "-L" + l + "H" + h).title(kind + ": L" + l + "H" + h)
                                .xTitle("Source position").yTitle("Destination position").xLabels(positions).yLabels(positions).build());
                    }
                }
            }
            default -> p.figure(generic(base + "-heatmap", kind, t));
        }
        p.endGroup();
    }

    private static Heatmap layerPos(String id, String title, Tensor t, List<String> positions) {
        return Heatmap.builder(t).id(id).title("Patching " + title).xTitle("Position").yTitle("Layer").xLabels(positions).build();
    }

    private static Heatmap layerHead(String id, String title, Tensor t) {
        return Heatmap.builder(t).id(id).title("Patching " + title).xTitle("Head").yTitle("Layer").cellNames((l, h) -> "L" + l + "H" + h).build();
    }

    /** [layer, pos, head] shown as rows L{l}H{h} by position columns. */
    private static Heatmap headPos(String id, String title, Tensor t, List<String> positions) {
        int layers = t.shape(0), pos = t.shape(1), heads = t.shape(2);
        float[][] rows = new float[layers * heads][pos];
        List<String> labels = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                labels.add("L" + l + "H" + h);
                for (int q = 0; q < pos; q++) rows[l * heads + h][q] = t.item(l, q, h);
            }
        }
        return Heatmap.builder(rows).id(id).title("Patching " + title).xTitle("Position").yTitle("Head").xLabels(positions).yLabels(labels).build();
    }

    private static Heatmap generic(String id, String title, Tensor t) {
        Tensor m = t.rank() == 1 ? t.reshape(1, t.size()) : t.reshape(t.size() / t.shape(t.rank() - 1), t.shape(t.rank() - 1));
        return Heatmap.builder(m).id(id).title("Patching " + title).build();
    }
}
