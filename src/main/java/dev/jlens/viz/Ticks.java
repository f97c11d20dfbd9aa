package dev.jlens.viz;

/** "Nice" axis ticks: steps of 1, 2 or 5 times a power of ten covering [min, max]. */
record Ticks(double min, double max, double step) {
    static Ticks of(double lo, double hi, int target) {
        if (!(hi > lo)) {
            double pad = lo == 0 ? 1 : Math.abs(lo) * 0.5;
            lo -= pad;
            hi += pad;
        }
        double raw = (hi - lo) / Math.max(1, target);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
        return new Ticks(Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step, step);
    }

    int count() {
        return (int) Math.round((max - min) / step) + 1;
    }

    double value(int i) {
        return min + i * step;
    }

    String label(int i) {
        return Values.tick(value(i), step);
    }
}
