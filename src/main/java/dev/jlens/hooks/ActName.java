package dev.jlens.hooks;

import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TransformerLens' {@code utils.get_act_name}: the full hook name from a short one, e.g.
 * {@code ("resid_pre", 5)} -> {@code blocks.5.hook_resid_pre}, {@code ("pattern", 9)} and {@code ("attn", 9)}
 * -> {@code blocks.9.attn.hook_pattern}, {@code "k6"} -> {@code blocks.6.attn.hook_k},
 * {@code "scale"} -> {@code ln_final.hook_scale}.
 */
public final class ActName {
    private static final Pattern COMPACT = Pattern.compile("^([a-z]+)(\\d+)([a-z]?.*)$");
    private static final Map<String, String> ALIASES = Map.of(
            "attn", "pattern", "attn_logits", "attn_scores", "key", "k", "query", "q", "value", "v",
            "mlp_pre", "pre", "mlp_mid", "mid", "mlp_post", "post");
    private static final Set<String> ATTN = Set.of("k", "v", "q", "z", "rot_k", "rot_q", "result", "pattern", "attn_scores");
    private static final Set<String> MLP = Set.of("pre", "post", "mid", "pre_linear");
    private static final Map<String, String> LAYER_TYPE_ALIASES = Map.of(
            "a", "attn", "m", "mlp", "b", "", "block", "", "blocks", "", "attention", "attn");

    private ActName() {}

    public static String get(String name) {
        return get(name, null, null);
    }

    public static String get(String name, Integer layer) {
        return get(name, layer, null);
    }

    public static String get(String name, Integer layer, String layerType) {
        if ((name.contains(".") || name.startsWith("hook_")) && layer == null && layerType == null) return name;
        Matcher m = COMPACT.matcher(name);
        if (m.matches()) {
            name = m.group(1);
            layer = Integer.parseInt(m.group(2));
            layerType = m.group(3);
        }
        name = ALIASES.getOrDefault(name, name);
        if (ATTN.contains(name)) layerType = "attn";
        else if (MLP.contains(name)) layerType = "mlp";
        else if (layerType != null) layerType = LAYER_TYPE_ALIASES.getOrDefault(layerType, layerType);

        StringBuilder full = new StringBuilder();
        if (layer != null) full.append("blocks.").append(layer).append('.');
        if (layerType != null && !layerType.isEmpty()) full.append(layerType).append('.');
        full.append("hook_").append(name);
        if (layer == null && (name.equals("scale") || name.equals("normalized"))) return "ln_final." + full;
        return full.toString();
    }
}
