package dev.jlens.viz;

import java.util.concurrent.atomic.AtomicLong;

/** What every figure kind provides to pages and writers. */
final class Figures {
    static final AtomicLong NOTEBOOK_IDS = new AtomicLong();

    private Figures() {}

    static String kind(Figure f) {
        return switch (f) {
            case Heatmap h -> "heatmap";
            case LineChart l -> "line";
            case ScatterPlot s -> "scatter";
            case AttentionPatterns a -> "attention";
        };
    }

    static Drawing drawing(Figure f) {
        return switch (f) {
            case Heatmap h -> h.draw();
            case LineChart l -> l.draw();
            case ScatterPlot s -> s.draw();
            case AttentionPatterns a -> a.draw();
        };
    }

    static String spec(Figure f) {
        return switch (f) {
            case Heatmap h -> h.spec();
            case LineChart l -> l.spec();
            case ScatterPlot s -> s.spec();
            case AttentionPatterns a -> a.spec();
        };
    }

    /** Whether the browser needs ECharts for this figure (the attention viewer is plain SVG). */
    static boolean usesEcharts(Figure f) {
        return !(f instanceof AttentionPatterns);
    }

    static String checkId(String id) {
        if (id != null && !id.matches("[A-Za-z][A-Za-z0-9_-]{0,99}")) {
            throw new IllegalArgumentException("figure id must be a letter followed by letters, digits, '-' or '_' (at most 100), got \"" + id + "\"");
        }
        return id;
    }

    static float[][] copy(float[][] values) {
        float[][] out = new float[values.length][];
        for (int i = 0; i < values.length; i++) out[i] = values[i].clone();
        return out;
    }
}
