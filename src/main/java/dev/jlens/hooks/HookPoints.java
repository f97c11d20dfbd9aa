package dev.jlens.hooks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every hook point of a model with a given number of layers and parts, named exactly as in TransformerLens, each
 * with a small integer id so the forward pass can test "is anything hooked here?" with an array lookup.
 * Listed in TransformerLens' module order (its {@code hook_dict}).
 */
public final class HookPoints {
    /** Hook points outside the blocks. */
    public enum Global {
        EMBED("hook_embed"), POS_EMBED("hook_pos_embed"),
        LN_FINAL_SCALE("ln_final.hook_scale"), LN_FINAL_NORMALIZED("ln_final.hook_normalized"),
        UNEMBED_IN("unembed.hook_in"), UNEMBED_OUT("unembed.hook_out");

        public final String hookName;

        Global(String hookName) {
            this.hookName = hookName;
        }
    }

    /** Hook points inside block {@code l}, named {@code blocks.l.<suffix>}. */
    public enum Site {
        LN1_SCALE("ln1.hook_scale"), LN1_NORMALIZED("ln1.hook_normalized"),
        LN1_POST_SCALE("ln1_post.hook_scale"), LN1_POST_NORMALIZED("ln1_post.hook_normalized"),
        LN2_SCALE("ln2.hook_scale"), LN2_NORMALIZED("ln2.hook_normalized"),
        LN2_POST_SCALE("ln2_post.hook_scale"), LN2_POST_NORMALIZED("ln2_post.hook_normalized"),
        K("attn.hook_k"), Q("attn.hook_q"), V("attn.hook_v"), Z("attn.hook_z"),
        ATTN_SCORES("attn.hook_attn_scores"), PATTERN("attn.hook_pattern"), RESULT("attn.hook_result", HookFlags.Switch.USE_ATTN_RESULT),
        ROT_K("attn.hook_rot_k"), ROT_Q("attn.hook_rot_q"),
        MLP_PRE("mlp.hook_pre"), MLP_PRE_LINEAR("mlp.hook_pre_linear"), MLP_POST("mlp.hook_post"),
        ATTN_IN("hook_attn_in", HookFlags.Switch.USE_ATTN_IN), Q_INPUT("hook_q_input", HookFlags.Switch.USE_SPLIT_QKV_INPUT),
        K_INPUT("hook_k_input", HookFlags.Switch.USE_SPLIT_QKV_INPUT), V_INPUT("hook_v_input", HookFlags.Switch.USE_SPLIT_QKV_INPUT),
        MLP_IN("hook_mlp_in", HookFlags.Switch.USE_HOOK_MLP_IN),
        ATTN_OUT("hook_attn_out"), MLP_OUT("hook_mlp_out"),
        RESID_PRE("hook_resid_pre"), RESID_MID("hook_resid_mid"), RESID_POST("hook_resid_post");

        public final String suffix;
        /** The {@link HookFlags} switch without which this point never fires, or null. */
        public final HookFlags.Switch flag;

        Site(String suffix) {
            this(suffix, null);
        }

        Site(String suffix, HookFlags.Switch flag) {
            this.suffix = suffix;
            this.flag = flag;
        }
    }

    private static final int GLOBALS = Global.values().length, SITES = Site.values().length;
    private final int nLayers;
    private final HookFlags flags;
    private final String[] names;
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> moduleOrder;

    /** A block's hook points in a GPT-2 (no rotary, gated MLP or post norms). */
    public static final java.util.Set<Site> GPT2_SITES = java.util.Collections.unmodifiableSet(java.util.EnumSet.complementOf(java.util.EnumSet.of(
            Site.ROT_Q, Site.ROT_K, Site.MLP_PRE_LINEAR, Site.LN1_POST_SCALE, Site.LN1_POST_NORMALIZED, Site.LN2_POST_SCALE, Site.LN2_POST_NORMALIZED)));

