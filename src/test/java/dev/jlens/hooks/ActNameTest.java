package dev.jlens.hooks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** get_act_name's examples from the spec (section 5.3). */
class ActNameTest {
    @Test
    void expandsShortNamesLikeTransformerLens() {
        assertThat(ActName.get("resid_pre", 5)).isEqualTo("blocks.5.hook_resid_pre");
        assertThat(ActName.get("pattern", 9, "attn")).isEqualTo("blocks.9.attn.hook_pattern");
        assertThat(ActName.get("pattern", 9)).isEqualTo("blocks.9.attn.hook_pattern");
        assertThat(ActName.get("attn", 9)).isEqualTo("blocks.9.attn.hook_pattern");
        assertThat(ActName.get("z", 3, "a")).isEqualTo("blocks.3.attn.hook_z");
        assertThat(ActName.get("scale", 4, "ln1")).isEqualTo("blocks.4.ln1.hook_scale");
        assertThat(ActName.get("scale")).isEqualTo("ln_final.hook_scale");
        assertThat(ActName.get("embed")).isEqualTo("hook_embed");
        assertThat(ActName.get("pos_embed")).isEqualTo("hook_pos_embed");
        assertThat(ActName.get("mlp_out", 2)).isEqualTo("blocks.2.hook_mlp_out");
        assertThat(ActName.get("result", 0)).isEqualTo("blocks.0.attn.hook_result");
        assertThat(ActName.get("post", 1)).isEqualTo("blocks.1.mlp.hook_post");
        assertThat(ActName.get("attn_logits", 1)).isEqualTo("blocks.1.attn.hook_attn_scores");
    }

    @Test
    void parsesCompactNames() {
        assertThat(ActName.get("k6")).isEqualTo("blocks.6.attn.hook_k");
        assertThat(ActName.get("scale4ln1")).isEqualTo("blocks.4.ln1.hook_scale");
        assertThat(ActName.get("pre5")).isEqualTo("blocks.5.mlp.hook_pre");
    }

    @Test
    void leavesFullNamesAlone() {
        assertThat(ActName.get("blocks.3.attn.hook_pattern")).isEqualTo("blocks.3.attn.hook_pattern");
        assertThat(ActName.get("hook_embed")).isEqualTo("hook_embed");
    }
}
