package dev.jlens.model;

import java.util.EnumMap;
import java.util.Map;

/**
 * Where a block's intermediate arrays come from. A forward pass takes fresh ones, since its activations may be
 * kept by hooks and caches; the patching engine reuses one set from layer to layer and chunk to chunk, so a
 * long sweep makes no garbage per layer (on gpt2-large it had filled the old generation with dead arrays).
 * A reused array holds whatever it held last: every user overwrites what it reads.
 */
abstract class Buffers {
    /** The arrays of one block, by role. */
    enum Slot { INPUT, NORMALIZED, SCALE, QKV, Z, LAST_ROWS, ATTN_OUT, RESID_MID, NORMALIZED_2, SCALE_2, HIDDEN, HIDDEN_LINEAR, MLP_OUT, RESID_POST }

    /** An array of at least {@code size} floats for {@code slot}. */
    abstract float[] get(Slot slot, int size);

    /** New arrays every time. */
    static final Buffers FRESH = new Buffers() {
        @Override
        float[] get(Slot slot, int size) {
            return new float[size];
        }
    };

    /** One array per slot, grown when a call needs more; for one thread's sequence of runs. */
    static Buffers reused() {
        return new Buffers() {
            private final Map<Slot, float[]> arrays = new EnumMap<>(Slot.class);

            @Override
            float[] get(Slot slot, int size) {
                float[] a = arrays.get(slot);
                if (a == null || a.length < size) arrays.put(slot, a = new float[size]);
                return a;
            }
        };
    }

    /** Floats per input row a block's buffers hold at most (the reused set's size, for memory estimates). */
    static long floatsPerRow(ModelConfig cfg) {
        long d = cfg.dModel(), he = (long) cfg.nHeads() * cfg.dHead();
        // normalized, attn_out, resid_mid, normalized_2, mlp_out, resid_post; q, k, v and z; hidden; two scales
        return 6 * d + 4 * he + cfg.dMlp() + 2;
    }
}
