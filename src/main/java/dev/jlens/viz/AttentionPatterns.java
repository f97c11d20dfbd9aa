package dev.jlens.viz;

import dev.jlens.cache.ActivationCache;
import dev.jlens.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Attention patterns of several heads over one prompt, in the spirit of CircuitsVis' {@code attention_patterns}:
 * in a browser, one small pattern per head; hovering or choosing a head enlarges it, with the tokens as row
 * (query, destination) and column (key, source) labels and a color bar; hovering a token shows where it attends
 * (its row) and what attends to it (its column). A long prompt's pattern zooms in place (a slider, Shift+wheel,
 * a drag to pan) down to 16 positions, every one labeled. SVG and PNG show every head's pattern with its label.
 *
 * <pre>{@code
 * AttentionPatterns.ofHeads(result.cleanCache(), result.strTokens().get(0), result.top3PositiveHeads(), 0)
 *                  .title("Top 3 Positive Logit Attribution Heads").build();
 * }</pre>
 */
public final class AttentionPatterns extends AbstractFigure implements Figure {
    /** One head's pattern, [query][key], rows summing to 1 over the keys a causal head sees. */
    public record Head(String label, float[][] pattern) {
        public Head {
            pattern = Figures.copy(pattern);
        }
    }

    private static final double TICK = 10, TITLE = 15;

    private final List<String> tokens;
    private final List<Head> heads;
    private final Layout layout;

