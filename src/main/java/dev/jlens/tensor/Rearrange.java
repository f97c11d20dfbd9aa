package dev.jlens.tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * einops' {@code rearrange} without reductions: split and merge axes with parentheses and reorder them,
 * e.g. {@code "(layer head) -> layer head"} with {@code layer=12}, or {@code "b h q k -> b q k h"}.
 */
final class Rearrange {
    private Rearrange() {}

    static Tensor apply(Tensor t, String pattern, Map<String, Integer> sizes) {
        String[] sides = pattern.split("->");
        if (sides.length != 2) throw new IllegalArgumentException("rearrange pattern needs one '->': \"" + pattern + "\"");
        List<List<String>> left = groups(sides[0], pattern), right = groups(sides[1], pattern);
        if (left.size() != t.rank()) {
            throw new IllegalArgumentException("rearrange: \"" + sides[0].strip() + "\" has " + left.size() + " axes, the tensor has rank " + t.rank());
        }
        Map<String, Integer> size = new LinkedHashMap<>();
        for (int g = 0; g < left.size(); g++) {
            List<String> group = left.get(g);
            int known = 1;
            String unknown = null;
            for (String name : group) {
                if (size.containsKey(name)) throw new IllegalArgumentException("rearrange: axis '" + name + "' appears twice on the left");
                Integer s = sizes.get(name);
                if (s == null && group.size() == 1) s = t.shape(g);
                if (s == null) {
                    if (unknown != null) throw new IllegalArgumentException("rearrange: give the size of '" + unknown + "' or '" + name + "'");
                    unknown = name;
                } else {
                    known *= s;
                    size.put(name, s);
                }
            }
            if (unknown != null) {
                if (t.shape(g) % known != 0) throw new IllegalArgumentException("rearrange: " + t.shape(g) + " is not divisible by " + known);
                size.put(unknown, t.shape(g) / known);
            }
            int product = group.stream().mapToInt(size::get).reduce(1, (a, b) -> a * b);
            if (product != t.shape(g)) {
                throw new IllegalArgumentException("rearrange: axis " + g + " has size " + t.shape(g) + ", not " + group + " = " + product);
            }
        }
        List<String> leftFlat = left.stream().flatMap(List::stream).toList();
        List<String> rightFlat = right.stream().flatMap(List::stream).toList();
        if (!new java.util.HashSet<>(leftFlat).equals(new java.util.HashSet<>(rightFlat)) || leftFlat.size() != rightFlat.size()) {
            throw new IllegalArgumentException("rearrange: both sides must name the same axes: \"" + pattern + "\"");
        }
        Tensor split = t.reshape(leftFlat.stream().mapToInt(size::get).toArray());
        int[] perm = rightFlat.stream().mapToInt(leftFlat::indexOf).toArray();
        Tensor moved = split.permute(perm);
        return moved.reshape(right.stream().mapToInt(g -> g.stream().mapToInt(size::get).reduce(1, (a, b) -> a * b)).toArray());
    }

    private static List<List<String>> groups(String side, String pattern) {
        List<List<String>> out = new ArrayList<>();
        List<String> open = null;
        for (String token : side.replace("(", " ( ").replace(")", " ) ").trim().split("\\s+")) {
            if (token.isEmpty()) continue;
            switch (token) {
                case "(" -> {
                    if (open != null) throw new IllegalArgumentException("rearrange: nested parentheses in \"" + pattern + "\"");
                    open = new ArrayList<>();
                }
                case ")" -> {
                    if (open == null) throw new IllegalArgumentException("rearrange: unbalanced ')' in \"" + pattern + "\"");
                    out.add(open);
                    open = null;
                }
                default -> {
                    if (open != null) open.add(token);
                    else out.add(List.of(token));
                }
            }
        }
        if (open != null) throw new IllegalArgumentException("rearrange: unbalanced '(' in \"" + pattern + "\"");
        return out;
    }
}
