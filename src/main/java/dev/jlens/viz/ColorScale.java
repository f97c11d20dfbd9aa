package dev.jlens.viz;

import java.util.List;

/**
 * Continuous color scales. {@link #RDBU} is plotly express' "RdBu" (ColorBrewer's eleven stops: dark red for
 * the lowest value, near-white in the middle, dark blue for the highest), used centered at 0 with a symmetric
 * range as plotly's {@code color_continuous_midpoint=0} does. {@link #BLUES} (white to dark blue) is for
 * attention probabilities in [0, 1].
 */
public final class ColorScale {
    static final List<Rgb> RDBU_STOPS = List.of(new Rgb(103, 0, 31), new Rgb(178, 24, 43), new Rgb(214, 96, 77),
            new Rgb(244, 165, 130), new Rgb(253, 219, 199), new Rgb(247, 247, 247), new Rgb(209, 229, 240),
            new Rgb(146, 197, 222), new Rgb(67, 147, 195), new Rgb(33, 102, 172), new Rgb(5, 48, 97));
    static final List<Rgb> BLUES_STOPS = List.of(new Rgb(255, 255, 255), new Rgb(198, 219, 239), new Rgb(107, 174, 214),
            new Rgb(33, 113, 181), new Rgb(8, 48, 107));

    public static final ColorScale RDBU = new ColorScale(RDBU_STOPS);
    public static final ColorScale BLUES = new ColorScale(BLUES_STOPS);

    private final List<Rgb> stops;

    private ColorScale(List<Rgb> stops) {
        this.stops = stops;
    }

    /** The color at {@code t} in [0, 1] (clamped), linear between evenly spaced stops. */
    Rgb at(double t) {
        if (Double.isNaN(t)) return Rgb.MISSING;
        double c = Math.max(0, Math.min(1, t)) * (stops.size() - 1);
        int i = (int) Math.floor(c);
        if (i >= stops.size() - 1) return stops.getLast();
        return Rgb.mix(stops.get(i), stops.get(i + 1), c - i);
    }

    /** The color of {@code value} on [-range, range] (the diverging use). */
    Rgb diverging(double value, double range) {
        if (Double.isNaN(value)) return Rgb.MISSING;
        return at(range <= 0 ? 0.5 : (value / range + 1) / 2);
    }

    /** The stops as CSS hex colors, lowest first (handed to the browser's renderer). */
    List<String> hexStops() {
        return stops.stream().map(Rgb::hex).toList();
    }

    /** The color of {@code value} as a CSS hex string, e.g. for a test comparing with a rendered cell. */
    public String hex(double value, double range) {
        return diverging(value, range).hex();
    }
}
