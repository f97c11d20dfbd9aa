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

    public HookFlags withUseAttnResult(boolean on) { return with(Switch.USE_ATTN_RESULT, on); }
    public HookFlags withUseSplitQkvInput(boolean on) { return with(Switch.USE_SPLIT_QKV_INPUT, on); }
    public HookFlags withUseAttnIn(boolean on) { return with(Switch.USE_ATTN_IN, on); }
    public HookFlags withUseHookMlpIn(boolean on) { return with(Switch.USE_HOOK_MLP_IN, on); }

    /** These flags with one switch set. */
    public HookFlags with(Switch s, boolean on) {
        return new HookFlags(s == Switch.USE_ATTN_RESULT ? on : useAttnResult, s == Switch.USE_SPLIT_QKV_INPUT ? on : useSplitQkvInput,
                s == Switch.USE_ATTN_IN ? on : useAttnIn, s == Switch.USE_HOOK_MLP_IN ? on : useHookMlpIn);
    }

    /** One of the switches, by TransformerLens' config name and the model method that turns it on. */
    public enum Switch {
        USE_ATTN_RESULT("use_attn_result", "withUseAttnResult"),
        USE_SPLIT_QKV_INPUT("use_split_qkv_input", "withUseSplitQkvInput"),
        USE_ATTN_IN("use_attn_in", "withUseAttnIn"),
        USE_HOOK_MLP_IN("use_hook_mlp_in", "withUseHookMlpIn");

        public final String configName, method;

        Switch(String configName, String method) {
            this.configName = configName;
            this.method = method;
        }
    }

    /** Whether this switch is on. */
    boolean isOn(Switch s) {
        return switch (s) {
            case USE_ATTN_RESULT -> useAttnResult;
            case USE_SPLIT_QKV_INPUT -> useSplitQkvInput;
            case USE_ATTN_IN -> useAttnIn;
            case USE_HOOK_MLP_IN -> useHookMlpIn;
        };
    }
}
