package dev.jlens.model.neox;

import dev.jlens.io.Checkpoint;
import dev.jlens.model.CheckpointReader;
import dev.jlens.model.CheckpointTensors;
import dev.jlens.model.ModelConfig;
import dev.jlens.model.ModelParams;
import dev.jlens.tensor.Tensor;

/**
 * Reads a Hugging Face GPT-NeoX checkpoint ({@code gpt_neox.*}, {@code embed_out.weight}) into
 * {@link ModelParams}. NeoX's fused query_key_value weight interleaves per head ({@code (head, q|k|v, d_head)}
 * rows), so it is regrouped into the query, key and value columns the block reads.
 */
final class GptNeoXCheckpointReader implements CheckpointReader {
    private final CheckpointTensors t;
    private final ModelConfig cfg;
    private final String prefix;

    GptNeoXCheckpointReader(Checkpoint ckpt, ModelConfig cfg) {
        this.t = new CheckpointTensors(ckpt, "GPT-NeoX", cfg.nLayers());
        this.cfg = cfg;
        this.prefix = t.firstPresent("gpt_neox.embed_in.weight", "embed_in.weight").startsWith("gpt_neox.") ? "gpt_neox." : "";
    }

    @Override
    public void readEmbeddings(ModelParams p) {
        p.wE = t.read(prefix + "embed_in.weight", cfg.dVocab(), cfg.dModel());
    }

    @Override
    public void readUnembed(ModelParams p) {
        p.wUT = t.read("embed_out.weight", cfg.dVocabOut(), cfg.dModel());
        p.bU = Tensor.zeros(cfg.dVocabOut());
        p.lnfW = t.read(prefix + "final_layer_norm.weight", cfg.dModel());
        p.lnfB = t.read(prefix + "final_layer_norm.bias", cfg.dModel());
    }

    @Override
    public ModelParams.Block readBlock(int l) {
        int d = cfg.dModel(), m = cfg.dMlp(), nh = cfg.nHeads(), e = cfg.dHead(), he = nh * e;
        String h = prefix + "layers." + l + ".";
        ModelParams.Block b = new ModelParams.Block();
        b.ln1w = t.read(h + "input_layernorm.weight", d);
        b.ln1b = t.read(h + "input_layernorm.bias", d);
        Tensor w = t.read(h + "attention.query_key_value.weight", 3 * he, d);
        Tensor bias = t.read(h + "attention.query_key_value.bias", 3 * he);
        float[] wq = new float[d * 3 * he], bq = new float[3 * he];
        for (int head = 0; head < nh; head++) {
            for (int part = 0; part < 3; part++) {
                for (int x = 0; x < e; x++) {
                    int src = head * 3 * e + part * e + x, col = part * he + head * e + x;
                    bq[col] = bias.data()[bias.offset() + src];
                    for (int r = 0; r < d; r++) wq[r * 3 * he + col] = w.data()[w.offset() + src * d + r];
                }
            }
        }
        b.wQKV = Tensor.of(wq, d, 3 * he);
        b.bQKV = Tensor.of(bq, 3 * he);
        b.wO = t.readLinear(h + "attention.dense.weight", d, he);
        b.bO = t.read(h + "attention.dense.bias", d);
        b.ln2w = t.read(h + "post_attention_layernorm.weight", d);
        b.ln2b = t.read(h + "post_attention_layernorm.bias", d);
        b.wIn = t.readLinear(h + "mlp.dense_h_to_4h.weight", m, d);
        b.bIn = t.read(h + "mlp.dense_h_to_4h.bias", m);
        b.wOut = t.readLinear(h + "mlp.dense_4h_to_h.weight", d, m);
        b.bOut = t.read(h + "mlp.dense_4h_to_h.bias", d);
        return b;
    }
}