    private final boolean[] present;

    public HookPoints(int nLayers) {
        this(nLayers, HookFlags.NONE, List.of());
    }

    public HookPoints(int nLayers, HookFlags flags, List<Splice> splices) {
        this(nLayers, flags, splices, GPT2_SITES, true);
    }

    /**
     * The hook points of a model with these switches (a point whose switch is off is listed but never fires) and
     * these spliced modules, whose own points come after the model's in ids and right after their host point
     * in module order.
     */
    public HookPoints(int nLayers, HookFlags flags, List<Splice> splices, java.util.Set<Site> sites, boolean posEmbed) {
        this.nLayers = nLayers;
        this.flags = flags;
        int standard = GLOBALS + nLayers * SITES;
        List<String> all = new ArrayList<>();
        for (Global g : Global.values()) all.add(g.hookName);
        for (int l = 0; l < nLayers; l++) for (Site s : Site.values()) all.add("blocks." + l + "." + s.suffix);
        java.util.Set<String> existing = new java.util.HashSet<>();
        for (int i = 0; i < standard; i++) {
            boolean exists = i < GLOBALS ? posEmbed || i != Global.POS_EMBED.ordinal() : sites.contains(Site.values()[(i - GLOBALS) % SITES]);
            if (exists) existing.add(all.get(i));
        }
        Map<String, List<String>> children = new HashMap<>();
        for (Splice splice : splices) {
            if (!existing.contains(splice.hookName())) {
                throw new dev.jlens.JlensException("cannot splice a module in at '" + splice.hookName() + "': no such hook point");
            }
            for (String child : splice.childHookPoints()) {
                String name = splice.hookName() + "." + child;
                if (all.contains(name)) throw new dev.jlens.JlensException("hook point " + name + " is declared twice");
                all.add(name);
                children.computeIfAbsent(splice.hookName(), k -> new ArrayList<>()).add(name);
            }
        }
        this.names = all.toArray(String[]::new);
        this.present = new boolean[names.length];
        for (int i = 0; i < names.length; i++) {
            present[i] = i >= standard || existing.contains(names[i]);
            if (present[i]) ids.put(names[i], i);
        }
        List<String> order = new ArrayList<>();
        List<String> main = new ArrayList<>(List.of(Global.EMBED.hookName, Global.POS_EMBED.hookName));
        for (int l = 0; l < nLayers; l++) for (Site s : Site.values()) main.add(names[id(l, s)]);
        for (Global g : List.of(Global.LN_FINAL_SCALE, Global.LN_FINAL_NORMALIZED, Global.UNEMBED_IN, Global.UNEMBED_OUT)) main.add(g.hookName);
        for (String name : main) {
            if (!existing.contains(name)) continue;
            order.add(name);
            order.addAll(children.getOrDefault(name, List.of()));
        }
        this.moduleOrder = Collections.unmodifiableList(order);
    }

    public int nLayers() {
        return nLayers;
    }

    public int count() {
        return names.length;
    }

    public static int id(Global g) {
        return g.ordinal();
    }

    public int id(int layer, Site s) {
        return GLOBALS + layer * SITES + s.ordinal();
    }

    public String name(int id) {
        return names[id];
    }

    /** The id of a full hook name, or -1 when the model has no such hook point. */
    public int idOf(String name) {
        Integer id = ids.get(name);
        return id == null ? -1 : id;
    }

    /**
     * The switch that is off for the point {@code id}, or null when the point fires: a hook named for such a point
     * would never run.
     */
    public HookFlags.Switch switchedOff(int id) {
        if (id < GLOBALS || id >= GLOBALS + nLayers * SITES) return null;
        HookFlags.Switch flag = Site.values()[(id - GLOBALS) % SITES].flag;
        return flag != null && !flags.isOn(flag) ? flag : null;
    }

    /** All hook point names in module order. */
    public List<String> names() {
        return moduleOrder;
    }
}
