package dev.jlens.hooks;

/**
 * TransformerLens' switches for the hook points GPT-2 does not fire by default: {@code use_attn_result}
 * ({@code attn.hook_result}, each head's output), {@code use_split_qkv_input} ({@code hook_q_input},
 * {@code hook_k_input}, {@code hook_v_input}: the residual stream copied per head), {@code use_attn_in}
 * ({@code hook_attn_in}) and {@code use_hook_mlp_in} ({@code hook_mlp_in}). With a switch off its hook points
 * do not fire, and a hook named for one is refused.
 */
public record HookFlags(boolean useAttnResult, boolean useSplitQkvInput, boolean useAttnIn, boolean useHookMlpIn) {
    public static final HookFlags NONE = new HookFlags(false, false, false, false);

    public HookFlags withUseAttnResult(boolean on) {
        return new HookFlags(on, useSplitQkvInput, useAttnIn, useHookMlpIn);
    }

    public HookFlags withUseSplitQkvInput(boolean on) {
        return new HookFlags(useAttnResult, on, useAttnIn, useHookMlpIn);
    }

    public HookFlags withUseAttnIn(boolean on) {
        return new HookFlags(useAttnResult, useSplitQkvInput, on, useHookMlpIn);
    }

    public HookFlags withUseHookMlpIn(boolean on) {
        return new HookFlags(useAttnResult, useSplitQkvInput, useAttnIn, on);
    }

    /** Whether this switch is on (by TransformerLens' config name). */
    boolean isOn(String flag) {
        return switch (flag) {
            case "use_attn_result" -> useAttnResult;
            case "use_split_qkv_input" -> useSplitQkvInput;
            case "use_attn_in" -> useAttnIn;
            case "use_hook_mlp_in" -> useHookMlpIn;
            default -> throw new IllegalArgumentException(flag);
        };
    }
}
