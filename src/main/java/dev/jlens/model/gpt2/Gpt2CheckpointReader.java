package dev.jlens.model.gpt2;

import dev.jlens.JlensException;
import dev.jlens.io.Checkpoint;
import dev.jlens.model.CheckpointReader;
import dev.jlens.model.ModelConfig;
import dev.jlens.model.ModelParams;
import dev.jlens.tensor.Tensor;

import java.util.Arrays;

/**
 * Reads the tensors of a Hugging Face GPT-2 checkpoint (spec section 2) into {@link ModelParams}: keys with
 * or without the {@code transformer.} prefix, {@code attn.bias}/{@code masked_bias} buffers ignored, the
 * unembedding from {@code lm_head.weight} when present and from the tied {@code wte.weight} otherwise. HF's
 * Conv1D weights are already [in, out], which is the kernels' layout, so no transposes are needed except
 * for the unembedding.
 */
final class Gpt2CheckpointReader implements CheckpointReader {
    private final Checkpoint ckpt;
    private final ModelConfig cfg;
    private final String prefix;

    Gpt2CheckpointReader(Checkpoint ckpt, ModelConfig cfg) {
        this.ckpt = ckpt;
        this.cfg = cfg;
        if (ckpt.names().contains("transformer.wte.weight")) prefix = "transformer.";
        else if (ckpt.names().contains("wte.weight")) prefix = "";
        else throw new JlensException(ckpt.file() + ": no GPT-2 embedding tensor (expected 'wte.weight' or 'transformer.wte.weight'); is this a GPT-2 checkpoint?");
    }

    /** Token and position embeddings; position rows beyond n_ctx are dropped. */
    @Override
    public void readEmbeddings(ModelParams p) {
        p.wE = read("wte.weight", cfg.dVocab(), cfg.dModel());
        long[] pos = shape("wpe.weight");
        if (pos.length != 2 || pos[1] != cfg.dModel() || pos[0] < cfg.nCtx()) {
            throw wrongShape("wpe.weight", pos, "[>=" + cfg.nCtx() + ", " + cfg.dModel() + "]");
        }
        Tensor all = Tensor.of(ckpt.readFloat32(prefix + "wpe.weight"), (int) pos[0], cfg.dModel());
        p.wPos = all.narrowFirst(0, cfg.nCtx()).copy();
    }

    /** The unembedding (lm_head, else wte) in its own [d_vocab, d_model] layout, a zero bias, and ln_f. */
    @Override
    public void readUnembed(ModelParams p) {
        String head = ckpt.names().contains("lm_head.weight") ? "lm_head.weight" : null;
        Tensor emb = head != null ? readExact(head, cfg.dVocabOut(), cfg.dModel()) : read("wte.weight", cfg.dVocabOut(), cfg.dModel());
        p.wUT = emb;
        p.bU = Tensor.zeros(cfg.dVocabOut());
        p.lnfW = read("ln_f.weight", cfg.dModel());
        p.lnfB = read("ln_f.bias", cfg.dModel());
    }

    @Override
    public ModelParams.Block readBlock(int l) {
        int d = cfg.dModel(), m = cfg.dMlp();
        String h = "h." + l + ".";
        ModelParams.Block b = new ModelParams.Block();
        b.ln1w = read(h + "ln_1.weight", d);
        b.ln1b = read(h + "ln_1.bias", d);
        b.wQKV = read(h + "attn.c_attn.weight", d, 3 * d);
        b.bQKV = read(h + "attn.c_attn.bias", 3 * d);
        b.wO = read(h + "attn.c_proj.weight", d, d);
        b.bO = read(h + "attn.c_proj.bias", d);
        b.ln2w = read(h + "ln_2.weight", d);
        b.ln2b = read(h + "ln_2.bias", d);
        b.wIn = read(h + "mlp.c_fc.weight", d, m);
        b.bIn = read(h + "mlp.c_fc.bias", m);
        b.wOut = read(h + "mlp.c_proj.weight", m, d);
        b.bOut = read(h + "mlp.c_proj.bias", d);
        return b;
    }

    private Tensor read(String key, int... expected) {
        return readExact(prefix + key, expected);
    }

    private Tensor readExact(String fullKey, int... expected) {
        if (!ckpt.names().contains(fullKey)) {
            throw new JlensException(ckpt.file() + ": tensor '" + fullKey + "' is missing (a GPT-2 with "
                    + cfg.nLayers() + " layers, as config.json says, needs it)");
        }
        long[] actual = ckpt.info(fullKey).shape();
        long[] want = Arrays.stream(expected).asLongStream().toArray();
        if (!Arrays.equals(actual, want)) throw wrongShape(fullKey, actual, Arrays.toString(expected));
        return Tensor.of(ckpt.readFloat32(fullKey), expected);
    }

    private long[] shape(String key) {
        String full = prefix + key;
        if (!ckpt.names().contains(full)) throw new JlensException(ckpt.file() + ": tensor '" + full + "' is missing");
        return ckpt.info(full).shape();
    }

    private JlensException wrongShape(String key, long[] actual, String expected) {
        return new JlensException(ckpt.file() + ": tensor '" + key + "' has shape " + Arrays.toString(actual)
                + " but config.json implies " + expected);
    }
}
