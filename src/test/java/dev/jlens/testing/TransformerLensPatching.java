package dev.jlens.testing;

import dev.jlens.Fixtures;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * TransformerLens' 18 patching helpers as its {@code patching.py} defines them (written from its source, not from
 * jlens), and a check that a report's figures of a sweep show its values where their titles and labels say.
 */
public final class TransformerLensPatching {
    /**
     * One helper: its {@code activation_name} and {@code index_axis_names} (null and the stacked helpers for the
     * {@code *_every} ones), and its result's axes as its docstring's shape says.
     */
    public record Helper(String id, String activationName, List<String> indexAxes, List<String> stackedParts, List<String> resultAxes) {
        public String function() {
            return "get_act_patch_" + id;
        }

        /** The result's shape, e.g. {@code [n_layers, n_heads, dest_pos]}, as TransformerLens' docstrings write it. */
        public String shapeText() {
            List<String> out = new ArrayList<>();
            for (String a : resultAxes) {
                out.add(switch (a) {
                    case "patch_type" -> Integer.toString(stackedParts.size());
                    case "layer" -> "n_layers";
                    case "head", "head_index" -> "n_heads";
                    default -> a;
                });
            }
            return "[" + String.join(", ", out) + "]";
        }

        /** The shape on a model of these sizes for tokens of {@code positions} positions. */
        public int[] shape(int layers, int heads, int positions) {
            return resultAxes.stream().mapToInt(a -> switch (a) {
                case "patch_type" -> stackedParts.size();
                case "layer" -> layers;
                case "head", "head_index" -> heads;
                default -> positions;
            }).toArray();
        }
    }

    /** By id, in the order of patching.py. */
    public static final Map<String, Helper> HELPERS = new LinkedHashMap<>();

    static {
        for (String name : List.of("resid_pre", "resid_mid", "attn_out", "mlp_out")) sweep(name, name, "layer pos");
        sweep("attn_head_out_by_pos", "z", "layer pos head");
        sweep("attn_head_q_by_pos", "q", "layer pos head");
        sweep("attn_head_k_by_pos", "k", "layer pos head");
        sweep("attn_head_v_by_pos", "v", "layer pos head");
        sweep("attn_head_pattern_by_pos", "pattern", "layer head_index dest_pos");
        sweep("attn_head_pattern_dest_src_pos", "pattern", "layer head_index dest_pos src_pos");
        sweep("attn_head_out_all_pos", "z", "layer head");
        sweep("attn_head_q_all_pos", "q", "layer head");
        sweep("attn_head_k_all_pos", "k", "layer head");
        sweep("attn_head_v_all_pos", "v", "layer head");
        sweep("attn_head_pattern_all_pos", "pattern", "layer head_index");
        stack("attn_head_all_pos_every", "patch_type layer head", "output query key value pattern");
        stack("attn_head_by_pos_every", "patch_type layer pos head", "output query key value pattern");
        stack("block_every", "patch_type layer pos", "resid_pre attn_out mlp_out");
    }

    private static void sweep(String id, String activation, String axes) {
        HELPERS.put(id, new Helper(id, activation, words(axes), List.of(), words(axes)));
    }

    private static void stack(String id, String axes, String parts) {
        HELPERS.put(id, new Helper(id, null, null, words(parts), words(axes)));
    }

    private static List<String> words(String s) {
        return List.of(s.split(" "));
    }

    private TransformerLensPatching() {}

    private static final Pattern FIGURE = Pattern.compile(
            "<figure class=\"jlens-figure jlens-heatmap\" id=\"([^\"]+)\".*?<script type=\"application/json\" class=\"jlens-spec\">(.*?)</script>", Pattern.DOTALL);
    private static final Pattern HEAD = Pattern.compile("L(\\d+)H(\\d+)");

    /**
     * Checks the report's figures of one sweep against its result JSON ({@code {"shape", "values"}}): each figure
     * has as many labels as rows and columns, its labels run in TransformerLens' index order, and each cell holds
     * the result's value at the index its figure id, axis titles and labels name; together the figures show every
     * value once.
     */
    public static void checkFigures(Helper h, JsonNode sweep, String html) {
        checkFigures(h, sweep, html, "patching");
    }

