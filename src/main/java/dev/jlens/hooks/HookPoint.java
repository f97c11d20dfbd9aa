package dev.jlens.hooks;

/**
 * A named place in the forward pass where an activation can be read or replaced, such as
 * {@code blocks.3.attn.hook_pattern}. Given to every hook function, as TransformerLens passes {@code hook}.
 */
public record HookPoint(String name) {
    /** The layer of a {@code blocks.L....} hook point; -1 for the embedding and final hook points. */
    public int layer() {
        if (!name.startsWith("blocks.")) return -1;
        int end = name.indexOf('.', 7);
        return Integer.parseInt(name.substring(7, end < 0 ? name.length() : end));
    }

    @Override
    public String toString() {
        return name;
    }
}
