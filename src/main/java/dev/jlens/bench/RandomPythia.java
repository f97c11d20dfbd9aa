package dev.jlens.bench;

import dev.jlens.io.AtomicFile;
import dev.jlens.io.Json;
import dev.jlens.io.SafetensorsWriter;
import dev.jlens.io.ShardedCheckpoint;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Writes a Pythia (GPT-NeoX) of a real shape with random weights in the Hugging Face layout, for measuring models
 * beyond GPT-2 whose weights cannot be downloaded here: Pythia's config.json (rotary on a quarter of each head,
 * parallel attention and MLP, untied unembedding, vocabulary 50304, context 2048) and safetensors shards behind
 * {@code model.safetensors.index.json}, one per block and one for the embeddings, so that no more than one shard's
 * weights are in memory while it is written. Weights are drawn as {@link RandomGpt2}'s; the tokenizer files are
 * GPT-2's (as the NeoX fixtures'), whose end-of-text token the config names.
 */
public final class RandomPythia {
    /** Pythia shapes, as their config.json files give them. */
    public enum Shape {
        PYTHIA_70M(6, 8, 512), PYTHIA_160M(12, 12, 768), PYTHIA_410M(24, 16, 1024), PYTHIA_1B(16, 8, 2048), PYTHIA_1_4B(24, 16, 2048);

        public final int nLayers, nHeads, dModel;

        Shape(int nLayers, int nHeads, int dModel) {
            this.nLayers = nLayers;
            this.nHeads = nHeads;
            this.dModel = dModel;
        }

        /** The shape's Pythia name, e.g. {@code pythia-1.4b}. */
        public String modelName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-').replace("1-4b", "1.4b");
        }

        /** The shape of a Pythia name (case-insensitive), or empty. */
        public static Optional<Shape> of(String name) {
            for (Shape s : values()) if (s.modelName().equalsIgnoreCase(name)) return Optional.of(s);
            return Optional.empty();
        }
    }

    static final int VOCAB = 50304, N_CTX = 2048;

    private RandomPythia() {}

    public static void write(Path out, Shape shape, long seed, Path tokenizerFrom) {
        write(out, shape.nLayers, shape.nHeads, shape.dModel, seed, tokenizerFrom);
    }

    /** Any Pythia-like shape (d_mlp = 4 d_model); the folder must be new or empty, the index comes last. */
    public static void write(Path out, int nLayers, int nHeads, int dModel, long seed, Path tokenizerFrom) {
        RandomGpt2.startFolder(out, tokenizerFrom, config(nLayers, nHeads, dModel));
        SplittableRandom rnd = new SplittableRandom(seed);
        int d = dModel, m = 4 * d, shards = nLayers + 1;
        Json.Obj weightMap = new Json.Obj();
        LinkedHashMap<String, SafetensorsWriter.Tensor> w = new LinkedHashMap<>();
        w.put("gpt_neox.embed_in.weight", RandomGpt2.normal(rnd, 0, VOCAB, d));
        w.put("gpt_neox.final_layer_norm.weight", RandomGpt2.normal(rnd, 1, d));
        w.put("gpt_neox.final_layer_norm.bias", RandomGpt2.normal(rnd, 0, d));
        w.put("embed_out.weight", RandomGpt2.normal(rnd, 0, VOCAB, d));
        writeShard(out, 1, shards, w, weightMap);
        for (int l = 0; l < nLayers; l++) {
            String h = "gpt_neox.layers." + l + ".";
            w = new LinkedHashMap<>();
            w.put(h + "input_layernorm.weight", RandomGpt2.normal(rnd, 1, d));
            w.put(h + "input_layernorm.bias", RandomGpt2.normal(rnd, 0, d));
            w.put(h + "attention.query_key_value.weight", RandomGpt2.normal(rnd, 0, 3 * d, d));
            w.put(h + "attention.query_key_value.bias", RandomGpt2.normal(rnd, 0, 3 * d));
            w.put(h + "attention.dense.weight", RandomGpt2.normal(rnd, 0, d, d));
            w.put(h + "attention.dense.bias", RandomGpt2.normal(rnd, 0, d));
            w.put(h + "post_attention_layernorm.weight", RandomGpt2.normal(rnd, 1, d));
            w.put(h + "post_attention_layernorm.bias", RandomGpt2.normal(rnd, 0, d));
            w.put(h + "mlp.dense_h_to_4h.weight", RandomGpt2.normal(rnd, 0, m, d));
            w.put(h + "mlp.dense_h_to_4h.bias", RandomGpt2.normal(rnd, 0, m));
            w.put(h + "mlp.dense_4h_to_h.weight", RandomGpt2.normal(rnd, 0, d, m));
            w.put(h + "mlp.dense_4h_to_h.bias", RandomGpt2.normal(rnd, 0, d));
            writeShard(out, l + 2, shards, w, weightMap);
        }
        AtomicFile.writeString(out.resolve(ShardedCheckpoint.INDEX), new Json.Obj().put("metadata", new Json.Obj()).put("weight_map", weightMap) + "\n");
    }

    private static void writeShard(Path out, int index, int count, LinkedHashMap<String, SafetensorsWriter.Tensor> tensors, Json.Obj weightMap) {
        String file = String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", index, count);
        SafetensorsWriter.write(out.resolve(file), tensors, Map.of("format", "pt"));
        for (String name : tensors.keySet()) weightMap.put(name, file);
    }

    static String config(int nLayers, int nHeads, int dModel) {
        return """
                {
                  "architectures": ["GPTNeoXForCausalLM"],
                  "bos_token_id": 50256,
                  "eos_token_id": 50256,
                  "hidden_act": "gelu",
                  "hidden_size": %d,
                  "initializer_range": 0.02,
                  "intermediate_size": %d,
                  "layer_norm_eps": 1e-05,
                  "max_position_embeddings": %d,
                  "model_type": "gpt_neox",
                  "num_attention_heads": %d,
                  "num_hidden_layers": %d,
                  "rotary_emb_base": 10000,
                  "rotary_pct": 0.25,
                  "tie_word_embeddings": false,
                  "torch_dtype": "float32",
                  "use_parallel_residual": true,
                  "vocab_size": %d
                }
                """.formatted(dModel, 4 * dModel, N_CTX, nHeads, nLayers, VOCAB);
    }
}