    /** As {@link #checkFigures(Helper, JsonNode, String)} for the figures whose ids start with {@code figures-KIND-} (e.g. "attribution"). */
    public static void checkFigures(Helper h, JsonNode sweep, String html, String figures) {
        assertThat(html).as(h.id()).contains("id=\"patching-" + h.id() + "\"");
        int[] shape = Fixtures.ints(sweep.get("shape"));
        float[] values = Fixtures.floats(sweep.get("values"));
        boolean[] seen = new boolean[values.length];
        String prefix = figures + "-" + h.id() + "-";
        int count = 0;
        Matcher m = FIGURE.matcher(html);
        while (m.find()) {
            if (!m.group(1).startsWith(prefix)) continue;
            count++;
            String id = m.group(1);
            JsonNode spec = JsonMapper.shared().readTree(m.group(2));
            Map<String, Integer> fromId = coordinatesOfId(h, id.substring(prefix.length()));
            List<Map<String, Integer>> rows = coordinates(id, spec.get("yTitle").asString(), spec.get("yLabels"));
            List<Map<String, Integer>> columns = coordinates(id, spec.get("xTitle").asString(), spec.get("xLabels"));
            JsonNode cells = spec.get("values");
            assertThat(rows).as(id + " y labels").hasSize(cells.size());
            assertThat(columns).as(id + " x labels").hasSize(cells.get(0).size());
            for (int r = 0; r < rows.size(); r++) {
                for (int c = 0; c < columns.size(); c++) {
                    Map<String, Integer> at = new HashMap<>(fromId);
                    merge(id, at, rows.get(r));
                    merge(id, at, columns.get(c));
                    int flat = 0;
                    for (int d = 0; d < shape.length; d++) {
                        Integer i = at.get(coordinate(h.resultAxes().get(d)));
                        if (i == null) fail(id + " does not say its cells' " + h.resultAxes().get(d));
                        flat = flat * shape[d] + i;
                    }
                    assertThat(seen[flat]).as(id + " shows index " + at + " twice").isFalse();
                    seen[flat] = true;
                    assertThat((float) cells.get(r).get(c).asDouble()).as(id + " cell " + at).isEqualTo(values[flat]);
                }
            }
        }
        assertThat(count).as(h.id() + " figures").isPositive();
        for (int i = 0; i < seen.length; i++) assertThat(seen[i]).as(h.id() + " value " + i + " shown").isTrue();
    }

    /** What a figure id's tail says: the stacked part ({@code patch_type}) and a head ({@code L1H2}). */
    private static Map<String, Integer> coordinatesOfId(Helper h, String tail) {
        Map<String, Integer> at = new HashMap<>();
        for (int p = 0; p < h.stackedParts().size(); p++) {
            String part = h.stackedParts().get(p);
            if (tail.equals(part) || tail.startsWith(part + "-")) {
                at.put("patch_type", p);
                tail = tail.substring(part.length()).replaceFirst("^-", "");
            }
        }
        if (!h.stackedParts().isEmpty()) assertThat(at).as(tail + " names its part").containsKey("patch_type");
        Matcher head = HEAD.matcher(tail);
        if (head.matches()) {
            at.put("layer", Integer.parseInt(head.group(1)));
            at.put("head", Integer.parseInt(head.group(2)));
        } else if (!tail.isEmpty()) {
            assertThat(tail).isEqualTo("heatmap");
        }
        return at;
    }

    /** Each label's coordinates by the axis title; checks they increase in row-major order. */
    private static List<Map<String, Integer>> coordinates(String id, String title, JsonNode labels) {
        List<Map<String, Integer>> out = new ArrayList<>();
        int[] previous = null;
        for (JsonNode node : labels) {
            String label = node.asString();
            Map<String, Integer> at = new LinkedHashMap<>();
            switch (title) {
                case "Layer" -> at.put("layer", Integer.parseInt(label));
                case "Head" -> {
                    Matcher head = HEAD.matcher(label);
                    if (head.matches()) {
                        at.put("layer", Integer.parseInt(head.group(1)));
                        at.put("head", Integer.parseInt(head.group(2)));
                    } else {
                        at.put("head", Integer.parseInt(label));
                    }
                }
                case "Position" -> at.put("pos", position(label));
                case "Destination position" -> at.put("dest_pos", position(label));
                case "Source position" -> at.put("src_pos", position(label));
                default -> fail(id + ": unknown axis title " + title);
            }
            int[] now = at.values().stream().mapToInt(Integer::intValue).toArray();
            if (previous != null) assertThat(Arrays.compare(now, previous)).as(id + " " + title + " labels in order at " + label).isPositive();
            previous = now;
            out.add(at);
        }
        return out;
    }

    /** {@code token_7} -> 7. */
    private static int position(String label) {
        return Integer.parseInt(label.substring(label.lastIndexOf('_') + 1));
    }

    private static String coordinate(String axis) {
        return axis.equals("head_index") ? "head" : axis;
    }

    private static void merge(String id, Map<String, Integer> into, Map<String, Integer> more) {
        for (var e : more.entrySet()) {
            Integer old = into.put(e.getKey(), e.getValue());
            if (old != null && !old.equals(e.getValue())) fail(id + " says " + e.getKey() + " is both " + old + " and " + e.getValue());
        }
    }
}
