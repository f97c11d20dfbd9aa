package dev.jlens.viz;

import java.util.Locale;

/** An opaque color. */
record Rgb(int r, int g, int b) {
    static final Rgb WHITE = new Rgb(255, 255, 255);
    static final Rgb BLACK = new Rgb(0, 0, 0);
    static final Rgb TEXT = new Rgb(0x22, 0x22, 0x22);
    static final Rgb AXIS = new Rgb(0x55, 0x55, 0x55);
    static final Rgb GRID = new Rgb(0xe4, 0xe4, 0xe4);
    static final Rgb MISSING = new Rgb(0xbb, 0xbb, 0xbb);
    /** The line and point color of the first series (plotly's first color). */
    static final Rgb[] SERIES = {new Rgb(0x63, 0x6e, 0xfa), new Rgb(0xef, 0x55, 0x3b), new Rgb(0x00, 0xcc, 0x96),
            new Rgb(0xab, 0x63, 0xfa), new Rgb(0xff, 0xa1, 0x5a), new Rgb(0x19, 0xd3, 0xf3)};

    String hex() {
        return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
    }

    java.awt.Color awt() {
        return new java.awt.Color(r, g, b);
    }

    static Rgb mix(Rgb a, Rgb b, double t) {
        return new Rgb((int) Math.round(a.r + (b.r - a.r) * t), (int) Math.round(a.g + (b.g - a.g) * t),
                (int) Math.round(a.b + (b.b - a.b) * t));
    }
}