    private AttentionPatterns(Builder b) {
        super(b.id, b.title);
        if (b.tokens == null) throw new IllegalArgumentException("attention patterns need the tokens");
        if (b.heads.isEmpty()) throw new IllegalArgumentException("attention patterns need at least one head");
        this.tokens = List.copyOf(b.tokens);
        this.heads = List.copyOf(b.heads);
        int n = tokens.size();
        for (Head h : heads) {
            if (h.pattern().length != n || Arrays.stream(h.pattern()).anyMatch(r -> r.length != n)) {
                throw new IllegalArgumentException("head " + h.label() + ": pattern is not [" + n + ", " + n + "] for " + n + " tokens");
            }
        }
        this.layout = new Layout();
        size(layout.width, layout.height);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The seed's {@code visualize_attention_patterns}: heads given as flat indices {@code layer * n_heads + head}
     * (as {@code AnalysisResult.top3PositiveHeads()}), labeled {@code L{layer}H{head}}, from the cached
     * {@code blocks.{layer}.attn.hook_pattern} [batch, head, query, key] of batch element {@code batch}.
     */
    public static Builder ofHeads(ActivationCache cache, List<String> strTokens, int[] flatHeads, int batch) {
        Builder b = builder().tokens(strTokens);
        for (int flat : flatHeads) {
            Tensor pattern = cache.get("pattern", 0);
            int nHeads = pattern.rank() == 4 ? pattern.shape(1) : pattern.shape(0);
            int layer = flat / nHeads, head = flat % nHeads;
            Tensor p = cache.get("pattern", layer);
            Tensor one = cache.hasBatchDim() ? p.get(batch, head) : p.get(head);
            b.head("L" + layer + "H" + head, one);
        }
        return b;
    }

    public List<String> tokens() {
        return tokens;
    }

    public List<Head> heads() {
        return heads;
    }

    @Override
    public AttentionPatterns withId(String newId) {
        Builder b = builder().id(newId).title(title).tokens(tokens);
        b.heads.addAll(heads);
        return b.build();
    }

    @Override
    public String toString() {
        return "AttentionPatterns[" + (title == null ? "" : title) + ", " + heads.size() + " heads, " + tokens.size() + " tokens]";
    }

    /** Static layout: every head as a labeled panel, up to three per row. */
    private final class Layout {
        final int width, height, perRow;
        final double cell, labelW, panelW, panelH, top;
        final List<String> shown;

        Layout() {
            int n = tokens.size();
            shown = tokens.stream().map(Html::visibleToken).map(s -> Drawing.fit(s, TICK, 90)).toList();
            double maxLabel = shown.stream().mapToDouble(s -> Drawing.textWidth(s, TICK)).max().orElse(0);
            // a panel is about 260 px whatever the length (cells under a pixel past 65 positions), so three fit a page
            cell = Math.min(22, n <= 65 ? Math.max(4, 260.0 / n) : 260.0 / n);
            labelW = maxLabel + 8;
            perRow = Math.min(heads.size(), 3);
            panelW = labelW + n * cell + 24;
            panelH = 22 + n * cell + maxLabel * Math.sqrt(0.5) + 20;
            top = title == null || title.isEmpty() ? 8 : 40;
            int rows = (heads.size() + perRow - 1) / perRow;
            double titleW = title == null ? 0 : Drawing.textWidth(title, TITLE) + 20;
            width = (int) Math.ceil(Math.max(perRow * panelW + 16, titleW));
            height = (int) Math.ceil(top + rows * panelH + 8);
        }
    }

    Drawing draw() {
        Layout l = layout;
        Drawing d = new Drawing(l.width, l.height);
        if (title != null && !title.isEmpty()) d.text(l.width / 2.0, 26, title, TITLE, Drawing.Anchor.MIDDLE, 0, Rgb.TEXT, true);
        int n = tokens.size();
        for (int h = 0; h < heads.size(); h++) {
            Head head = heads.get(h);
            double x0 = 8 + (h % l.perRow) * l.panelW + l.labelW, y0 = l.top + (h / l.perRow) * l.panelH + 22;
            d.text(x0 + n * l.cell / 2, y0 - 8, head.label(), 12, Drawing.Anchor.MIDDLE, 0, Rgb.TEXT, true);
            for (int q = 0; q < n; q++) {
                for (int k = 0; k < n; k++) {
                    float v = head.pattern()[q][k];
                    d.rect(x0 + k * l.cell, y0 + q * l.cell, l.cell + 0.02, l.cell + 0.02, ColorScale.BLUES.at(v),
                            head.label() + " " + Html.visibleToken(tokens.get(q)) + "_" + q + " \u2192 " + Html.visibleToken(tokens.get(k)) + "_" + k + ": " + Values.format(v));
                }
            }
            d.frame(x0, y0, n * l.cell, n * l.cell, Rgb.AXIS, 0.8);
            int step = Math.max(1, (int) Math.ceil(TICK * 1.5 / l.cell));
            for (int i = 0; i < n; i += step) {
                d.text(x0 - 4, y0 + (i + 0.5) * l.cell + TICK * 0.35, l.shown.get(i), TICK, Drawing.Anchor.END);
                d.text(x0 + (i + 0.5) * l.cell + TICK * 0.3, y0 + n * l.cell + 6, l.shown.get(i), TICK, Drawing.Anchor.END, -45, Rgb.TEXT, false);
            }
        }
        return d;
    }

    String spec() {
        Json j = new Json().begin().field("kind", "attention").field("title", title).field("width", layout.width).field("height", layout.height)
                .strings("tokens", tokens).strings("shown", tokens.stream().map(Html::visibleToken).toList())
                .strings("colors", ColorScale.BLUES.hexStops());
        j.key("heads").beginArray();
        for (Head h : heads) j.begin().field("label", h.label()).matrix("pattern", h.pattern()).end();
        j.endArray();
        return j.end().toString();
    }

    public static final class Builder {
        private final List<Head> heads = new ArrayList<>();
        private String id, title;
        private List<String> tokens;

        private Builder() {}

        public Builder id(String id) {
            this.id = Figures.checkId(id);
            return this;
        }

        public Builder title(String t) {
            this.title = t;
            return this;
        }

        public Builder tokens(List<String> tokens) {
            this.tokens = List.copyOf(tokens);
            return this;
        }

        public Builder head(String label, float[][] pattern) {
            heads.add(new Head(label, pattern));
            return this;
        }

        /** A head from a [query, key] tensor. */
        public Builder head(String label, Tensor pattern) {
            if (pattern.rank() != 2) throw new IllegalArgumentException("head " + label + ": a pattern is [query, key], got shape " + Arrays.toString(pattern.shape()));
            return head(label, pattern.toMatrix());
        }

        public AttentionPatterns build() {
            return new AttentionPatterns(this);
        }
    }
}
