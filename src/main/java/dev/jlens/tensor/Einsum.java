package dev.jlens.tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * einsum over named axes. Two spellings: NumPy's single letters ({@code "ij,jk->ik"}) and fancy_einsum's
 * space-separated names ({@code "... batch d_model, batch d_model -> ..."}), chosen by whether any operand
 * has a space inside it. {@code ...} stands for broadcast leading axes. Summed in double.
 */
final class Einsum {
    private static final String ELLIPSIS = "...";

    private Einsum() {}

    static Tensor apply(String spec, Tensor... ops) {
        String[] sides = spec.split("->", -1);
        if (sides.length > 2) throw new IllegalArgumentException("einsum: more than one '->' in \"" + spec + "\"");
        String[] inputs = sides[0].split(",", -1);
        if (inputs.length != ops.length) throw new IllegalArgumentException("einsum: \"" + spec + "\" names " + inputs.length + " operands, got " + ops.length);
        boolean named = false;
        for (String in : inputs) if (in.strip().replace(ELLIPSIS, " ").strip().contains(" ")) named = true;
        if (sides.length == 2 && sides[1].strip().replace(ELLIPSIS, " ").strip().contains(" ")) named = true;

        List<List<String>> inAxes = new ArrayList<>();
        int ellipsisRank = 0;
        for (int i = 0; i < ops.length; i++) {
            List<String> axes = parse(inputs[i], named);
            inAxes.add(axes);
            int explicit = (int) axes.stream().filter(a -> !a.equals(ELLIPSIS)).count();
            if (axes.contains(ELLIPSIS)) ellipsisRank = Math.max(ellipsisRank, ops[i].rank() - explicit);
            else if (explicit != ops[i].rank()) throw new IllegalArgumentException("einsum: operand " + i + " has rank " + ops[i].rank() + " but \"" + inputs[i].strip() + "\" names " + explicit + " axes");
        }
        List<String> outAxes;
        if (sides.length == 2) {
            outAxes = parse(sides[1], named);
        } else {
            if (named) throw new IllegalArgumentException("einsum with named axes needs '->'");
            Map<String, Integer> count = new LinkedHashMap<>();
            for (List<String> axes : inAxes) for (String a : axes) count.merge(a, 1, Integer::sum);
            outAxes = new ArrayList<>();
            if (count.containsKey(ELLIPSIS)) outAxes.add(ELLIPSIS);
            count.entrySet().stream().filter(e -> e.getValue() == 1 && !e.getKey().equals(ELLIPSIS)).map(Map.Entry::getKey).sorted().forEach(outAxes::add);
        }

        // Axis sizes; ellipsis axes are named "...0", "...1" (right-aligned across operands).
        Map<String, Integer> size = new LinkedHashMap<>();
        List<String[]> opAxes = new ArrayList<>();
        for (int i = 0; i < ops.length; i++) {
            String[] expanded = expand(inAxes.get(i), ops[i].rank(), ellipsisRank);
            opAxes.add(expanded);
            for (int d = 0; d < expanded.length; d++) {
                int s = ops[i].shape(d);
                Integer prev = size.get(expanded[d]);
                if (prev == null || prev == 1) size.put(expanded[d], s);
                else if (s != prev && s != 1) throw new IllegalArgumentException("einsum: axis '" + expanded[d] + "' has sizes " + prev + " and " + s);
            }
        }
        for (int e = 0; e < ellipsisRank; e++) size.putIfAbsent(ELLIPSIS + e, 1);
        String[] out = expand(outAxes, -1, ellipsisRank);
        for (String a : out) if (!size.containsKey(a)) throw new IllegalArgumentException("einsum: output axis '" + a + "' is not in any input");

        List<String> all = new ArrayList<>(List.of(out));
        for (String a : size.keySet()) if (!all.contains(a)) all.add(a);
        int[] dims = all.stream().mapToInt(size::get).toArray();
        int[] outShape = new int[out.length];
        for (int i = 0; i < out.length; i++) outShape[i] = dims[i];
        int outN = Shape.numel(outShape), sumN = 1;
        for (int i = out.length; i < dims.length; i++) sumN *= dims[i];

        int[][] strides = new int[ops.length][dims.length];
        for (int i = 0; i < ops.length; i++) {
            int[] st = Shape.strides(ops[i].shape());
            String[] axes = opAxes.get(i);
            for (int d = 0; d < axes.length; d++) {
                if (ops[i].shape(d) == 1 && size.get(axes[d]) != 1) continue;  // broadcast
                strides[i][all.indexOf(axes[d])] += st[d];
            }
        }
        float[] result = new float[outN];
        int[] ctr = new int[dims.length];
        for (int o = 0; o < outN; o++) {
            double acc = 0;
            for (int s = 0; s < sumN; s++) {
                double prod = 1;
                for (int i = 0; i < ops.length; i++) {
                    int at = ops[i].offset();
                    for (int d = 0; d < dims.length; d++) at += ctr[d] * strides[i][d];
                    prod *= ops[i].data()[at];
                }
                acc += prod;
                step(ctr, dims, out.length);
            }
            result[o] = (float) acc;
            stepOuter(ctr, dims, out.length);
        }
        return Tensor.of(result, outShape);
    }

    /** Advances the summed axes (those after the output's). */
    private static void step(int[] ctr, int[] dims, int from) {
        for (int d = dims.length - 1; d >= from; d--) {
            if (++ctr[d] < dims[d]) return;
            ctr[d] = 0;
        }
    }

    private static void stepOuter(int[] ctr, int[] dims, int outRank) {
        for (int d = outRank - 1; d >= 0; d--) {
            if (++ctr[d] < dims[d]) return;
            ctr[d] = 0;
        }
    }

    private static List<String> parse(String side, boolean named) {
        String s = side.strip();
        List<String> axes = new ArrayList<>();
        if (named) {
            for (String w : s.replace(ELLIPSIS, " " + ELLIPSIS + " ").trim().split("\\s+")) if (!w.isEmpty()) axes.add(w);
        } else {
            for (int i = 0; i < s.length(); i++) {
                if (s.startsWith(ELLIPSIS, i)) {
                    axes.add(ELLIPSIS);
                    i += 2;
                } else if (!Character.isWhitespace(s.charAt(i))) {
                    axes.add(String.valueOf(s.charAt(i)));
                }
            }
        }
        return axes;
    }

    private static String[] expand(List<String> axes, int rank, int ellipsisRank) {
        List<String> out = new ArrayList<>();
        int explicit = (int) axes.stream().filter(a -> !a.equals(ELLIPSIS)).count();
        for (String a : axes) {
            if (a.equals(ELLIPSIS)) {
                int e = rank < 0 ? ellipsisRank : rank - explicit;
                for (int j = ellipsisRank - e; j < ellipsisRank; j++) out.add(ELLIPSIS + j);
            } else {
                out.add(a);
            }
        }
        return out.toArray(String[]::new);
    }
}
