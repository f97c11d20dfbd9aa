package dev.jlens.tokenizer;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Reading the small objects of tokenizer.json (normalizers, pre-tokenizers, decoders): their fields, checked. */
final class TokenizerJson {
    private TokenizerJson() {
    }

    static boolean absent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }

    static String type(JsonNode node, String what) {
        JsonNode type = node.get("type");
        if (!node.isObject() || type == null || !type.isString()) {
            throw new IllegalArgumentException(what + " " + brief(node) + " has no \"type\"");
        }
        return type.stringValue();
    }

    static String string(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isString()) {
            throw new IllegalArgumentException(type(node, "entry") + " has no string \"" + field + "\"");
        }
        return value.stringValue();
    }

    static int integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 0) {
            throw new IllegalArgumentException(type(node, "entry") + " has no count \"" + field + "\"");
        }
        return value.intValue();
    }

    static List<JsonNode> list(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray()) {
            throw new IllegalArgumentException(type(node, "entry") + " has no list \"" + field + "\"");
        }
        List<JsonNode> items = new ArrayList<>();
        value.forEach(items::add);
        return items;
    }

    /** A single character option such as Metaspace's {@code replacement}. */
    static int character(JsonNode node, String field) {
        String s = string(node, field);
        if (s.codePointCount(0, s.length()) != 1) {
            throw new IllegalArgumentException(type(node, "entry") + "'s \"" + field + "\" is not one character");
        }
        return s.codePointAt(0);
    }

    static String brief(JsonNode node) {
        String text = String.valueOf(node);
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }
}
