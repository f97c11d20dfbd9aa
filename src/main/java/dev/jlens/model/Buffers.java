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
    /** The arrays of one block, by role, each with its floats per input row. */
    enum Slot {
        INPUT, NORMALIZED, SCALE, QKV, Z, LAST_ROWS, ATTN_OUT, RESID_MID, NORMALIZED_2, SCALE_2, HIDDEN, HIDDEN_LINEAR, MLP_OUT, RESID_POST;

        /** Floats per row of the block's input; 0 for LAST_ROWS, sized by its caller for the few rows whose outputs are read. */
        long width(ModelConfig cfg) {
            long he = (long) cfg.nHeads() * cfg.dHead();
            return switch (this) {
                case SCALE, SCALE_2 -> 1;
                case QKV -> he + 2L * cfg.kvWidth();
                case Z -> he;
                case HIDDEN -> cfg.dMlp();
                case HIDDEN_LINEAR -> cfg.gatedMlp() ? cfg.dMlp() : 0;
                case LAST_ROWS -> 0;
                case INPUT, NORMALIZED, ATTN_OUT, RESID_MID, NORMALIZED_2, MLP_OUT, RESID_POST -> cfg.dModel();
            };
        }
    }

    /** An array of at least {@code size} floats for {@code slot}. */
    abstract float[] get(Slot slot, int size);

    /**
     * Makes room for blocks of up to {@code rows} input rows at once, so that a run whose rows grow from layer to
     * layer allocates each array once instead of once a layer.
     */
    void reserve(ModelConfig cfg, int rows) {}

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

            @Override
            void reserve(ModelConfig cfg, int rows) {
                for (Slot slot : Slot.values()) get(slot, Math.toIntExact(rows * slot.width(cfg)));
            }
        };
    }

    /** Floats per input row a block's buffers hold at most, its input included (the reused set's size, for memory estimates). */
    static long floatsPerRow(ModelConfig cfg) {
        long sum = 0;
        for (Slot slot : Slot.values()) sum += slot.width(cfg);
        return sum;
    }
}
