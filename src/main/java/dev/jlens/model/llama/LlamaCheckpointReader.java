package dev.jlens.model.llama;

import dev.jlens.io.Checkpoint;
import dev.jlens.model.CheckpointReader;
import dev.jlens.model.CheckpointTensors;
import dev.jlens.model.ModelConfig;
import dev.jlens.model.ModelParams;
import dev.jlens.tensor.Tensor;

/**
 * Reads a Hugging Face Llama-layout checkpoint ({@code model.layers.N.self_attn.q_proj} ...) into
 * {@link ModelParams}: q, k and v projections side by side (k and v with n_key_value_heads), the gate, up and
 * down projections as W_gate, W_in and W_out, RMSNorm weights, the unembedding from {@code lm_head.weight} or
 * the tied embedding. Biases are read when the checkpoint has them, else zero. Gemma's layout differs only in
 * its norms (stored as offsets from 1, and two more per block) and its scaled embedding, read by
 * {@link #gemma}.
 */
public class LlamaCheckpointReader implements CheckpointReader {
    private final CheckpointTensors t;
    private final ModelConfig cfg;
    private final String prefix;
    private final boolean gemma;

    public LlamaCheckpointReader(Checkpoint ckpt, ModelConfig cfg, boolean gemma) {
        this.t = new CheckpointTensors(ckpt, cfg.architecture(), cfg.nLayers());
        this.cfg = cfg;
        this.gemma = gemma;
        this.prefix = t.firstPresent("model.embed_tokens.weight", "embed_tokens.weight").startsWith("model.") ? "model." : "";
    }

    @Override
    public void readEmbeddings(ModelParams p) {
        p.wE = t.read(prefix + "embed_tokens.weight", cfg.dVocab(), cfg.dModel());
        if (gemma) {
            // Gemma scales its embeddings by sqrt(d_model), in the weights' float32 as TransformerLens does
            float scale = (float) Math.sqrt(cfg.dModel());
            float[] v = p.wE.data();
            for (int i = 0, n = p.wE.size(); i < n; i++) v[p.wE.offset() + i] *= scale;
        }
    }

    @Override
    public void readUnembed(ModelParams p) {
        p.wUT = t.read(t.has("lm_head.weight") ? "lm_head.weight" : prefix + "embed_tokens.weight", cfg.dVocabOut(), cfg.dModel());
        p.bU = Tensor.zeros(cfg.dVocabOut());
        p.lnfW = norm(prefix + "norm.weight");
    }

    @Override
    public ModelParams.Block readBlock(int l) {
        int d = cfg.dModel(), m = cfg.dMlp(), he = cfg.nHeads() * cfg.dHead(), kv = cfg.kvWidth();
        String h = prefix + "layers." + l + ".";
        ModelParams.Block b = new ModelParams.Block();
        b.ln1w = norm(h + "input_layernorm.weight");
        Tensor q = t.readLinear(h + "self_attn.q_proj.weight", he, d), k = t.readLinear(h + "self_attn.k_proj.weight", kv, d);
        Tensor v = t.readLinear(h + "self_attn.v_proj.weight", kv, d);
        b.wQKV = Tensor.concat(java.util.List.of(q, k, v), 1);
        b.bQKV = Tensor.concat(java.util.List.of(bias(h + "self_attn.q_proj.bias", he), bias(h + "self_attn.k_proj.bias", kv), bias(h + "self_attn.v_proj.bias", kv)), 0);
        b.wO = t.readLinear(h + "self_attn.o_proj.weight", d, he);
        b.bO = bias(h + "self_attn.o_proj.bias", d);
        if (gemma) {
            b.ln1PostW = norm(h + "post_attention_layernorm.weight");
            b.ln2w = norm(h + "pre_feedforward_layernorm.weight");
            b.ln2PostW = norm(h + "post_feedforward_layernorm.weight");
        } else {
            b.ln2w = norm(h + "post_attention_layernorm.weight");
        }
        b.wGate = t.readLinear(h + "mlp.gate_proj.weight", m, d);
        b.wIn = t.readLinear(h + "mlp.up_proj.weight", m, d);
        b.bIn = Tensor.zeros(m);
        b.wOut = t.readLinear(h + "mlp.down_proj.weight", d, m);
        b.bOut = Tensor.zeros(d);
        return b;
    }

    private Tensor norm(String key) {
        return gemma ? t.readOnePlus(key, cfg.dModel()) : t.read(key, cfg.dModel());
    }

    private Tensor bias(String key, int n) {
        return t.has(key) ? t.read(key, n) : Tensor.zeros(n);
    }
}
