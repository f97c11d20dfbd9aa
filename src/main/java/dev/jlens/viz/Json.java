package dev.jlens.viz;

import java.util.List;

/**
 * A small JSON writer for figure specifications, safe to place inside {@code <script type="application/json">}:
 * {@code <}, {@code >}, {@code &} and the JavaScript line separators are written as {@code \\uXXXX}, so no
 * string can close the script element. Floats are written as their shortest decimal ({@link Float#toString}),
 * which is what {@link Values#format(float)} rounds; NaN and infinities become null.
 */
final class Json {
    private final StringBuilder b = new StringBuilder();
    private boolean needComma;

    Json begin() {
        comma();
        b.append('{');
        needComma = false;
        return this;
    }

    Json end() {
        b.append('}');
        needComma = true;
        return this;
    }

    Json beginArray() {
        comma();
        b.append('[');
        needComma = false;
        return this;
    }

    Json endArray() {
        b.append(']');
        needComma = true;
        return this;
    }

    Json key(String k) {
        comma();
        string(k);
        b.append(':');
        needComma = false;
        return this;
    }

    Json value(String s) {
        comma();
        if (s == null) b.append("null");
        else string(s);
        needComma = true;
        return this;
    }

    Json value(double v) {
        comma();
        if (Double.isNaN(v) || Double.isInfinite(v)) b.append("null");
        else if (v == Math.rint(v) && Math.abs(v) < 1e15) b.append((long) v);
        else b.append(v);
        needComma = true;
        return this;
    }

    Json value(float v) {
        comma();
        if (Float.isNaN(v) || Float.isInfinite(v)) b.append("null");
        else b.append(Float.toString(v));
        needComma = true;
        return this;
    }

    Json value(boolean v) {
        comma();
        b.append(v);
        needComma = true;
        return this;
    }

    Json field(String k, String v) {
        return key(k).value(v);
    }

    Json field(String k, double v) {
        return key(k).value(v);
    }

    Json field(String k, boolean v) {
        return key(k).value(v);
    }

    Json strings(String k, List<String> values) {
        key(k);
        if (values == null) return value((String) null);
        beginArray();
        for (String s : values) value(s);
        return endArray();
    }

    Json floats(String k, float[] values) {
        key(k).beginArray();
        for (float v : values) value(v);
        return endArray();
    }

    Json doubles(String k, double[] values) {
        key(k);
        if (values == null) return value((String) null);
        beginArray();
        for (double v : values) value(v);
        return endArray();
    }

    Json matrix(String k, float[][] rows) {
        key(k).beginArray();
        for (float[] row : rows) {
            beginArray();
            for (float v : row) value(v);
            endArray();
        }
        return endArray();
    }

    Json stringMatrix(String k, String[][] rows) {
        key(k);
        if (rows == null) return value((String) null);
        beginArray();
        for (String[] row : rows) {
            beginArray();
            for (String v : row) value(v);
            endArray();
        }
        return endArray();
    }

    private void comma() {
        if (needComma) b.append(',');
    }

    private void string(String s) {
        dev.jlens.io.Json.Str.quote(s, true, b);
    }

    @Override
    public String toString() {
        return b.toString();
    }
}
