package dev.jlens.sae;

import dev.jlens.io.Json;
import dev.jlens.model.ConfigFields;

import java.nio.file.Path;
import java.util.Set;

/**
 * An SAE's {@code cfg.json} as SAELens 6 reads it, from either format: the current one (SAELens 6.x, the hook name
 * under {@code metadata}) or the old ones (SAELens <= 2.x runner configs with {@code hook_point}; 3.x-5.x with
 * {@code activation_fn_str}), converted as SAELens' {@code handle_pre_6_0_config} does. Fields SAELens ignores at
 * inference (training settings, {@code device}, {@code prepend_bos}) are not kept, except what {@code sae info} shows.
 *
 * @param k the number of features kept per position (top-k only, else 0)
 * @param reshapeHookZ heads flattened into one vector per position ({@code reshape_activations: "hook_z"})
 * @param formatVersion the SAELens version the file names ({@code sae_lens_version}, else the training version), or
 *                      "unknown"
 * @param currentFormat whether the file is in SAELens 6's format
 */
public record SaeConfig(SaeArchitecture architecture, int dIn, int dSae, String dtype, String hookName,
                        boolean applyBDecToInput, ActivationNormalization normalization, boolean reshapeHookZ,
                        int k, boolean rescaleActsByDecoderNorm, String modelName, String formatVersion,
                        boolean currentFormat) {
    /** SAELens' {@code DTYPE_MAP}: the weights are cast to it. jlens computes in float32 whichever it is. */
    static final Set<String> DTYPES = Set.of("float32", "float64", "float16", "bfloat16",
            "torch.float32", "torch.float64", "torch.float16", "torch.bfloat16");
    private static final int MAX_WIDTH = 1 << 24;
    private static final long MAX_BYTES = 4L << 20;
    private static final int MAX_DEPTH = 32;

    /** Reads a {@code cfg.json}; every problem is one line naming the file and the field. */
    public static SaeConfig read(Path cfgJson) {
        return of(ConfigFields.read(cfgJson, MAX_BYTES, MAX_DEPTH, "an SAE's cfg.json"));
    }

    static SaeConfig of(ConfigFields f) {
        ConfigFields metadata = f.object("metadata");
        String version = f.string("sae_lens_version", metadata == null ? null : metadata.string("sae_lens_version", null));
        boolean current = version != null && majorVersion(version) >= 6;
        int dIn = f.positiveInt("d_in", MAX_WIDTH), dSae = f.positiveInt("d_sae", MAX_WIDTH);
        f.requireArraySize("d_in * d_sae", (long) dIn * dSae);
        String dtype = f.string("dtype", "float32");
        if (!DTYPES.contains(dtype)) throw f.error("field \"dtype\" = " + f.shortJson("dtype") + " is not a dtype SAELens knows (float32, float64, float16, bfloat16)");
        boolean applyBDec = f.bool("apply_b_dec_to_input", true);
        String training = f.string("sae_lens_training_version", metadata == null ? null : metadata.string("sae_lens_training_version", null));
        String formatVersion = version != null ? version : training != null ? training : "unknown";
        return current ? current(f, metadata, dIn, dSae, dtype, applyBDec, formatVersion) : old(f, dIn, dSae, dtype, applyBDec, formatVersion);
    }

    private static SaeConfig current(ConfigFields f, ConfigFields metadata, int dIn, int dSae, String dtype, boolean applyBDec, String version) {
        String hook = metadata != null && metadata.has("hook_name") ? metadata.string("hook_name", null) : f.string("hook_name", null);
        if (hook == null) throw f.error("field \"metadata.hook_name\" is missing");
        SaeArchitecture arch = architecture(f, f.string("architecture", "standard"));
        ActivationNormalization norm = normalization(f, f.string("normalize_activations", "none"));
        String reshape = f.string("reshape_activations", "none");
        if (!reshape.equals("none") && !reshape.equals("hook_z")) throw f.error("field \"reshape_activations\" = " + f.shortJson("reshape_activations") + " is not none or hook_z");
        int k = arch == SaeArchitecture.TOPK ? f.positiveInt("k", dSae) : 0;
        boolean rescale = arch == SaeArchitecture.TOPK && f.bool("rescale_acts_by_decoder_norm", false);
        String model = metadata == null ? null : metadata.string("model_name", null);
        return new SaeConfig(arch, dIn, dSae, dtype, hook, applyBDec, norm, reshape.equals("hook_z"), k, rescale, model, version, true);
    }

    /** {@code handle_pre_6_0_config}: renamed fields, old defaults, top-k from the activation function. */
    private static SaeConfig old(ConfigFields f, int dIn, int dSae, String dtype, boolean applyBDec, String version) {
        String hook = f.has("hook_point") ? f.string("hook_point", null) : f.string("hook_name", null);
        if (hook == null) throw f.error("field \"hook_point\" (or \"hook_name\") is missing");
        SaeArchitecture arch = architecture(f, f.string("architecture", "standard"));
        String activation = f.has("activation_fn_str") ? f.string("activation_fn_str", "relu") : f.string("activation_fn", "relu");
        ConfigFields kwargs = f.object("activation_fn_kwargs");
        int k = 0;
        if (activation.equals("topk") && kwargs != null && kwargs.has("k") && kwargs.raw("k") != Json.Null.NULL) {
            arch = SaeArchitecture.TOPK;
            k = kwargs.positiveInt("k", dSae);
        } else if (arch == SaeArchitecture.TOPK) {
            k = kwargs != null && kwargs.has("k") ? kwargs.positiveInt("k", dSae) : f.positiveInt("k", dSae);
        }
        ActivationNormalization norm = switch (f.raw("normalize_activations")) {
            case null -> ActivationNormalization.NONE;
            case Json.Null n -> ActivationNormalization.NONE;
            case Json.Bool b -> b.value() ? ActivationNormalization.EXPECTED_AVERAGE_ONLY_IN : ActivationNormalization.NONE;
            default -> normalization(f, f.string("normalize_activations", "none"));
        };
        // reshape_activations is new in 6.x: an old file's is derived from its hook name
        boolean hookZ = hook.contains("hook_z");
        return new SaeConfig(arch, dIn, dSae, dtype, hook, applyBDec, norm, hookZ, k, false, f.string("model_name", null), version, false);
    }

    private static SaeArchitecture architecture(ConfigFields f, String name) {
        SaeArchitecture arch = SaeArchitecture.of(name);
        if (arch == null) throw f.error("field \"architecture\" = \"" + name + "\" is not an SAE architecture jlens runs (standard, gated, jumprelu, topk)");
        return arch;
    }

    private static ActivationNormalization normalization(ConfigFields f, String name) {
        ActivationNormalization norm = ActivationNormalization.of(name);
        if (norm == null) throw f.error("field \"normalize_activations\" = \"" + name + "\" is not none, expected_average_only_in, constant_norm_rescale or layer_norm");
        return norm;
    }

    /** The leading number of a version like {@code 6.18.0} or {@code 6.0.0-rc.0}; 0 when there is none. */
    static int majorVersion(String version) {
        int end = 0;
        while (end < version.length() && Character.isDigit(version.charAt(end))) end++;
        if (end == 0 || end > 6) return 0;
        return Integer.parseInt(version, 0, end, 10);
    }
}
